import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Domain } from './domains.ts';

/**
 * contracts §2. The payload schemas describe what a device publishes; the
 * ranges are the contract's valid ranges. `ts` is ISO-8601 with an offset or
 * epoch milliseconds; future-skew (> 5 min) is checked by the validator
 * because it depends on the clock.
 */
export const Timestamp = Type.Union([
  Type.String({ minLength: 10, maxLength: 40 }),
  Type.Number(),
]);

const num = (minimum: number, maximum: number) => Type.Number({ minimum, maximum });

export const CountsByClass = Type.Object({
  motorbike: Type.Optional(Type.Number({ minimum: 0 })),
  car: Type.Optional(Type.Number({ minimum: 0 })),
  bus: Type.Optional(Type.Number({ minimum: 0 })),
  truck: Type.Optional(Type.Number({ minimum: 0 })),
});
export type CountsByClass = Static<typeof CountsByClass>;

export const TrafficPayload = Type.Object({
  ts: Timestamp,
  speedKmh: num(0, 250),
  volume: num(0, 100000),
  occupancyPct: num(0, 100),
  intervalS: num(1, 3600),
  countsByClass: Type.Optional(CountsByClass),
});
export type TrafficPayload = Static<typeof TrafficPayload>;

export const FloodPayload = Type.Object({
  ts: Timestamp,
  waterLevelCm: num(-100, 500),
  rainfallMm: Type.Optional(num(0, 500)),
  intervalS: num(1, 3600),
  batteryV: Type.Optional(num(0, 30)),
});
export type FloodPayload = Static<typeof FloodPayload>;

export const AirPayload = Type.Object({
  ts: Timestamp,
  pm25: num(0, 2000),
  pm10: num(0, 2000),
  no2: Type.Optional(num(0, 200000)),
  so2: Type.Optional(num(0, 200000)),
  o3: Type.Optional(num(0, 200000)),
  co: Type.Optional(num(0, 200000)),
  tempC: Type.Optional(num(-40, 70)),
  humidityPct: Type.Optional(num(0, 100)),
});
export type AirPayload = Static<typeof AirPayload>;

export const READING_PAYLOAD_SCHEMAS = {
  traffic: TrafficPayload,
  flood: FloodPayload,
  air: AirPayload,
} as const satisfies Record<Domain, TSchema>;

/**
 * The numeric fields stored per domain (contracts §8). `countsByClass` is
 * flattened to `countsByClass_<class>` so every stored field is a float.
 */
export const READING_FIELDS = {
  traffic: [
    'speedKmh',
    'volume',
    'occupancyPct',
    'intervalS',
    'countsByClass_motorbike',
    'countsByClass_car',
    'countsByClass_bus',
    'countsByClass_truck',
  ],
  flood: ['waterLevelCm', 'rainfallMm', 'intervalS', 'batteryV'],
  air: ['pm25', 'pm10', 'no2', 'so2', 'o3', 'co', 'tempC', 'humidityPct'],
} as const satisfies Record<Domain, readonly string[]>;

export type ReadingField<D extends Domain = Domain> = (typeof READING_FIELDS)[D][number];

/** A reading after validation: what ingest stores, rules evaluate and the map shows. */
export interface Reading {
  sensorId: string;
  domain: Domain;
  /** Event time, epoch milliseconds (from the reading's `ts`). */
  ts: number;
  /** When the center received it, epoch milliseconds. */
  receivedAt: number;
  /** The sensor's district (registry), filled by ingest's enrich step. */
  district?: string;
  /** Flat numeric fields, names from READING_FIELDS; absent optional fields are omitted. */
  fields: Partial<Record<ReadingField, number>>;
}

/** contracts §2: reasons a reading is rejected. Stable: used as metric labels and dead-letter codes. */
export const REJECT_REASONS = [
  'invalid_json',
  'not_an_object',
  'not_finite',
  'missing_field',
  'wrong_type',
  'out_of_range',
  'bad_timestamp',
  'future_timestamp',
  'unknown_sensor',
  'wrong_domain',
  'not_authorized',
  'too_large',
  'store_rejected',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Largest accepted telemetry payload (bytes); a gateway batch may be larger, see broker config. */
export const MAX_READING_BYTES = 16 * 1024;

/** contracts §2: readings more than this far in the future are rejected. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
