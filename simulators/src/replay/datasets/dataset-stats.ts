export interface DatasetStats {
  rows: number;
  /** Rows turned into readings. */
  valid: number;
  /** Rows skipped, by reason (e.g. `qc_invalid`, `missing_value`, `bad_date`). */
  skipped: Record<string, number>;
  /** Single out-of-range values (drifting gas sensors) left out of an otherwise valid reading. */
  fieldsDropped: number;
}

export const emptyStats = (): DatasetStats => ({ rows: 0, valid: 0, skipped: {}, fieldsDropped: 0 });

export const skip = (stats: DatasetStats, reason: string): void => {
  stats.skipped[reason] = (stats.skipped[reason] ?? 0) + 1;
};

export const skippedTotal = (stats: DatasetStats): number => Object.values(stats.skipped).reduce((a, b) => a + b, 0);

/**
 * Neither dataset measures PM10, which the air reading contract requires. We
 * estimate it from PM2.5 with a typical urban PM2.5/PM10 ratio and say so in
 * the payload (`pm10Estimated: true`, an extra field the center keeps out of
 * storage) so nobody mistakes it for a measurement.
 */
export const PM25_TO_PM10_RATIO = 0.65;

export const round = (value: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};
