import { describe, expect, it } from 'vitest';
import { categoryOf, US_AQI_CATEGORIES } from './aqi-category.ts';
import { ppbToUgm3, ugm3ToPpb, ugm3ToPpm } from './gas-units.ts';
import { US_AQI_BREAKPOINTS, usCurrentAqi, usSubIndex, type UsAqiParameter } from './us-aqi.ts';

const hours = (c1: number, rest = c1, n = 24): number[] => [c1, ...Array<number>(n - 1).fill(rest)];

describe('US AQI sub-index (May 2024 breakpoints)', () => {
  const parameters = Object.keys(US_AQI_BREAKPOINTS) as UsAqiParameter[];

  it.each(parameters)('%s: every row’s low and high breakpoint give its low and high index', (p) => {
    for (const row of US_AQI_BREAKPOINTS[p]) {
      expect(usSubIndex(p, row.lo)).toBe(row.iLo);
      expect(usSubIndex(p, row.hi)).toBe(row.iHi);
    }
  });

  it('PM2.5: Good ends at 9.0; 9.05 truncates to 9.0; each category starts at its breakpoint', () => {
    expect(usSubIndex('pm25_24h', 9.0)).toBe(50);
    expect(usSubIndex('pm25_24h', 9.05)).toBe(50);
    expect(usSubIndex('pm25_24h', 9.1)).toBe(51);
    expect(usSubIndex('pm25_24h', 35.49)).toBe(100);
    expect(usSubIndex('pm25_24h', 35.5)).toBe(101);
    expect(usSubIndex('pm25_24h', 55.4)).toBe(150);
    expect(usSubIndex('pm25_24h', 55.5)).toBe(151);
    expect(usSubIndex('pm25_24h', 125.4)).toBe(200);
    expect(usSubIndex('pm25_24h', 125.5)).toBe(201);
    expect(usSubIndex('pm25_24h', 225.4)).toBe(300);
    expect(usSubIndex('pm25_24h', 225.5)).toBe(301);
  });

  it('PM2.5 by hand: 12.0 → 56; 35.9 → 102; 400 → 649 (beyond the AQI, still Hazardous)', () => {
    expect(usSubIndex('pm25_24h', 12.0)).toBe(56); // 49/26.3 × 2.9 + 51 = 56.4
    expect(usSubIndex('pm25_24h', 35.9)).toBe(102); // 49/19.9 × 0.4 + 101 = 101.98
    expect(usSubIndex('pm25_24h', 400)).toBe(649); // 199/99.9 × 174.5 + 301 = 648.6
    expect(categoryOf(US_AQI_CATEGORIES, 649).key).toBe('hazardous');
  });

  it('PM10 truncates to integers: 54.9 → 50, 55 → 51, 154.9 → 100, 155 → 101', () => {
    expect(usSubIndex('pm10_24h', 54.9)).toBe(50);
    expect(usSubIndex('pm10_24h', 55)).toBe(51);
    expect(usSubIndex('pm10_24h', 154.9)).toBe(100);
    expect(usSubIndex('pm10_24h', 155)).toBe(101);
  });

  it('O3: 8-hour 0.078 ppm → 126; 8-hour above 0.200 undefined; 1-hour below 0.125 undefined', () => {
    expect(usSubIndex('o3_8h', 0.078)).toBe(126); // 49/0.014 × 0.007 + 101 = 125.5
    expect(usSubIndex('o3_8h', 0.0549)).toBe(50);
    expect(usSubIndex('o3_8h', 0.055)).toBe(51);
    expect(usSubIndex('o3_8h', 0.201)).toBeNull();
    expect(usSubIndex('o3_1h', 0.124)).toBeNull();
    expect(usSubIndex('o3_1h', 0.125)).toBe(101);
  });

  it('CO, SO2, NO2 around their first boundaries', () => {
    expect(usSubIndex('co_8h', 4.45)).toBe(50);
    expect(usSubIndex('co_8h', 4.5)).toBe(51);
    expect(usSubIndex('so2_1h', 35.9)).toBe(50);
    expect(usSubIndex('so2_1h', 36)).toBe(51);
    expect(usSubIndex('so2_1h', 305)).toBeNull(); // 1-hour SO2 does not define AQI ≥ 200
    expect(usSubIndex('no2_1h', 53.9)).toBe(50);
    expect(usSubIndex('no2_1h', 54)).toBe(51);
    expect(usSubIndex('no2_1h', 212)).toBe(122); // 49/259 × 111 + 101 = 122.0
  });

  it('six categories with the EPA names and colours', () => {
    expect(US_AQI_CATEGORIES.map((c) => [c.min, c.name.en, c.hex])).toEqual([
      [0, 'Good', '#00E400'],
      [51, 'Moderate', '#FFFF00'],
      [101, 'Unhealthy for Sensitive Groups', '#FF7E00'],
      [151, 'Unhealthy', '#FF0000'],
      [201, 'Very Unhealthy', '#8F3F97'],
      [301, 'Hazardous', '#7E0023'],
    ]);
  });
});

