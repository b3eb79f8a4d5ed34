import { describe, expect, it } from 'vitest';
import { VN_AQI_CATEGORIES, categoryOf } from './aqi-category.ts';
import { VN_AQI_BREAKPOINTS, VN_AQI_INDEX, maxEightHourMean, vnDailyAqi, vnHourlyAqi, vnSubIndex, type VnAqiParameter } from './vn-aqi.ts';

const twelve = (c1: number, rest = c1): number[] => [c1, ...Array<number>(11).fill(rest)];
const day = (value: number, hours = 24): Array<number | null> => Array.from({ length: 24 }, (_, i) => (i < hours ? value : null));

/*
 * Official worked examples: none are asserted here. Decision 1459/QĐ-TCMT (12 Nov 2019) gives the
 * formulas (NowCast weights, Σ(½)^i·c_i when w ≤ ½, the sub-index interpolation) and Tables 1–3,
 * and — as far as the copies reachable here show (thuvienphapluat.vn and cem.gov.vn, only the
 * decision's opening pages) — no numerical example; we found no public quotation of one either.
 * So every value in this file is computed by hand from Table 2; the EPA's NowCast example, which
 * the decision's PM method follows, is checked in nowcast.test.ts for the 'vn' variant too.
 */
describe('VN_AQI sub-index (Decision 1459/QĐ-TCMT, Table 2)', () => {
  const parameters = Object.keys(VN_AQI_BREAKPOINTS) as VnAqiParameter[];

  it.each(parameters)('%s: every breakpoint BP_i gives exactly I_i, every midpoint the mid index', (p) => {
    const bps = VN_AQI_BREAKPOINTS[p];
    bps.forEach((bp, i) => expect(vnSubIndex(p, bp)).toBe(VN_AQI_INDEX[i]));
    for (let i = 0; i + 1 < bps.length; i++) {
      expect(vnSubIndex(p, (bps[i]! + bps[i + 1]!) / 2)).toBe((VN_AQI_INDEX[i]! + VN_AQI_INDEX[i + 1]!) / 2);
    }
  });

  it.each(parameters)('%s: just above a breakpoint stays within one index point (the scale is continuous)', (p) => {
    const bps = VN_AQI_BREAKPOINTS[p];
    for (let i = 1; i + 1 < bps.length; i++) {
      const above = vnSubIndex(p, bps[i]! + (bps[i + 1]! - bps[i]!) / 1000)!;
      const below = vnSubIndex(p, bps[i]! - (bps[i]! - bps[i - 1]!) / 1000)!;
      expect(above - VN_AQI_INDEX[i]!).toBeLessThanOrEqual(1);
      expect(VN_AQI_INDEX[i]! - below).toBeLessThanOrEqual(1);
    }
  });

  it('PM2.5 by hand: 25 → 50, 25.1 → 50.2 → 50 (Tốt), 25.25 → 50.5 → 51 (Trung bình), 51 → 101.7 → 102 (Kém)', () => {
    expect(vnSubIndex('pm25', 25)).toBe(50);
    expect(vnSubIndex('pm25', 25.1)).toBe(50);
    expect(vnSubIndex('pm25', 25.25)).toBe(51);
    expect(vnSubIndex('pm25', 50.1)).toBe(100);
    expect(vnSubIndex('pm25', 51)).toBe(102);
    expect(vnSubIndex('pm25', 60)).toBe(117); // 100 + 50/30 × 10 = 116.7
    expect(vnSubIndex('pm25', 0)).toBe(0);
  });

  it('PM10 100 µg/m³ → 75; CO 20,000 µg/m³ → 75; NO2 450 µg/m³ → 125; SO2 700 µg/m³ → 180', () => {
    expect(vnSubIndex('pm10', 100)).toBe(75);
    expect(vnSubIndex('co', 20_000)).toBe(75);
    expect(vnSubIndex('no2', 450)).toBe(125);
    expect(vnSubIndex('so2', 700)).toBe(180); // 150 + 50/250 × (700 − 550)
  });

  it('above the last breakpoint the index is 500; 8-hour O3 above 400 µg/m³ is undefined (the 1-hour value decides)', () => {
    expect(vnSubIndex('pm25', 500.1)).toBe(500);
    expect(vnSubIndex('pm25', 900)).toBe(500);
    expect(vnSubIndex('o3_8h', 400)).toBe(300);
    expect(vnSubIndex('o3_8h', 401)).toBeNull();
  });

  it('missing or invalid concentrations give no sub-index', () => {
    expect(vnSubIndex('pm25', null)).toBeNull();
    expect(vnSubIndex('pm25', undefined)).toBeNull();
    expect(vnSubIndex('pm25', Number.NaN)).toBeNull();
    expect(vnSubIndex('pm25', -1)).toBeNull();
  });
});

