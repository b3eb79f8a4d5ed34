import { ALERT_STATES, isDomain, type AlertState, type Domain } from '@cityops/contracts';
import { dashboardError } from './errors.ts';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const EVERY_PATTERN = /^(\d{1,9})(ms|s|m|h|d)?$/;
const EPOCH_PATTERN = /^-?\d{1,16}$/;

/** An instant as ISO-8601 (with offset, or UTC when none) or epoch milliseconds. */
export function parseInstant(value: string, name: string): number {
  const trimmed = value.trim();
  const ms = EPOCH_PATTERN.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
  if (!Number.isFinite(ms)) throw dashboardError('CITYOPS_DASHBOARD_BAD_QUERY', `${name} must be ISO-8601 or epoch milliseconds`);
  return ms;
}

/** A bucket width: `30s`, `5m`, `1h`, `1d`, `500ms` or plain milliseconds. */
export function parseEvery(value: string): number {
  const match = EVERY_PATTERN.exec(value.trim());
  const unit = (match?.[2] ?? 'ms') as keyof typeof UNIT_MS;
  const ms = match?.[1] === undefined ? Number.NaN : Number(match[1]) * UNIT_MS[unit];
  if (!Number.isFinite(ms) || ms < 1000) {
    throw dashboardError('CITYOPS_DASHBOARD_BAD_QUERY', 'every must be a duration of at least 1s, like 1m, 5m or 1h');
  }
  return ms;
}

export const HISTORY_DEFAULT_RANGE_MS = 24 * 3_600_000;
export const HISTORY_MAX_RANGE_MS = 366 * 86_400_000;
export const HISTORY_MAX_BUCKETS = 10_000;

export interface HistoryWindow {
  from: number;
  to: number;
  everyMs?: number;
}

export function parseHistoryWindow(query: { from?: string; to?: string; every?: string }, now: number): HistoryWindow {
  const to = query.to === undefined ? now : parseInstant(query.to, 'to');
  const from = query.from === undefined ? to - HISTORY_DEFAULT_RANGE_MS : parseInstant(query.from, 'from');
  if (from >= to) throw dashboardError('CITYOPS_DASHBOARD_BAD_QUERY', 'from must be before to');
  if (to - from > HISTORY_MAX_RANGE_MS) throw dashboardError('CITYOPS_DASHBOARD_BAD_QUERY', 'the range may span at most 366 days');
  if (query.every === undefined) return { from, to };
  const everyMs = parseEvery(query.every);
  if ((to - from) / everyMs > HISTORY_MAX_BUCKETS) {
    throw dashboardError('CITYOPS_DASHBOARD_BAD_QUERY', `every is too small for this range (at most ${HISTORY_MAX_BUCKETS} buckets)`);
  }
  return { from, to, everyMs };
}

export function parseAlertStates(value: string): AlertState[] {
  const states = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const valid = (s: string): s is AlertState => (ALERT_STATES as readonly string[]).includes(s);
  if (states.length === 0 || !states.every(valid)) {
    throw dashboardError('CITYOPS_DASHBOARD_BAD_QUERY', `state must be a comma list of ${ALERT_STATES.join(', ')}`);
  }
  return [...new Set(states as AlertState[])];
}

export function parseDomain(value: string): Domain {
  if (!isDomain(value)) throw dashboardError('CITYOPS_DASHBOARD_BAD_QUERY', 'domain must be traffic, flood or air');
  return value;
}
