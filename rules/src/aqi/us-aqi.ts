import { combineSubIndices, US_AQI_CATEGORIES } from './aqi-category.ts';
import { hasValue, type AqiPollutant, type AqiResult, type HourlySeries, type PollutantHours } from './aqi-types.ts';
import { ugm3ToPpb, ugm3ToPpm } from './gas-units.ts';
import { meanIfComplete, nowcast } from './nowcast.ts';
import { interpolate, truncate, type Breakpoint } from './piecewise.ts';

const rows = (r: ReadonlyArray<readonly [number, number, number, number]>): Breakpoint[] =>
  r.map(([lo, hi, iLo, iHi]) => ({ lo, hi, iLo, iHi }));

/**
 * US EPA AQI breakpoints as revised in May 2024 (PM NAAQS final rule of
 * 2024-02-07; Technical Assistance Document EPA-454/B-24-002): PM2.5 "Good"
 * ends at 9.0 µg/m³ and each pollutant's two Hazardous bands are one, 301–500.
 * Units: PM µg/m³, O3 and CO ppm, SO2 and NO2 ppb.
 */
export const US_AQI_BREAKPOINTS = {
  pm25_24h: rows([[0.0, 9.0, 0, 50], [9.1, 35.4, 51, 100], [35.5, 55.4, 101, 150], [55.5, 125.4, 151, 200], [125.5, 225.4, 201, 300], [225.5, 325.4, 301, 500]]),
  pm10_24h: rows([[0, 54, 0, 50], [55, 154, 51, 100], [155, 254, 101, 150], [255, 354, 151, 200], [355, 424, 201, 300], [425, 604, 301, 500]]),
  o3_8h: rows([[0.0, 0.054, 0, 50], [0.055, 0.07, 51, 100], [0.071, 0.085, 101, 150], [0.086, 0.105, 151, 200], [0.106, 0.2, 201, 300]]),
  o3_1h: rows([[0.125, 0.164, 101, 150], [0.165, 0.204, 151, 200], [0.205, 0.404, 201, 300], [0.405, 0.604, 301, 500]]),
  co_8h: rows([[0.0, 4.4, 0, 50], [4.5, 9.4, 51, 100], [9.5, 12.4, 101, 150], [12.5, 15.4, 151, 200], [15.5, 30.4, 201, 300], [30.5, 50.4, 301, 500]]),
  so2_1h: rows([[0, 35, 0, 50], [36, 75, 51, 100], [76, 185, 101, 150], [186, 304, 151, 200]]),
  so2_24h: rows([[305, 604, 201, 300], [605, 1004, 301, 500]]),
  no2_1h: rows([[0, 53, 0, 50], [54, 100, 51, 100], [101, 360, 101, 150], [361, 649, 151, 200], [650, 1249, 201, 300], [1250, 2049, 301, 500]]),
} as const;
export type UsAqiParameter = keyof typeof US_AQI_BREAKPOINTS;

/** The TAD's truncation of each averaged concentration before the lookup. */
const DECIMALS: Record<UsAqiParameter, number> = { pm25_24h: 1, pm10_24h: 0, o3_8h: 3, o3_1h: 3, co_8h: 1, so2_1h: 0, so2_24h: 0, no2_1h: 0 };

/**
 * I_p = (I_Hi − I_Lo)/(BP_Hi − BP_Lo) × (C_p − BP_Lo) + I_Lo on the truncated
 * concentration, rounded to the nearest integer. Above the top breakpoint the
 * 301–500 line is continued (values over 500 are "beyond the AQI" and stay
 * Hazardous). Null below the first row of a table that does not start at 0
 * (1-hour O3 under 0.125 ppm, 24-hour SO2 under 305 ppb): that table does
 * not define the index there.
 */
export function usSubIndex(parameter: UsAqiParameter, concentration: number | null | undefined): number | null {
  if (!hasValue(concentration) || concentration < 0) return null;
  const table: readonly Breakpoint[] = US_AQI_BREAKPOINTS[parameter];
  const c = truncate(concentration, DECIMALS[parameter]);
  if (c < table[0]!.lo) return null;
  // 8-hour O3 above 0.200 ppm is not defined: the 1-hour value decides.
  const v = interpolate(table, c, parameter !== 'o3_8h' && parameter !== 'so2_1h');
  return v === null ? null : Math.round(v);
}

/**
 * Inputs for the current (hourly-reported) US AQI, all in µg/m³ as CityOps
 * sensors report them: hourly means, most recent first.
 */
export type UsCurrentInput = PollutantHours;

const first = (s: HourlySeries | undefined): number | null => {
  const v = s?.[0];
  return hasValue(v) ? v : null;
};

/**
 * The current US AQI as AirNow reports it hourly: PM2.5/PM10 NowCast; O3 the
 * larger of the 8-hour mean and (when ≥ 0.125 ppm) the 1-hour mean; CO the
 * 8-hour mean; NO2 the 1-hour mean; SO2 the 1-hour mean up to 304 ppb and the
 * 24-hour mean above (the TAD: 1-hour SO2 does not define AQI ≥ 200). Gases
 * are converted from µg/m³ at 25 °C.
 */
export function usCurrentAqi(input: UsCurrentInput): AqiResult | null {
  const sub: Partial<Record<AqiPollutant, number>> = {};
  const put = (p: AqiPollutant, v: number | null) => {
    if (v !== null) sub[p] = v;
  };
  if (input.pm25) put('pm25', usSubIndex('pm25_24h', nowcast(input.pm25, 'us')));
  if (input.pm10) put('pm10', usSubIndex('pm10_24h', nowcast(input.pm10, 'us')));
  if (input.o3) {
    const eight = meanIfComplete(input.o3.slice(0, 8), 6);
    const one = first(input.o3);
    const a = eight === null ? null : usSubIndex('o3_8h', ugm3ToPpm('o3', eight));
    const b = one === null ? null : usSubIndex('o3_1h', ugm3ToPpm('o3', one));
    const o3 = a === null ? b : b === null ? a : Math.max(a, b);
    put('o3', o3);
  }
  if (input.co) {
    const eight = meanIfComplete(input.co.slice(0, 8), 6);
    put('co', eight === null ? null : usSubIndex('co_8h', ugm3ToPpm('co', eight)));
  }
  if (input.no2) {
    const one = first(input.no2);
    put('no2', one === null ? null : usSubIndex('no2_1h', ugm3ToPpb('no2', one)));
  }
  if (input.so2) {
    const one = first(input.so2);
    const ppb = one === null ? null : truncate(ugm3ToPpb('so2', one), 0);
    if (ppb !== null && ppb < 305) put('so2', usSubIndex('so2_1h', ppb));
    else if (ppb !== null) {
      // 1-hour SO2 ≥ 305 ppb: the 24-hour mean decides; one below 305 ppb means AQI 200 (TAD footnote).
      const day = meanIfComplete(input.so2.slice(0, 24), 18);
      const dayPpb = day === null ? null : truncate(ugm3ToPpb('so2', day), 0);
      put('so2', dayPpb === null ? null : dayPpb < 305 ? 200 : usSubIndex('so2_24h', dayPpb));
    }
  }
  return combineSubIndices(US_AQI_CATEGORIES, sub);
}
