import type { AqiCategory, AqiPollutant, AqiResult } from './aqi-types.ts';
import { AQI_POLLUTANTS } from './aqi-types.ts';

const hex = (rgb: readonly [number, number, number]): string => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('').toUpperCase()}`;

const cat = (level: AqiCategory['level'], key: string, min: number, vi: string, en: string, rgb: [number, number, number]): AqiCategory =>
  Object.freeze({ level, key, min, name: Object.freeze({ vi, en }), rgb: Object.freeze(rgb), hex: hex(rgb) });

/**
 * Decision 1459/QĐ-TCMT (2019), Table 1: AQI bands, names and RGB colours
 * (0;228;0 · 255;255;0 · 255;126;0 · 255;0;0 · 143;63;151 · 126;0;35).
 * The English names are the decision's meaning, not an official translation.
 */
export const VN_AQI_CATEGORIES: readonly AqiCategory[] = Object.freeze([
  cat(1, 'good', 0, 'Tốt', 'Good', [0, 228, 0]),
  cat(2, 'moderate', 51, 'Trung bình', 'Moderate', [255, 255, 0]),
  cat(3, 'poor', 101, 'Kém', 'Poor', [255, 126, 0]),
  cat(4, 'bad', 151, 'Xấu', 'Bad', [255, 0, 0]),
  cat(5, 'very-bad', 201, 'Rất xấu', 'Very bad', [143, 63, 151]),
  cat(6, 'hazardous', 301, 'Nguy hại', 'Hazardous', [126, 0, 35]),
]);

/**
 * US EPA AQI categories and colours (Technical Assistance Document, May
 * 2024). The Vietnamese names are our translation for the control room.
 */
export const US_AQI_CATEGORIES: readonly AqiCategory[] = Object.freeze([
  cat(1, 'good', 0, 'Tốt', 'Good', [0, 228, 0]),
  cat(2, 'moderate', 51, 'Trung bình', 'Moderate', [255, 255, 0]),
  cat(3, 'unhealthy-for-sensitive-groups', 101, 'Không tốt cho nhóm nhạy cảm', 'Unhealthy for Sensitive Groups', [255, 126, 0]),
  cat(4, 'unhealthy', 151, 'Có hại cho sức khỏe', 'Unhealthy', [255, 0, 0]),
  cat(5, 'very-unhealthy', 201, 'Rất có hại cho sức khỏe', 'Very Unhealthy', [143, 63, 151]),
  cat(6, 'hazardous', 301, 'Nguy hiểm', 'Hazardous', [126, 0, 35]),
]);

/** The category of an integer AQI value (values above 500 stay in the last band). */
export function categoryOf(categories: readonly AqiCategory[], value: number): AqiCategory {
  for (let i = categories.length - 1; i > 0; i--) if (value >= categories[i]!.min) return categories[i]!;
  return categories[0]!;
}

/**
 * Overall index = the maximum sub-index; the dominant pollutant is the one
 * that gives it (ties go to the first in AQI_POLLUTANTS order, so the result
 * is deterministic). Null when no sub-index could be computed.
 */
export function combineSubIndices(categories: readonly AqiCategory[], subIndices: Partial<Record<AqiPollutant, number>>): AqiResult | null {
  let dominant: AqiPollutant | null = null;
  let value = -1;
  for (const p of AQI_POLLUTANTS) {
    const v = subIndices[p];
    if (v !== undefined && v > value) {
      value = v;
      dominant = p;
    }
  }
  if (dominant === null) return null;
  return { value, category: categoryOf(categories, value), dominant, subIndices };
}
