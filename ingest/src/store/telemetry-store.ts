import type { Domain, Reading, ReadingField } from '@cityops/contracts';

/**
 * A history window is half-open, `from <= ts < to` (as Flux `range()` is), so
 * consecutive windows never count a reading twice.
 */
export interface HistoryQuery {
  sensorId: string;
  domain: Domain;
  from: number;
  to: number;
  /** bucket width in ms; absent = raw readings */
  everyMs?: number;
}

export interface HistoryPoint {
  /** reading ts, or bucket start aligned to the epoch (ts - ts % everyMs) */
  ts: number;
  /** fields present in the reading; for buckets the mean of each field that had values */
  fields: Partial<Record<ReadingField, number>>;
}

export interface HistorySeries {
  sensorId: string;
  domain: Domain;
  from: number;
  to: number;
  everyMs: number | null;
  /** ascending by ts; buckets without readings are omitted */
  points: HistoryPoint[];
}

/** The storage port. Every adapter passes describeTelemetryStoreContract. */
export interface TelemetryStore {
  /** Durable when it resolves; the same (domain, sensorId, ts) overwrites the earlier reading. */
  write(readings: readonly Reading[]): Promise<void>;
  history(query: HistoryQuery): Promise<HistorySeries>;
  /** The latest reading (by ts) of every sensor that has one. */
  latest(): Promise<Reading[]>;
  count(filter?: { sensorId?: string }): Promise<number>;
  close(): Promise<void>;
}
