import { HCMC_DEFAULT_RULES } from './hcmc-default-rules.ts';
import type { Domain, Reading } from '@cityops/contracts';
import type { RuleSensor } from './types.ts';

/** Shared by the engine tests only; not exported from the package. */

export const T0 = Date.UTC(2025, 8, 15, 7, 0, 0); // 14:00 in HCMC, monsoon season
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export const floodSensor: RuleSensor = {
  id: 'fl-nguyen-huu-canh-01',
  domain: 'flood',
  name: 'Nguyễn Hữu Cảnh',
  district: 'Bình Thạnh',
  location: [106.7187, 10.7925],
};

export const trafficSensor: RuleSensor = {
  id: 'tr-dien-bien-phu-01',
  domain: 'traffic',
  name: 'Điện Biên Phủ',
  district: 'Quận 3',
  location: [106.6885, 10.7797],
  freeFlowKmh: 50,
};

export const airSensor: RuleSensor = {
  id: 'air-tan-son-nhat-01',
  domain: 'air',
  name: 'Tân Sơn Nhất',
  district: 'Tân Bình',
  location: [106.6602, 10.8185],
};

export function reading(sensor: Pick<RuleSensor, 'id'>, domain: Domain, ts: number, fields: Reading['fields']): Reading {
  return { sensorId: sensor.id, domain, ts, receivedAt: ts + 50, fields };
}

export const flood = (ts: number, waterLevelCm: number, sensor: RuleSensor = floodSensor): Reading =>
  reading(sensor, 'flood', ts, { waterLevelCm, intervalS: 10 });

export const traffic = (ts: number, speedKmh: number, sensor: RuleSensor = trafficSensor): Reading =>
  reading(sensor, 'traffic', ts, { speedKmh, volume: 120, occupancyPct: 30, intervalS: 60 });

export const air = (ts: number, pm25: number, sensor: RuleSensor = airSensor): Reading =>
  reading(sensor, 'air', ts, { pm25, pm10: pm25 * 1.4 });

/** The threshold rules of the default set, for tests of threshold semantics alone (no rise/offline/district noise). */
export const THRESHOLD_DEFAULTS = HCMC_DEFAULT_RULES.filter((r) => ['flood-depth', 'traffic-congestion', 'air-pm25'].includes(r.id));
