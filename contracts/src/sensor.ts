import { Type, type Static } from '@sinclair/typebox';
import { DOMAINS } from './domains.ts';
import type { Reading } from './reading.ts';
import type { SensorAqi } from './air-quality.ts';

/** contracts §3: properties of one registry feature. */
export const SensorProperties = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{1,63}$' }),
    domain: Type.Union(DOMAINS.map((d) => Type.Literal(d))),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    district: Type.String({ minLength: 1, maxLength: 100 }),
    /** traffic */
    roadName: Type.Optional(Type.String({ maxLength: 200 })),
    freeFlowKmh: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 250 })),
    /** flood: optional per-sensor depth thresholds [minor, major, critical] in cm */
    alertLevelsCm: Type.Optional(Type.Array(Type.Number(), { minItems: 1, maxItems: 3 })),
    /** seconds between readings the sensor is configured for (used by silence rules) */
    reportingIntervalS: Type.Optional(Type.Number({ minimum: 1, maximum: 86400 })),
    /** extension, traffic: the OpenStreetMap way the detector measures (the map colours that road; basemap roads are keyed by osm_way_id) */
    osmWayId: Type.Optional(Type.Integer({ minimum: 1 })),
    /** extension: the gateway that speaks for this sensor, if any */
    gatewayId: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type SensorProperties = Static<typeof SensorProperties>;

export const SensorFeature = Type.Object({
  type: Type.Literal('Feature'),
  id: Type.Optional(Type.Union([Type.String(), Type.Number()])),
  properties: SensorProperties,
  geometry: Type.Object({
    type: Type.Literal('Point'),
    coordinates: Type.Tuple([
      Type.Number({ minimum: -180, maximum: 180 }),
      Type.Number({ minimum: -90, maximum: 90 }),
    ]),
  }),
});
export type SensorFeature = Static<typeof SensorFeature>;

export const SensorRegistry = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(SensorFeature),
});
export type SensorRegistry = Static<typeof SensorRegistry>;

/** GET /api/sensors: a registry feature with live state (contracts §5). */
export interface LiveSensorProperties extends SensorProperties {
  online: boolean;
  latest: Pick<Reading, 'ts' | 'receivedAt' | 'fields'> | null;
  /** air sensors: the current VN_AQI and US AQI (extension, absent for other domains). */
  aqi?: SensorAqi;
}
export interface LiveSensorFeature {
  type: 'Feature';
  properties: LiveSensorProperties;
  geometry: { type: 'Point'; coordinates: [number, number] };
}
export interface LiveSensorCollection {
  type: 'FeatureCollection';
  features: LiveSensorFeature[];
}
