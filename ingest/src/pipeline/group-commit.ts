import type { Reading } from '@cityops/contracts';

export interface GroupCommitOptions {
  /** one durable write of a whole batch */
  write(readings: readonly Reading[]): Promise<void>;
  maxReadings: number;
  maxDelayMs: number;
  /** after the batch is durable, before its callers resume */
  onCommitted(readings: readonly Reading[], durationMs: number): void;
  /** maps the store's error to what the batch's callers receive */
  onFailed(readings: readonly Reading[], err: unknown): unknown;
}

export interface GroupCommitter {
  /** resolves when every given reading is durable; rejects if its batch failed */
  enqueue(readings: readonly Reading[]): Promise<void>;
  /** writes the open batch now and waits for everything queued so far */
  flush(): Promise<void>;
  /** readings queued or being written */
  pending(): number;
}

interface Batch {
  readings: Reading[];
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Callers hold `done` and see the rejection; this keeps a batch nobody awaits
  // (e.g. drained by close()) from becoming an unhandled rejection.
  done.catch(() => {});
  return { readings: [], done, resolve, reject };
}

/**
 * Group commit: readings from many concurrent handle() calls share one store
 * write. A batch is sealed when it holds maxReadings or maxDelayMs after its first
 * reading; batches are written one at a time, in order, so while one commits the
 * next fills up (under load batches grow toward maxReadings by themselves).
 */
export function createGroupCommitter(options: GroupCommitOptions): GroupCommitter {
  const { maxReadings, maxDelayMs } = options;
  let open: Batch | null = null;
  let timer: NodeJS.Timeout | null = null;
  const sealed: Batch[] = [];
  let tail: Batch | null = null;
  let writing = false;
  let inFlight = 0;

  const pump = async (): Promise<void> => {
    if (writing) return;
    writing = true;
    while (sealed.length > 0) {
      const batch = sealed.shift()!;
      const started = performance.now();
      try {
        await options.write(batch.readings);
      } catch (err) {
        inFlight -= batch.readings.length;
        let failure = err;
        try {
          failure = options.onFailed(batch.readings, err);
        } catch {
          // keep the store's own error; the queue must keep moving
        }
        batch.reject(failure);
        continue;
      }
      inFlight -= batch.readings.length;
      try {
        options.onCommitted(batch.readings, performance.now() - started);
      } catch {
        // a throwing hook must not stall the queue or withhold the callers' acks
      }
      batch.resolve();
    }
    writing = false;
  };

  const seal = (): void => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (open === null) return;
    sealed.push(open);
    tail = open;
    open = null;
    void pump();
  };

  const onTimer = (): void => {
    timer = null;
    seal();
  };

  const add = (reading: Reading): Batch => {
    if (open === null) {
      open = newBatch();
      timer = setTimeout(onTimer, maxDelayMs);
    }
    const batch = open;
    batch.readings.push(reading);
    inFlight++;
    if (batch.readings.length >= maxReadings) seal();
    return batch;
  };

  return {
    enqueue(readings) {
      if (readings.length === 0) return Promise.resolve();
      if (readings.length === 1) return add(readings[0]!).done;
      const batches: Batch[] = [];
      for (const r of readings) {
        const b = add(r);
        if (batches[batches.length - 1] !== b) batches.push(b);
      }
      return batches.length === 1 ? batches[0]!.done : Promise.all(batches.map((b) => b.done)).then(() => undefined);
    },
    async flush() {
      seal();
      // Batches commit in order, so the last sealed one settling means all have.
      if (tail !== null) await tail.done.catch(() => {});
    },
    pending: () => inFlight,
  };
}
