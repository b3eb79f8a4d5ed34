import type { Reading } from './reading.ts';

/**
 * The current air-quality index of an air sensor, as the API and the map see
 * it (an extension: optional everywhere it appears). `vn` is VN_AQI per
 * Decision 1459/QĐ-TCMT, `us` the US EPA AQI (May 2024 breakpoints); either
 * is null while there is not enough data (e.g. NowCast needs 2 of 3 hours).
 */
export interface AqiSummary {
  /** Integer index (US values above 500 are "beyond the AQI"). */
  value: number;
  category: { key: string; level: number; name: { vi: string; en: string }; hex: string };
  /** The category colour, `#RRGGBB` (same as category.hex; flat for simple clients). */
  color: string;
  /** The pollutant with the highest sub-index: pm25, pm10, o3, no2, so2 or co. */
  dominant: string;
  subIndices: Partial<Record<'pm25' | 'pm10' | 'o3' | 'no2' | 'so2' | 'co', number>>;
}

export interface SensorAqi {
  /** Start (epoch ms) of the hour the index is for: the hour of the sensor's latest reading. */
  hour: number;
  vn: AqiSummary | null;
  us: AqiSummary | null;
}

/** A reading as pushed to the map: air readings carry the sensor's index after that reading. */
export interface LiveReading extends Reading {
  aqi?: SensorAqi;
}
