import type { Logger } from 'pino';
import { DOMAINS, type Domain, type Reading } from '@cityops/contracts';
import { DEFAULT_RAW_RETENTION_MS, DEFAULT_ROLLUP_RETENTION_MS, ROLLUP_MS, type RollupStore } from './rollup-port.ts';

export interface RollupJobOptions {
  store: RollupStore;
  logger: Logger;
  /** how often dirty minutes are rolled up (default 30 s) */
  intervalMs?: number;
  /** a minute is rolled up once no reading touched it for this long (default 60 s), so it is usually complete */
  settleMs?: number;
  /** at start, minutes this far back are recomputed: dirty marks of a killed process are gone (default 15 min) */
  startupLookbackMs?: number;
  rawRetentionMs?: number;
  rollupRetentionMs?: number;
  /** how often retention runs (default 1 h; also once at start) */
  retentionEveryMs?: number;
  clock?: () => number;
}

export interface RollupJob {
  /** a durable reading: its minute needs (re)computing */
  markDirty(reading: Reading): void;
  /** rolls up the settled dirty minutes now; resolves with rows written */
  runOnce(options?: { all?: boolean }): Promise<number>;
  applyRetention(): Promise<void>;
  stop(): Promise<void>;
}

const minuteOf = (ts: number): number => ts - (((ts % ROLLUP_MS) + ROLLUP_MS) % ROLLUP_MS);

/**
 * The center computes the 1-minute rollups itself (no continuous queries or tasks, so
 * it works on InfluxDB 1.x, 2.x, 3.x and the embedded store alike). Readings mark
 * their event-time minute dirty; a dirty minute is recomputed from the raw readings
 * once settled, overwriting the previous rollup, so late and re-sent readings are
 * folded in. A failed run keeps its minutes dirty and is retried on the next tick.
 */
export function createRollupJob(options: RollupJobOptions): RollupJob {
  const { store } = options;
  const log = options.logger.child({ module: 'rollup-job' });
  const clock = options.clock ?? Date.now;
  const settleMs = options.settleMs ?? 60_000;
  const rawRetentionMs = options.rawRetentionMs ?? DEFAULT_RAW_RETENTION_MS;
  const rollupRetentionMs = options.rollupRetentionMs ?? DEFAULT_ROLLUP_RETENTION_MS;
  // domain → minute start → wall-clock time of the last reading that touched it
  const dirty: Record<Domain, Map<number, number>> = { traffic: new Map(), flood: new Map(), air: new Map() };
  let running: Promise<number> | null = null;

  const now0 = clock();
  const lookback = options.startupLookbackMs ?? 15 * 60_000;
  for (const d of DOMAINS) for (let m = minuteOf(now0 - lookback); m <= minuteOf(now0); m += ROLLUP_MS) dirty[d].set(m, now0);

  const runOnce = (opts: { all?: boolean } = {}): Promise<number> => {
    if (running) return running;
    running = (async () => {
      let rows = 0;
      const now = clock();
      for (const d of DOMAINS) {
        const ready = [...dirty[d].entries()].filter(([, at]) => opts.all || now - at >= settleMs).map(([m]) => m).sort((a, b) => a - b);
        if (ready.length === 0) continue;
        // Contiguous runs of minutes become one range query each.
        let start = ready[0]!;
        let prev = start;
        const ranges: Array<[number, number]> = [];
        for (const m of ready.slice(1)) {
          if (m !== prev + ROLLUP_MS) {
            ranges.push([start, prev + ROLLUP_MS]);
            start = m;
          }
          prev = m;
        }
        ranges.push([start, prev + ROLLUP_MS]);
        for (const [from, to] of ranges) {
          const marks = new Map<number, number>();
          for (let m = from; m < to; m += ROLLUP_MS) marks.set(m, dirty[d].get(m)!);
          try {
            rows += await store.rollup(d, from, to);
            // Only minutes not touched again meanwhile are done.
            for (const [m, at] of marks) if (dirty[d].get(m) === at) dirty[d].delete(m);
          } catch (err) {
            log.warn({ err, domain: d, from, to }, 'rollup failed; the minutes stay dirty and are retried');
          }
        }
      }
      return rows;
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const applyRetention = async (): Promise<void> => {
    const now = clock();
    try {
      await store.applyRetention({ rawBefore: now - rawRetentionMs, rollupBefore: now - rollupRetentionMs });
    } catch (err) {
      log.warn({ err }, 'applying retention failed; retried at the next run');
    }
  };

  const tick = setInterval(() => void runOnce(), options.intervalMs ?? 30_000);
  tick.unref();
  const retentionTick = setInterval(() => void applyRetention(), options.retentionEveryMs ?? 3_600_000);
  retentionTick.unref();
  const first = setTimeout(() => void applyRetention(), 1000);
  first.unref();

  return {
    markDirty(r) {
      dirty[r.domain].set(minuteOf(r.ts), clock());
    },
    runOnce,
    applyRetention,
    async stop() {
      clearInterval(tick);
      clearInterval(retentionTick);
      clearTimeout(first);
      await running;
    },
  };
}
