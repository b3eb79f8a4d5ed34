import type { Reading } from '@cityops/contracts';

export interface TelemetryCoalescer {
  add(reading: Reading): void;
  /** Sends what is pending now (used by close and tests). */
  flush(): void;
  pending(): number;
  close(): void;
}

/**
 * Keeps the latest reading per sensor and hands one batch to `send` per
 * window. The map only shows the current state, so intermediate readings
 * would cost bandwidth and redraws for nothing. The timer runs only while
 * something is pending: an idle center wakes no one.
 */
export function createTelemetryCoalescer(send: (batch: Reading[]) => void, flushMs: number): TelemetryCoalescer {
  let pending = new Map<string, Reading>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return;
    const batch = [...pending.values()];
    pending = new Map();
    send(batch);
  };

  return {
    add(reading) {
      if (closed) return;
      const current = pending.get(reading.sensorId);
      // Gateways backfill out of order: an older reading must not replace a newer one.
      if (current && current.ts > reading.ts) return;
      pending.set(reading.sensorId, reading);
      if (!timer) {
        timer = setTimeout(flush, flushMs);
        timer.unref();
      }
    },
    flush,
    pending: () => pending.size,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending.clear();
    },
  };
}
