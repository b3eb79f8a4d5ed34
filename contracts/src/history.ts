import type { Domain } from './domains.ts';
import type { ReadingField } from './reading.ts';

/**
 * contracts §5 `GET /api/sensors/:id/history`, and what every telemetry
 * store answers. A window is half-open, `from <= ts < to` (as Flux `range()`
 * is), so consecutive windows never count a reading twice.
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
