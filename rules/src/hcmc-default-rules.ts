import { deepFreeze } from './deep-freeze.ts';
import type { RuleDefinition } from './rule-schema.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * Flood depth on the road surface. The levels follow how HCMC streets
 * behave in tidal and monsoon flooding: from 10 cm traffic slows, at 30 cm
 * the exhaust of most motorbikes is under water and they stall, at 50 cm
 * the street is impassable for ordinary vehicles. Sensors may override the
 * levels with their own `alertLevelsCm` (low-lying or raised roads).
 */
const floodDepth: RuleDefinition = {
  kind: 'threshold',
  id: 'flood-depth',
  domain: 'flood',
  title: { vi: 'Ngập nước', en: 'Flooding' },
  field: 'waterLevelCm',
  unit: 'cm',
  comparison: 'above',
  levels: [
    { severity: 'minor', value: 10, note: { vi: 'hạn chế di chuyển', en: 'drive with care' } },
    { severity: 'major', value: 30, note: { vi: 'xe máy dễ chết máy', en: 'motorbikes stall' } },
    { severity: 'critical', value: 50, note: { vi: 'không thể lưu thông', en: 'impassable' } },
  ],
  levelsFrom: 'alertLevelsCm',
  for: 30 * SECOND,
  clear: { value: 5, for: 1 * MINUTE },
  message: { vi: 'Ngập {value} {unit} tại {sensor}', en: 'Flooding {value} {unit} at {sensor}' },
};

/**
 * Congestion relative to each road's free-flow speed, because 20 km/h is
 * normal on a narrow district street and a jam on an arterial road.
 */
const trafficCongestion: RuleDefinition = {
  kind: 'threshold',
  id: 'traffic-congestion',
  domain: 'traffic',
  title: { vi: 'Ùn tắc giao thông', en: 'Traffic congestion' },
  field: 'speedKmh',
  unit: 'km/h',
  comparison: 'below',
  relativeTo: 'freeFlowKmh',
  levels: [{ severity: 'major', value: 0.4 }],
  for: 5 * MINUTE,
  clear: { value: 0.5, for: 2 * MINUTE },
  message: {
    vi: 'Ùn tắc tại {sensor}: tốc độ trung bình {value} {unit} (ngưỡng {threshold} {unit})',
    en: 'Congestion at {sensor}: mean speed {value} {unit} (threshold {threshold} {unit})',
  },
};

/**
 * PM2.5 breakpoints of the US EPA AQI as revised with the PM NAAQS final
 * rule of 2024-02-07 (40 CFR part 58, Appendix G), 24-hour PM2.5 in µg/m³:
 *   0.0–9.0 Good · 9.1–35.4 Moderate · 35.5–55.4 Unhealthy for Sensitive
 *   Groups · 55.5–125.4 Unhealthy · 125.5–225.4 Very Unhealthy · ≥225.5 Hazardous.
 * We raise at the lower bound of "Unhealthy" (major) and "Very Unhealthy"
 * (critical) and clear once back at "Moderate" (< 35.5). The EPA values are
 * 24-hour means; applying them to instantaneous readings (held 30 s) is the
 * skeleton's approximation until NowCast/VN_AQI rules land.
 */
const airPm25: RuleDefinition = {
  kind: 'threshold',
  id: 'air-pm25',
  domain: 'air',
  title: { vi: 'Bụi mịn PM2.5', en: 'Fine particulate matter (PM2.5)' },
  field: 'pm25',
  unit: 'µg/m³',
  comparison: 'above',
  levels: [
    { severity: 'major', value: 55.5, note: { vi: 'có hại cho sức khỏe', en: 'unhealthy' } },
    { severity: 'critical', value: 125.5, note: { vi: 'rất có hại cho sức khỏe', en: 'very unhealthy' } },
  ],
  for: 30 * SECOND,
  clear: { value: 35.5, for: 2 * MINUTE },
  message: { vi: 'Bụi mịn PM2.5 {value} {unit} tại {sensor}', en: 'PM2.5 {value} {unit} at {sensor}' },
};

export const HCMC_DEFAULT_RULES: readonly RuleDefinition[] = deepFreeze([floodDepth, trafficCongestion, airPm25]);
