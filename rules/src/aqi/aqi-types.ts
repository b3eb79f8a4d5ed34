/** The six pollutants both indices use, named like the air reading fields (all measured in µg/m³). */
export const AQI_POLLUTANTS = ['pm25', 'pm10', 'o3', 'no2', 'so2', 'co'] as const;
export type AqiPollutant = (typeof AQI_POLLUTANTS)[number];

export interface AqiCategory {
  /** 1 (best) … 6 (worst). */
  level: 1 | 2 | 3 | 4 | 5 | 6;
  key: string;
  /** Lowest integer AQI of the band; the band ends where the next one starts. */
  min: number;
  name: { vi: string; en: string };
  rgb: readonly [number, number, number];
  hex: string;
}

/** An overall index: the maximum of the sub-indices, its dominant pollutant and category. */
export interface AqiResult {
  value: number;
  category: AqiCategory;
  dominant: AqiPollutant;
  subIndices: Partial<Record<AqiPollutant, number>>;
}

/** Hourly means, most recent first (index 0 = c1); null/undefined/NaN = no data for that hour. */
export type HourlySeries = ReadonlyArray<number | null | undefined>;

/** Each pollutant's hourly means, all in µg/m³ as CityOps sensors report them. */
export type PollutantHours = Partial<Record<AqiPollutant, HourlySeries>>;

export const hasValue = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);
