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
 * Fast rise: 10 cm or more within 15 minutes, whatever the depth — the
 * warning that comes before the depth levels, while there is still time to
 * close an underpass or send a pump truck.
 */
const floodRise: RuleDefinition = {
  kind: 'rate-of-change',
  id: 'flood-rise',
  domain: 'flood',
  title: { vi: 'Nước dâng nhanh', en: 'Water rising fast' },
  field: 'waterLevelCm',
  unit: 'cm',
  direction: 'rise',
  change: 10,
  window: 15 * MINUTE,
  severity: 'major',
  clear: { for: 15 * MINUTE },
  message: {
    vi: 'Nước dâng nhanh tại {sensor}: +{value} {unit} trong 15 phút (ngưỡng {threshold} {unit})',
    en: 'Water rising fast at {sensor}: +{value} {unit} in 15 min (limit {threshold} {unit})',
  },
};

/**
 * Congestion relative to each road's free-flow speed, because 20 km/h is
 * normal on a narrow district street and a jam on an arterial road. The
 * levels are the HCM urban-street levels of service by travel speed as a
 * share of the base free-flow speed: LOS E from 40 % down to 30 %, LOS F at
 * 30 % and below — the level of service is named in the alert.
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
  levels: [
    { severity: 'major', value: 0.4, note: { vi: 'mức phục vụ E', en: 'level of service E' } },
    { severity: 'critical', value: 0.3, note: { vi: 'mức phục vụ F', en: 'level of service F' } },
  ],
  for: 10 * MINUTE,
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

/**
 * Air quality by VN_AQI category (Decision 1459/QĐ-TCMT): Kém (101+) minor,
 * Xấu (151+) major, Rất xấu and Nguy hại (201+) critical; resolved once back
 * at Trung bình or better for 30 min. The index is hourly (NowCast), so a
 * category must hold 10 min before anyone is paged.
 */
const airQualityVn: RuleDefinition = {
  kind: 'index-category',
  id: 'air-quality-vn',
  index: 'vn',
  title: { vi: 'Chất lượng không khí (VN_AQI)', en: 'Air quality (VN_AQI)' },
  levels: [
    { severity: 'minor', category: 3, note: { vi: 'Kém', en: 'poor' } },
    { severity: 'major', category: 4, note: { vi: 'Xấu', en: 'bad' } },
    { severity: 'critical', category: 5, note: { vi: 'Rất xấu', en: 'very bad' } },
  ],
  for: 10 * MINUTE,
  clear: { category: 2, for: 30 * MINUTE },
  message: { vi: 'VN_AQI {value} tại {sensor}', en: 'VN_AQI {value} at {sensor}' },
};

/** Offline: silent for 3 reporting intervals (default 60 s), or its Last Will arrived. */
const sensorOffline: RuleDefinition = {
  kind: 'absence',
  id: 'sensor-offline',
  title: { vi: 'Cảm biến mất kết nối', en: 'Sensor offline' },
  factor: 3,
  defaultIntervalS: 60,
  lastWill: true,
  severity: 'minor',
  message: {
    vi: '{sensor} không gửi dữ liệu ({value} {unit}, giới hạn {threshold} {unit})',
    en: '{sensor} has stopped reporting ({value} {unit}, limit {threshold} {unit})',
  },
};

/** District incident: 3 or more flood sensors of one district at ≥ 10 cm → one incident for the district. */
const districtFlood: RuleDefinition = {
  kind: 'district',
  id: 'district-flood',
  domain: 'flood',
  title: { vi: 'Ngập diện rộng', en: 'District flooding' },
  sourceRules: ['flood-depth'],
  minSeverity: 'minor',
  minSensors: 3,
  severity: 'critical',
  message: {
    vi: 'Ngập diện rộng tại {district}: {value} điểm đo đang ngập (ngưỡng {threshold})',
    en: 'District flooding in {district}: {value} gauges flooded (threshold {threshold})',
  },
};

export const HCMC_DEFAULT_RULES: readonly RuleDefinition[] = deepFreeze([
  floodDepth,
  floodRise,
  trafficCongestion,
  airPm25,
  airQualityVn,
  sensorOffline,
  districtFlood,
]);
