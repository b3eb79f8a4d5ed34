import { combineSubIndices, VN_AQI_CATEGORIES } from './aqi-category.ts';
import { hasValue, type AqiPollutant, type AqiResult, type HourlySeries, type PollutantHours } from './aqi-types.ts';
import { maxPresent, meanIfComplete, nowcast } from './nowcast.ts';
import { continuousTable, interpolate, type Breakpoint } from './piecewise.ts';

/**
 * VN_AQI, Decision 1459/QĐ-TCMT (12 Nov 2019), Table 2: breakpoints BP_i of
 * each parameter (µg/m³) against the index I_i. The O3 8-hour column stops
 * at 400 µg/m³ (I = 300); above it the 1-hour O3 decides.
 */
export const VN_AQI_INDEX = [0, 50, 100, 150, 200, 300, 400, 500] as const;
export const VN_AQI_BREAKPOINTS = {
  o3_1h: [0, 160, 200, 300, 400, 800, 1000, 1200],
  o3_8h: [0, 100, 120, 170, 210, 400],
  co: [0, 10_000, 30_000, 45_000, 60_000, 90_000, 120_000, 150_000],
  so2: [0, 125, 350, 550, 800, 1600, 2100, 2630],
  no2: [0, 100, 200, 700, 1200, 2350, 3100, 3850],
  pm10: [0, 50, 150, 250, 350, 420, 500, 600],
  pm25: [0, 25, 50, 80, 150, 250, 350, 500],
} as const;
export type VnAqiParameter = keyof typeof VN_AQI_BREAKPOINTS;

const TABLES = Object.fromEntries(
  Object.entries(VN_AQI_BREAKPOINTS).map(([k, bps]) => [k, continuousTable(bps, VN_AQI_INDEX)]),
) as Record<VnAqiParameter, Breakpoint[]>;

/**
 * AQI_x = (I_{i+1} − I_i)/(BP_{i+1} − BP_i) × (C_x − BP_i) + I_i, rounded to an
 * integer. The scale ends at 500: a concentration above the last breakpoint
 * is reported as 500 (the top of "Nguy hại"). Null for the 8-hour O3 above
 * its last breakpoint (the decision uses the 1-hour value then) and for
 * missing/negative input.
 */
export function vnSubIndex(parameter: VnAqiParameter, concentration: number | null | undefined): number | null {
  if (!hasValue(concentration) || concentration < 0) return null;
  const table = TABLES[parameter];
  const last = table[table.length - 1]!;
  if (concentration > last.hi) return parameter === 'o3_8h' ? null : 500;
  const v = interpolate(table, concentration, false);
  return v === null ? null : Math.round(v);
}

/** Inputs for the hourly VN_AQI: the last 12 hourly means (c1 first) for PM, the latest 1-hour mean for gases. */
export interface VnHourlyInput {
  pm25?: HourlySeries;
  pm10?: HourlySeries;
  o3?: number | null;
  co?: number | null;
  so2?: number | null;
  no2?: number | null;
}

/**
 * Hourly VN_AQI: gases from their 1-hour means, PM from the NowCast of the
 * last 12 hours. The decision requires at least one of PM10/PM2.5 — without a
 * PM sub-index there is no VN_AQI (null), whatever the gases say.
 */
export function vnHourlyAqi(input: VnHourlyInput): AqiResult | null {
  const sub: Partial<Record<AqiPollutant, number>> = {};
  const put = (p: AqiPollutant, v: number | null) => {
    if (v !== null) sub[p] = v;
  };
  put('pm25', input.pm25 ? vnSubIndex('pm25', nowcast(input.pm25, 'vn')) : null);
  put('pm10', input.pm10 ? vnSubIndex('pm10', nowcast(input.pm10, 'vn')) : null);
  if (sub.pm25 === undefined && sub.pm10 === undefined) return null;
  put('o3', vnSubIndex('o3_1h', input.o3));
  put('co', vnSubIndex('co', input.co));
  put('so2', vnSubIndex('so2', input.so2));
  put('no2', vnSubIndex('no2', input.no2));
  return combineSubIndices(VN_AQI_CATEGORIES, sub);
}

/** Inputs for the daily VN_AQI: the 24 hourly means of the day for each parameter (any order). */
export type VnDailyInput = PollutantHours;

/**
 * The completeness rule we apply to averages: a 24-hour mean needs 18 of its
 * 24 hours and an 8-hour mean 6 of its 8 (75 %, as QCVN 05 and the EPA use).
 */
export const DAILY_MIN_HOURS = 18;
export const EIGHT_HOUR_MIN_HOURS = 6;

/** Maximum of the rolling 8-hour means of a day's hourly series (in time order, oldest first). */
export function maxEightHourMean(hoursOldestFirst: HourlySeries): number | null {
  let best: number | null = null;
  for (let end = 8; end <= hoursOldestFirst.length; end++) {
    const mean = meanIfComplete(hoursOldestFirst.slice(end - 8, end), EIGHT_HOUR_MIN_HOURS);
    if (mean !== null && (best === null || mean > best)) best = mean;
  }
  return best;
}

/**
 * Daily VN_AQI: PM from the 24-hour mean; O3 the larger of the sub-indices
 * of the day's maximum 1-hour mean and its maximum 8-hour mean; CO, SO2 and
 * NO2 from the day's maximum 1-hour mean. PM is required, as for the hourly
 * index. Series are the day's hourly means, oldest first.
 */
export function vnDailyAqi(input: VnDailyInput): AqiResult | null {
  const sub: Partial<Record<AqiPollutant, number>> = {};
  const put = (p: AqiPollutant, v: number | null) => {
    if (v !== null) sub[p] = v;
  };
  put('pm25', input.pm25 ? vnSubIndex('pm25', meanIfComplete(input.pm25, DAILY_MIN_HOURS)) : null);
  put('pm10', input.pm10 ? vnSubIndex('pm10', meanIfComplete(input.pm10, DAILY_MIN_HOURS)) : null);
  if (sub.pm25 === undefined && sub.pm10 === undefined) return null;
  if (input.o3) {
    const oneHour = vnSubIndex('o3_1h', maxPresent(input.o3));
    const eightHour = vnSubIndex('o3_8h', maxEightHourMean(input.o3));
    const o3 = oneHour === null ? eightHour : eightHour === null ? oneHour : Math.max(oneHour, eightHour);
    put('o3', o3);
  }
  put('co', input.co ? vnSubIndex('co', maxPresent(input.co)) : null);
  put('so2', input.so2 ? vnSubIndex('so2', maxPresent(input.so2)) : null);
  put('no2', input.no2 ? vnSubIndex('no2', maxPresent(input.no2)) : null);
  return combineSubIndices(VN_AQI_CATEGORIES, sub);
}
