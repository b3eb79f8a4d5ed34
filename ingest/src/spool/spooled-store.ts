import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Reading } from '@cityops/contracts';
import type { DeadLetterStore } from '../dead-letters/sqlite-dead-letter-store.ts';
import { isIngestError, storeClosedError, storeUnavailableError } from '../errors.ts';
import type { TelemetryStore } from '../store/telemetry-store.ts';
import { backoffDelay } from './backoff.ts';
import { openSpool, type Spool } from './spool.ts';
import { createSpoolMetrics } from './spool-metrics.ts';
import { isRollupStore, type RollupStore } from '../rollup/rollup-port.ts';
import { isDistrictHistoryStore, type DistrictHistoryStore } from '../store/district-history.ts';

export interface SpooledTelemetryStoreOptions {
  /** the database adapter (InfluxDB) */
  store: TelemetryStore;
  spoolDir: string;
  spoolMaxBytes: number;
  spoolSegmentBytes?: number;
  deadLetters: DeadLetterStore;
  logger: Logger;
  metrics: Registry;
  /** a direct write slower than this goes to the spool instead (default 2000 ms) */
  directTimeoutMs?: number;
  /** drain retry backoff (default 250 ms doubling to 30 s, with jitter) */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** readings per drain write (default 5000) */
  drainReadings?: number;
  random?: () => number;
}

export interface SpooledTelemetryStore extends TelemetryStore, RollupStore, DistrictHistoryStore {
  /** resolves when the spool is empty (or the store closes) */
  drained(): Promise<void>;
  spoolBytes(): number;
}

/**
 * "Nothing lost" in front of a remote database. write() resolves once the readings
 * are durable in the database or in the on-disk spool, so the broker's PUBACK never
 * outruns durability. While the spool holds anything every new batch is appended
 * behind it, so the database receives readings in the order they were acknowledged.
 * A reading the database rejects for its content is isolated by halving the batch
 * and goes to dead letters with the reason; the rest are written.
 */
