import { isDomain } from '@cityops/contracts';
import { invalidQueryError } from '../errors.ts';
import type { HistoryQuery, HistorySeries, TimeWindow } from './telemetry-store.ts';

/**
 * Every store refuses the same malformed history queries with the same
 * errors; returns the empty series the store then fills.
 */
export function checkHistoryQuery(query: HistoryQuery): HistorySeries {
  const { sensorId, domain, from, to, everyMs } = query;
  if (!isDomain(domain)) throw invalidQueryError(`unknown domain ${JSON.stringify(domain)}`);
  if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) {
    throw invalidQueryError(`need finite from <= to; got from=${from} to=${to}`);
  }
  if (everyMs !== undefined && !(Number.isInteger(everyMs) && everyMs > 0)) {
    throw invalidQueryError(`everyMs must be a positive integer; got ${everyMs}`);
  }
  return { sensorId, domain, from, to, everyMs: everyMs ?? null, points: [] };
}

/** The same check for a latestIn() window. */
export function checkTimeWindow({ from, to }: TimeWindow): void {
  if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) {
    throw invalidQueryError(`need finite from <= to; got from=${from} to=${to}`);
  }
}
