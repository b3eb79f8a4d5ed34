import { describe, expect, it } from 'vitest';
import { createAirQualityTracker } from './air-quality-tracker.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 8, 15, 0, 0, 0);

describe('air quality tracker', () => {
  it('buckets readings into hourly means by event time and reports both indices', () => {
    const t = createAirQualityTracker();
    t.add('air-1', T0 + 10 * 60_000, { pm25: 20, pm10: 40 });
    const aqi = t.add('air-1', T0 + 20 * 60_000, { pm25: 40, pm10: 60 });
    expect(t.series('air-1', 'pm25').slice(0, 2)).toEqual([30, null]);
    expect(aqi.hour).toBe(T0);
    // NowCast of a single hour is not defined (2 of the 3 latest hours needed) → no index yet
    expect(aqi.vn).toBeNull();
    expect(aqi.us).toBeNull();
    const next = t.add('air-1', T0 + HOUR + 60_000, { pm25: 30, pm10: 50 });
    expect(next.vn).toEqual({
      value: 60,
      category: { key: 'moderate', level: 2, name: { vi: 'Trung bình', en: 'Moderate' }, hex: '#FFFF00' },
      color: '#FFFF00',
      dominant: 'pm25',
      subIndices: { pm25: 60, pm10: 50 },
    });
    // US: NowCast 30 µg/m³ → 49/26.3 × 20.9 + 51 = 89.9 → 90; PM10 50 → 46
    expect(next.us).toMatchObject({ value: 90, color: '#FFFF00', dominant: 'pm25', subIndices: { pm25: 90, pm10: 46 } });
  });

  it('late and out-of-order readings give the same index as in-order ones', () => {
    const readings = Array.from({ length: 40 }, (_, i) => ({ ts: T0 + i * 17 * 60_000, pm25: 10 + ((i * 37) % 50), pm10: 30 + ((i * 11) % 40), no2: 80 + i }));
    const inOrder = createAirQualityTracker();
    for (const r of readings) inOrder.add('air-1', r.ts, r);
    const shuffled = createAirQualityTracker();
    for (const r of [...readings].reverse()) shuffled.add('air-1', r.ts, r);
    expect(shuffled.current('air-1')).toEqual(inOrder.current('air-1'));
    expect(inOrder.current('air-1')!.vn).not.toBeNull();
  });

  it('forgets hours older than 24 h and ignores readings that old', () => {
    const t = createAirQualityTracker();
    t.add('air-1', T0, { pm25: 500 });
    t.add('air-1', T0 + 30 * HOUR, { pm25: 10 });
    t.add('air-1', T0 + 29 * HOUR, { pm25: 10 });
    t.add('air-1', T0 + 1 * HOUR, { pm25: 900 }); // 29 h late: outside the window
    expect(t.series('air-1', 'pm25').filter((v) => v !== null)).toEqual([10, 10]);
    expect(t.current('air-1')!.vn!.value).toBe(20);
    expect(t.current('nope')).toBeUndefined();
  });

  it('seeded hourly means (after a restart) give an index at once and do not overwrite live hours', () => {
    const t = createAirQualityTracker();
    t.seedHour('air-1', T0, { pm25: 30 });
    t.seedHour('air-1', T0 + HOUR, { pm25: 30 });
    expect(t.current('air-1')!.vn!.value).toBe(60);
    t.add('air-1', T0 + 2 * HOUR, { pm25: 30 });
    t.seedHour('air-1', T0 + 2 * HOUR, { pm25: 900 });
    expect(t.series('air-1', 'pm25').slice(0, 3)).toEqual([30, 30, 30]);
  });
});
