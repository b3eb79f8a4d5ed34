import { describe, it, expect } from 'vitest';
import { formatHcmcTimestamp, hcmcLocalTime, hourlyProfile } from './hcmc-time.ts';

describe('HCMC local time', () => {
  it('formats ISO-8601 with the +07:00 offset and parses back to the same instant', () => {
    const t = Date.UTC(2026, 10, 24, 1, 2, 3, 45);
    const s = formatHcmcTimestamp(t);
    expect(s).toBe('2026-11-24T08:02:03.045+07:00');
    expect(Date.parse(s)).toBe(t);
  });

  it('rolls the date over at local midnight', () => {
    expect(formatHcmcTimestamp(Date.UTC(2026, 11, 31, 17, 0, 0))).toBe('2027-01-01T00:00:00.000+07:00');
  });

  it('reports the local hour, weekday and month', () => {
    // 2026-11-24 is a Tuesday; 23:30 UTC on the 23rd is 06:30 local on the 24th
    const local = hcmcLocalTime(Date.UTC(2026, 10, 23, 23, 30));
    expect(local.hour).toBeCloseTo(6.5, 6);
    expect(local.dayOfWeek).toBe(2);
    expect(local.weekend).toBe(false);
    expect(local.month).toBe(11);
    expect(hcmcLocalTime(Date.UTC(2026, 10, 28, 3)).weekend).toBe(true);
  });

  it('interpolates an hourly table and wraps at midnight', () => {
    const table = Array.from({ length: 24 }, (_, h) => h);
    expect(hourlyProfile(table, 7.5)).toBeCloseTo(7.5, 9);
    expect(hourlyProfile(table, 23.5)).toBeCloseTo(11.5, 9);
  });
});
