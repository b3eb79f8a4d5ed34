/**
 * `ts` of a reading (contracts §2): ISO-8601 with an offset, or epoch milliseconds.
 * Parsed by hand rather than with Date.parse, which silently rolls 2026-02-30 into
 * March and accepts offset-less strings as local time.
 */
export type TimestampResult = { ok: true; ms: number } | { ok: false; wrongType: boolean; detail: string };

// Anything below this is not a plausible epoch-milliseconds value (it is 1973-03-03);
// epoch seconds for the present day (~1.7e9) fall well under it.
const MIN_EPOCH_MS = 1e11;
const MAX_EPOCH_MS = 8.64e15; // the largest Date

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const s = value.length > 48 ? `${value.slice(0, 45)}...` : value;
    return JSON.stringify(s);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

const EXPECTED = 'ts must be ISO-8601 with an offset or epoch milliseconds';

export function parseTimestamp(value: unknown): TimestampResult {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, wrongType: false, detail: `ts must be finite; got ${value}` };
    if (value >= MIN_EPOCH_MS && value <= MAX_EPOCH_MS) return { ok: true, ms: Math.floor(value) };
    if (value >= 1e8 && value < MIN_EPOCH_MS) {
      return { ok: false, wrongType: false, detail: `${EXPECTED}; ${value} looks like epoch seconds` };
    }
    return { ok: false, wrongType: false, detail: `${EXPECTED}; ${value} is not a plausible epoch milliseconds value` };
  }
  if (typeof value !== 'string') {
    return { ok: false, wrongType: true, detail: `${EXPECTED}; got ${describeValue(value)}` };
  }
  const m = value.length <= 40 ? ISO.exec(value) : null;
  if (m === null) return { ok: false, wrongType: false, detail: `${EXPECTED}; cannot parse ${describeValue(value)}` };
  if (m[8] === undefined && m[9] === undefined) {
    return {
      ok: false,
      wrongType: false,
      detail: `${EXPECTED}; ${describeValue(value)} has no offset (add Z or e.g. +07:00)`,
    };
  }
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const offH = m[10] === undefined ? 0 : Number(m[10]);
  const offM = m[11] === undefined ? 0 : Number(m[11]);
  const dim = mo === 2 && isLeap(y) ? 29 : (DAYS_IN_MONTH[mo - 1] ?? 0);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > dim || h > 23 || mi > 59 || s > 59 || offH > 23 || offM > 59) {
    return { ok: false, wrongType: false, detail: `${EXPECTED}; ${describeValue(value)} is not a valid date-time (from 1970 on)` };
  }
  const sign = m[9] === '-' ? -1 : 1;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms) - sign * (offH * 60 + offM) * 60_000;
  return { ok: true, ms: utc };
}
