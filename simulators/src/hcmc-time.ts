/**
 * Ho Chi Minh City local time: Asia/Ho_Chi_Minh is UTC+7 all year (no DST),
 * so a fixed offset is exact and needs no time-zone database.
 */
export const HCMC_UTC_OFFSET_MS = 7 * 60 * 60 * 1000;

export interface LocalTime {
  /** Hour of day as a fraction, 0 ≤ hour < 24. */
  hour: number;
  /** 0 = Sunday … 6 = Saturday. */
  dayOfWeek: number;
  /** 1 … 12. */
  month: number;
  weekend: boolean;
}

export function hcmcLocalTime(tMs: number): LocalTime {
  const d = new Date(tMs + HCMC_UTC_OFFSET_MS);
  const hour = d.getUTCHours() + d.getUTCMinutes() / 60 + d.getUTCSeconds() / 3600 + d.getUTCMilliseconds() / 3_600_000;
  const dayOfWeek = d.getUTCDay();
  return { hour, dayOfWeek, month: d.getUTCMonth() + 1, weekend: dayOfWeek === 0 || dayOfWeek === 6 };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** ISO-8601 in HCMC local time with its offset, e.g. `2026-11-24T08:00:05.120+07:00`. */
export function formatHcmcTimestamp(tMs: number): string {
  const d = new Date(Math.round(tMs) + HCMC_UTC_OFFSET_MS);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+07:00`
  );
}

/** Linear interpolation in a 24-entry hourly table, wrapping at midnight. */
export function hourlyProfile(table: readonly number[], hour: number): number {
  const h0 = Math.floor(hour) % 24;
  const h1 = (h0 + 1) % 24;
  const f = hour - Math.floor(hour);
  const a = table[h0] ?? 1;
  const b = table[h1] ?? 1;
  return a + (b - a) * f;
}