export async function createSpooledTelemetryStore(options: SpooledTelemetryStoreOptions): Promise<SpooledTelemetryStore> {
  const { store, deadLetters } = options;
  const log = options.logger.child({ module: 'spooled-store' });
  const metrics = createSpoolMetrics(options.metrics);
  const directTimeoutMs = options.directTimeoutMs ?? 2000;
  const baseMs = options.retryBaseMs ?? 250;
  const maxMs = options.retryMaxMs ?? 30_000;
  const drainReadings = options.drainReadings ?? 5000;
  const random = options.random ?? Math.random;
  const spool: Spool = openSpool({
    dir: options.spoolDir,
    maxBytes: options.spoolMaxBytes,
    ...(options.spoolSegmentBytes !== undefined ? { segmentBytes: options.spoolSegmentBytes } : {}),
    logger: options.logger,
    metrics,
  });

  let closed = false;
  let draining: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  const deadLetter = (r: Reading, err: unknown): void => {
    metrics.deadLettered.inc();
    log.error({ sensorId: r.sensorId, domain: r.domain, ts: r.ts, err }, 'the database rejected a reading for its content; moved to dead letters');
    try {
      deadLetters.add({
        receivedAt: r.receivedAt,
        topic: `store/${r.domain}/${r.sensorId}`,
        clientId: 'cityops-store',
        reason: 'store_rejected',
        detail: (err as Error).message ?? String(err),
        payload: JSON.stringify(r),
      });
    } catch (e) {
      log.error({ err: e }, 'could not write a dead letter for a rejected reading');
    }
  };

  /** Writes all it can; throws only when the database is unavailable (then nothing is lost: the caller spools or retries). */
  const writeIsolating = async (readings: readonly Reading[]): Promise<void> => {
    try {
      await store.write(readings);
    } catch (err) {
      if (!isIngestError(err, 'CITYOPS_INGEST_STORE_REJECTED')) throw err;
      if (readings.length === 1) return deadLetter(readings[0]!, err);
      // Re-sending the good half is harmless: the same point overwrites itself.
      const mid = readings.length >> 1;
      await writeIsolating(readings.slice(0, mid));
      await writeIsolating(readings.slice(mid));
    }
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = null;
        resolve();
      };
    });

  const drainLoop = async (): Promise<void> => {
    let attempt = 0;
    while (!closed) {
      const batch = spool.peek(drainReadings);
      if (batch === null) break;
      try {
        await writeIsolating(batch.readings);
      } catch (err) {
        attempt++;
        metrics.retries.inc();
        const delay = backoffDelay(attempt, baseMs, maxMs, random);
        // Loud on the first failure and then every 10th, not once per retry.
        if (attempt === 1 || attempt % 10 === 0) log.warn({ err, attempt, retryInMs: delay, spoolBytes: spool.bytes() }, 'the database is unavailable; the spool keeps the readings and retries');
        await sleep(delay);
        continue;
      }
      if (closed) break; // ack nothing after close: the spool file is closed
      spool.ack(batch.end);
      metrics.readings.inc({ op: 'drained' }, batch.readings.length);
      if (attempt > 0) log.info({ spoolBytes: spool.bytes() }, 'the database is back; draining the spool');
      attempt = 0;
    }
  };

  const kick = (): void => {
    if (draining !== null || closed) return;
    let broken = false;
    draining = drainLoop()
      .catch((err: unknown) => {
        // A bug or an unreadable spool, not an outage: stop rather than spin; the next write() retries.
        broken = true;
        log.error({ err }, 'spool drain loop failed');
      })
      .finally(() => {
        draining = null;
        // An append could have raced the loop's last empty peek.
        if (!closed && !broken && !spool.isEmpty()) kick();
      });
  };

  const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(storeUnavailableError(`no answer within ${ms} ms`)), ms);
      p.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(t);
          reject(e);
        },
      );
    });

  if (!spool.isEmpty()) kick();

  const ensureOpen = (): void => {
    if (closed) throw storeClosedError();
  };

  return {
    async write(readings) {
      ensureOpen();
      if (readings.length === 0) return;
      if (draining === null && spool.isEmpty()) {
        try {
          await withTimeout(writeIsolating(readings), directTimeoutMs);
          return;
        } catch (err) {
          // A timed-out request may still land later; the spooled copy then overwrites it with the same values.
          log.warn({ err: (err as Error).message, readings: readings.length }, 'database write failed or was slow; spooling');
        }
      }
      spool.append(readings); // throws CITYOPS_INGEST_SPOOL_FULL: then no PUBACK, the device resends
      kick();
    },
    // Reads go to the database: readings still in the spool show up there once drained.
    async history(q) {
      ensureOpen();
      return store.history(q);
    },
    async latest() {
      ensureOpen();
      return store.latest();
    },
    async latestIn(window) {
      ensureOpen();
      return store.latestIn(window);
    },
    async count(f) {
      ensureOpen();
      return store.count(f);
    },
    async districtHistory(q) {
      ensureOpen();
      if (!isDistrictHistoryStore(store)) return { ...q, points: [] };
      return store.districtHistory(q);
    },
    async rollup(domain, from, to) {
      ensureOpen();
      if (!isRollupStore(store)) return 0;
      // Rolling up while acknowledged readings still wait in the spool would miss them; the job retries later.
      if (draining !== null || !spool.isEmpty()) throw storeUnavailableError('the spool is not drained yet; rollups wait');
      return store.rollup(domain, from, to);
    },
    async applyRetention(cutoffs) {
      ensureOpen();
      if (isRollupStore(store)) await store.applyRetention(cutoffs);
    },
    drained: async () => {
      while (!closed && (draining !== null || !spool.isEmpty())) {
        kick();
        await (draining ?? Promise.resolve());
      }
    },
    spoolBytes: () => spool.bytes(),
    async close() {
      if (closed) return;
      closed = true;
      wake?.();
      await draining;
      spool.close();
      await store.close();
    },
  };
}
