import { READING_PAYLOAD_SCHEMAS, DOMAINS, type Domain, type ReadingField } from '@cityops/contracts';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';

/**
 * What the decoder needs per domain, derived once from the contract schemas so
 * the ranges live in one place (@cityops/contracts).
 */
export interface NumberSpec {
  /** name in the payload, e.g. `car` inside countsByClass */
  key: string;
  /** path used in details, e.g. `countsByClass.car` */
  path: string;
  /** stored field name (READING_FIELDS) */
  field: ReadingField;
  required: boolean;
  minimum: number;
  maximum: number;
  unit: string;
}

export interface ObjectSpec {
  key: string;
  required: boolean;
  members: NumberSpec[];
}

export interface DomainSpec {
  check: TypeCheck<TSchema>;
  /** top-level numeric members in schema order */
  numbers: NumberSpec[];
  /** nested objects flattened to `<key>_<member>` fields (countsByClass) */
  objects: ObjectSpec[];
}

const UNITS: Record<string, string> = {
  speedKmh: 'km/h',
  volume: 'vehicles',
  occupancyPct: '%',
  intervalS: 's',
  waterLevelCm: 'cm',
  rainfallMm: 'mm',
  batteryV: 'V',
  pm25: 'µg/m³',
  pm10: 'µg/m³',
  no2: 'µg/m³',
  so2: 'µg/m³',
  o3: 'µg/m³',
  co: 'µg/m³',
  tempC: '°C',
  humidityPct: '%',
};

interface JsonSchemaLike {
  type?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchemaLike>;
  required?: string[];
}

function numberSpec(key: string, path: string, field: string, required: boolean, s: JsonSchemaLike): NumberSpec {
  return {
    key,
    path,
    field: field as ReadingField,
    required,
    minimum: s.minimum ?? Number.NEGATIVE_INFINITY,
    maximum: s.maximum ?? Number.POSITIVE_INFINITY,
    unit: UNITS[key] ?? '',
  };
}

function buildSpec(schema: TSchema): DomainSpec {
  const root = schema as JsonSchemaLike;
  const required = new Set(root.required ?? []);
  const numbers: NumberSpec[] = [];
  const objects: ObjectSpec[] = [];
  for (const [key, prop] of Object.entries(root.properties ?? {})) {
    if (key === 'ts') continue;
    if (prop.type === 'number') {
      numbers.push(numberSpec(key, key, key, required.has(key), prop));
    } else if (prop.type === 'object') {
      const inner = new Set(prop.required ?? []);
      const members = Object.entries(prop.properties ?? {}).map(([k, p]) =>
        numberSpec(k, `${key}.${k}`, `${key}_${k}`, inner.has(k), p),
      );
      objects.push({ key, required: required.has(key), members });
    }
  }
  return { check: TypeCompiler.Compile(schema), numbers, objects };
}

export const DOMAIN_SPECS: Readonly<Record<Domain, DomainSpec>> = Object.fromEntries(
  DOMAINS.map((d) => [d, buildSpec(READING_PAYLOAD_SCHEMAS[d])]),
) as Record<Domain, DomainSpec>;
