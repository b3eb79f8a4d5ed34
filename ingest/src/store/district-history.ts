import type { Domain, ReadingField } from '@cityops/contracts';
import { invalidQueryError } from '../errors.ts';

/** A district aggregate: per bucket, the mean of each field over every reading of the district's sensors. */
export interface DistrictHistoryQuery {
  domain: Domain;
  district: string;
  from: number;
  to: number;
  /** bucket width in ms (required: a district series is always an aggregate) */
  everyMs: number;
}

export interface DistrictHistorySeries extends DistrictHistoryQuery {
  /** ascending; ts = bucket start aligned to the epoch; empty buckets omitted */
  points: Array<{ ts: number; fields: Partial<Record<ReadingField, number>> }>;
}

export interface DistrictHistoryStore {
  districtHistory(query: DistrictHistoryQuery): Promise<DistrictHistorySeries>;
}

export function isDistrictHistoryStore(store: unknown): store is DistrictHistoryStore {
  return typeof (store as Partial<DistrictHistoryStore> | null)?.districtHistory === 'function';
}

export function checkDistrictQuery(q: DistrictHistoryQuery): void {
  if (!Number.isFinite(q.from) || !Number.isFinite(q.to) || q.to < q.from) throw invalidQueryError(`need finite from <= to; got from=${q.from} to=${q.to}`);
  if (!(Number.isInteger(q.everyMs) && q.everyMs > 0)) throw invalidQueryError(`everyMs must be a positive integer; got ${q.everyMs}`);
  if (typeof q.district !== 'string' || q.district === '') throw invalidQueryError('district must be a non-empty string');
}