/*
 * Worked examples published with the EPA's Technical Assistance Document (TAD).
 *
 * Where they come from: the 2024 TAD's section "Using the table and the equation and concentration
 * data to calculate the AQI" (EPA-454/B-24-002, §IV, p. 15 by its contents) could not be read here —
 * the stored copy (nepis.epa.gov/Exe/ZyPURL.cgi?Dockey=P101AP0Q.txt) showed only its opening pages.
 * The values below are the TAD examples as quoted by the CRAN package con2aqi, whose manual cites
 * the May 2016 TAD (EPA-454/B-16-002) as its method (https://rdrr.io/cran/con2aqi/man/con2aqi.html,
 * "Examples"):
 *   con2aqi("o3", 0.078, "8h") #126 · con2aqi("pm25", 35.9) #102 · con2aqi("co", 8.4) #90
 * The three table rows they use (8-h O3 0.071–0.085, PM2.5 35.5–55.4, CO 4.5–9.4) are unchanged
 * by the May 2024 revision, so the 2024 tables must give the same indices.
 * Rounding rules (AirNow, "The AQI Equation (2024 – Valid Beginning May 6th, 2024)",
 * forum.airnowtech.org/t/the-aqi-equation-2024-valid-beginning-may-6th-2024/453): averages are
 * truncated to 0.001 ppm for O3, 0.1 µg/m³ for PM2.5, 1 µg/m³ for PM10; the AQI is rounded to
 * the nearest integer.
 * (con2aqi also lists con2aqi("o3", 0.162, "1h") #148. The equation on the 1-hour row 0.125–0.164
 * gives 49/0.039 × 0.037 + 101 = 147.49 → 147, and the TAD text could not be checked, so that
 * value is not asserted as an official example.)
 */
describe('US AQI: the TAD worked examples', () => {
  it('8-hour O3 0.078 ppm → 126 (49/0.014 × 0.007 + 101 = 125.5 → 126); an unrounded 0.07853 truncates to 0.078', () => {
    expect(usSubIndex('o3_8h', 0.078)).toBe(126);
    expect(usSubIndex('o3_8h', 0.07853)).toBe(126);
  });

  it('PM2.5 35.9 µg/m³ → 102 (49/19.9 × 0.4 + 101 = 101.98)', () => {
    expect(usSubIndex('pm25_24h', 35.9)).toBe(102);
    expect(usSubIndex('pm25_24h', 35.99)).toBe(102); // truncated to 35.9 first, never rounded up to 36.0
  });

  it('CO 8.4 ppm → 90 (49/4.9 × 3.9 + 51 = 90.0)', () => {
    expect(usSubIndex('co_8h', 8.4)).toBe(90);
  });

  it('together: the AQI is the highest sub-index (126, ozone) and names its pollutant', () => {
    const o3 = ppbToUgm3('o3', 78);
    const co = ppbToUgm3('co', 8400);
    const result = usCurrentAqi({ o3: hours(o3, o3, 8), pm25: hours(35.9, 35.9, 12), co: hours(co, co, 8) });
    expect(result!.subIndices).toEqual({ o3: 126, pm25: 102, co: 90 });
    expect(result!.value).toBe(126);
    expect(result!.dominant).toBe('o3');
  });
});

describe('gas conversion at 25 °C (24.45 L/mol)', () => {
  it('µg/m³ → ppb/ppm by molar mass', () => {
    expect(ugm3ToPpb('no2', 100)).toBeCloseTo(53.146, 3);
    expect(ugm3ToPpb('so2', 100)).toBeCloseTo(38.164, 3);
    expect(ugm3ToPpm('o3', 1000)).toBeCloseTo(0.50941, 5);
    expect(ugm3ToPpm('co', 1145.6)).toBeCloseTo(1.0, 3);
    expect(ppbToUgm3('no2', ugm3ToPpb('no2', 77))).toBeCloseTo(77, 9);
  });

  it('a NO2 boundary crossed through the conversion: 101 µg/m³ → 53 ppb → 50; 102 µg/m³ → 54 ppb → 51', () => {
    expect(usCurrentAqi({ no2: [101] })!.value).toBe(50);
    expect(usCurrentAqi({ no2: [102] })!.value).toBe(51);
  });
});

describe('current US AQI', () => {
  it('PM2.5 NowCast, gases converted; the maximum wins and names its pollutant', () => {
    const pm = usCurrentAqi({ pm25: hours(12, 12, 12) });
    expect(pm!.value).toBe(56);
    expect(pm!.dominant).toBe('pm25');
    const both = usCurrentAqi({ pm25: hours(12, 12, 12), no2: [400] }); // 400 µg/m³ = 212.6 ppb → 212 → 122
    expect(both!.value).toBe(122);
    expect(both!.dominant).toBe('no2');
    expect(both!.category.key).toBe('unhealthy-for-sensitive-groups');
  });

  it('O3 uses the 8-hour mean (6 of 8 hours) and the 1-hour mean only from 0.125 ppm', () => {
    const o3ug = (ppm: number) => ppbToUgm3('o3', ppm * 1000);
    expect(usCurrentAqi({ o3: hours(o3ug(0.0785), o3ug(0.0785), 8) })!.value).toBe(126);
    expect(usCurrentAqi({ o3: [o3ug(0.0785), null, null, null] })).toBeNull();
    expect(usCurrentAqi({ o3: [o3ug(0.1255), null, null] })!.value).toBe(101);
  });

  it('SO2 ≥ 305 ppb in the hour: the 24-hour mean decides (200 when it is below 305 ppb)', () => {
    const ug = ppbToUgm3('so2', 343.5);
    expect(usCurrentAqi({ so2: hours(ug) })!.value).toBe(214); // 99/299 × 38 + 201 = 213.6
    expect(usCurrentAqi({ so2: hours(ug, ppbToUgm3('so2', 40)) })!.value).toBe(200);
    expect(usCurrentAqi({ so2: [ug] })).toBeNull();
  });

  it('no data → null', () => {
    expect(usCurrentAqi({})).toBeNull();
    expect(usCurrentAqi({ pm25: [null, null, 20] })).toBeNull();
  });
});