describe('VN_AQI categories (Table 1)', () => {
  it('six bands with the official names and RGB colours', () => {
    expect(VN_AQI_CATEGORIES.map((c) => [c.min, c.name.vi, c.rgb.join(';'), c.hex])).toEqual([
      [0, 'Tốt', '0;228;0', '#00E400'],
      [51, 'Trung bình', '255;255;0', '#FFFF00'],
      [101, 'Kém', '255;126;0', '#FF7E00'],
      [151, 'Xấu', '255;0;0', '#FF0000'],
      [201, 'Rất xấu', '143;63;151', '#8F3F97'],
      [301, 'Nguy hại', '126;0;35', '#7E0023'],
    ]);
  });

  it.each([
    [0, 'good'], [50, 'good'], [51, 'moderate'], [100, 'moderate'], [101, 'poor'], [150, 'poor'],
    [151, 'bad'], [200, 'bad'], [201, 'very-bad'], [300, 'very-bad'], [301, 'hazardous'], [500, 'hazardous'],
  ])('AQI %i is %s', (value, key) => {
    expect(categoryOf(VN_AQI_CATEGORIES, value).key).toBe(key);
  });
});

describe('hourly VN_AQI', () => {
  it('is the maximum sub-index, with its dominant pollutant and category', () => {
    const result = vnHourlyAqi({ pm25: twelve(30), pm10: twelve(100), o3: 250, co: 5000, so2: 50, no2: 40 });
    expect(result).not.toBeNull();
    expect(result!.subIndices).toEqual({ pm25: 60, pm10: 75, o3: 125, co: 25, so2: 20, no2: 20 });
    expect(result!.value).toBe(125);
    expect(result!.dominant).toBe('o3');
    expect(result!.category.name).toEqual({ vi: 'Kém', en: 'Poor' });
  });

  it('uses the NowCast of the last 12 hours for PM, not the latest hour', () => {
    // c1 = 40, c2..c12 = 10 → w = ½ → Σ (½)^i c_i = 20 + 10 × (½ − ½^12) = 24.998 → 50
    const result = vnHourlyAqi({ pm25: twelve(40, 10) });
    expect(result!.value).toBe(50);
    expect(result!.category.key).toBe('good');
  });

  it('requires PM10 or PM2.5: gases alone give no VN_AQI', () => {
    expect(vnHourlyAqi({ o3: 250, no2: 500 })).toBeNull();
    expect(vnHourlyAqi({ pm25: [null, null, 30, 30], o3: 250 })).toBeNull(); // no NowCast: 1 of the 3 latest hours
    expect(vnHourlyAqi({ pm10: [null, 100, 100], o3: 250 })!.dominant).toBe('o3');
  });

  it('ties go to PM2.5 first, deterministically', () => {
    expect(vnHourlyAqi({ pm25: twelve(25), pm10: twelve(50) })!.dominant).toBe('pm25');
  });
});

describe('daily VN_AQI', () => {
  it('PM from the 24-hour mean (at least 18 of 24 hours)', () => {
    expect(vnDailyAqi({ pm25: day(60) })!.value).toBe(117);
    expect(vnDailyAqi({ pm25: day(60, 18) })!.value).toBe(117);
    expect(vnDailyAqi({ pm25: day(60, 17) })).toBeNull();
  });

  it('O3: the larger of the max 1-hour and the max 8-hour sub-index', () => {
    const o3 = Array.from({ length: 24 }, (_, i) => (i >= 10 && i < 18 ? 150 : 50));
    expect(maxEightHourMean(o3)).toBe(150);
    // 1 h max 150 → 47; 8 h max 150 → 100 + 50/50 × 30 = 130
    const result = vnDailyAqi({ pm25: day(20), o3 });
    expect(result!.subIndices.o3).toBe(130);
    expect(result!.dominant).toBe('o3');
  });

  it('CO, SO2, NO2 from the day’s maximum 1-hour mean', () => {
    const no2 = day(50).map((v, i) => (i === 7 ? 450 : v));
    expect(vnDailyAqi({ pm10: day(40), no2 })!.subIndices.no2).toBe(125);
  });
});
