import type { Domain, ReadingField } from '@cityops/contracts';

/** contracts §8: rollups are 1-minute aggregates in `<domain>_1m` with `<field>_min|_mean|_max|_count`. */
export const ROLLUP_MS = 60_000;
export const ROLLUP_STATS = ['min', 'mean', 'max', 'count'] as const;
export type RollupStat = (typeof ROLLUP_STATS)[number];
export const rollupMeasurement = (domain: Domain): string => `${domain}_1m`;
export const rollupField = (field: ReadingField, stat: RollupStat): string => `${field}_${stat}`;

/**
 * History queries spanning more than this read the rollups instead of raw readings
 * (when everyMs is a whole number of minutes): a month of one sensor is 43,200 rollup
 * rows instead of up to millions of raw ones, and rollups outlive raw retention.
 */
export const DEFAULT_ROLLUP_HISTORY_MIN_RANGE_MS = 7 * 24 * 3_600_000;

export const DEFAULT_RAW_RETENTION_MS = 30 * 24 * 3_600_000;
export const DEFAULT_ROLLUP_RETENTION_MS = 730 * 24 * 3_600_000;

/** What the rollup job needs from a store besides the TelemetryStore port. */
export interface RollupStore {
  /** Recomputes the rollups of minute-aligned [from, to) from the raw readings (overwriting); returns rows written. */
  rollup(domain: Domain, from: number, to: number): Promise<number>;
  /** Deletes raw readings with ts < rawBefore and rollups with ts < rollupBefore. */
  applyRetention(cutoffs: { rawBefore: number; rollupBefore: number }): Promise<void>;
}

export function isRollupStore(store: unknown): store is RollupStore {
  const s = store as Partial<RollupStore> | null;
  return typeof s?.rollup === 'function' && typeof s.applyRetention === 'function';
}

/** Whether a history query should be answered from rollups. */
export const useRollups = (from: number, to: number, everyMs: number | undefined, minRangeMs: number): boolean =>
  everyMs !== undefined && everyMs % ROLLUP_MS === 0 && to - from > minRangeMs;
