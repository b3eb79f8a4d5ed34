import {
  MAX_FUTURE_SKEW_MS,
  MAX_READING_BYTES,
  SENSOR_ID_PATTERN,
  isDomain,
  DOMAINS,
  type Domain,
  type Reading,
  type ReadingField,
  type RejectReason,
} from '@cityops/contracts';
import { parseJson } from './parse-json.ts';
import { DOMAIN_SPECS, type DomainSpec, type NumberSpec } from './payload-spec.ts';
import { describeValue, parseTimestamp } from './timestamp.ts';

export type DecodeResult =
  | { ok: true; reading: Reading }
  | { ok: false; reason: RejectReason; detail: string; sensorId?: string };

type Failure = Extract<DecodeResult, { ok: false }>;

const fail = (reason: RejectReason, detail: string, sensorId?: string): Failure =>
  sensorId === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, sensorId };

function byteLength(payload: Buffer | string): number {
  if (typeof payload !== 'string') return payload.length;
  // A UTF-16 unit is at most 3 UTF-8 bytes; skip the exact count when it cannot matter.
  return payload.length * 3 <= MAX_READING_BYTES ? payload.length : Buffer.byteLength(payload, 'utf8');
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function withUnit(n: number, unit: string): string {
  if (unit === '') return String(n);
  return unit === '%' || unit === '°C' ? `${n}${unit}` : `${n} ${unit}`;
}

/** The first problem with one numeric member, or null. */
function checkNumber(spec: NumberSpec, value: unknown, domain: Domain): Failure | null {
  if (value === undefined) {
    return spec.required ? fail('missing_field', `${spec.path} is required for ${domain} readings`) : null;
  }
  if (typeof value !== 'number') {
    return fail('wrong_type', `${spec.path} must be a number; got ${describeValue(value)}`);
  }
  if (!Number.isFinite(value)) {
    return fail('not_finite', `${spec.path} must be a finite number; got ${value}`);
  }
  if (value < spec.minimum) {
    return fail(
      'out_of_range',
      `${spec.path}=${value} is below the minimum ${withUnit(spec.minimum, spec.unit)}`,
    );
  }
  if (value > spec.maximum) {
    return fail(
      'out_of_range',
      `${spec.path}=${value} is above the maximum ${withUnit(spec.maximum, spec.unit)}`,
    );
  }
  return null;
}

/** Slow path, only after the compiled check failed: name the first offending member. */
function diagnose(spec: DomainSpec, obj: Record<string, unknown>, domain: Domain): Failure {
  for (const n of spec.numbers) {
    const problem = checkNumber(n, obj[n.key], domain);
    if (problem) return problem;
  }
  for (const o of spec.objects) {
    const value = obj[o.key];
    if (value === undefined) {
      if (o.required) return fail('missing_field', `${o.key} is required for ${domain} readings`);
      continue;
    }
    if (!isPlainObject(value)) {
      return fail('wrong_type', `${o.key} must be an object; got ${describeValue(value)}`);
    }
    for (const m of o.members) {
      const problem = checkNumber(m, value[m.key], domain);
      if (problem) return problem;
    }
  }
  // Unreachable while payload-spec mirrors the schema; kept so a schema change cannot crash ingest.
  const first = spec.check.Errors(obj).First();
  return fail('wrong_type', first ? `${first.path || 'payload'}: ${first.message}` : 'payload does not match the schema');
}

/**
 * Validates an already-parsed value as a reading of `domain` for `sensorId`.
 * Shared by the single-reading and the gateway path.
 */
export function decodeObject(domain: Domain, sensorId: string, value: unknown, receivedAt: number): DecodeResult {
  if (!isPlainObject(value)) {
    return fail('not_an_object', `a reading must be a JSON object; got ${describeValue(value)}`, sensorId);
  }
  const rawTs = value['ts'];
  if (rawTs === undefined) return fail('missing_field', 'ts is required', sensorId);
  const ts = parseTimestamp(rawTs);
  if (!ts.ok) return fail(ts.wrongType ? 'wrong_type' : 'bad_timestamp', ts.detail, sensorId);
  if (ts.ms > receivedAt + MAX_FUTURE_SKEW_MS) {
    const aheadS = Math.round((ts.ms - receivedAt) / 1000);
    return fail(
      'future_timestamp',
      `ts ${new Date(ts.ms).toISOString()} is ${aheadS} s ahead of the center's clock (limit ${MAX_FUTURE_SKEW_MS / 1000} s)`,
      sensorId,
    );
  }
  const spec = DOMAIN_SPECS[domain] as DomainSpec | undefined;
  // Callers pass a typed Domain; this guards JavaScript callers and keeps the no-throw promise.
  if (spec === undefined) return fail('wrong_domain', `unknown domain ${describeValue(domain)}`, sensorId);
  if (!spec.check.Check(value)) {
    const problem = diagnose(spec, value, domain);
    problem.sensorId = sensorId;
    return problem;
  }
  const fields: Partial<Record<ReadingField, number>> = {};
  for (const n of spec.numbers) {
    const v = value[n.key];
    if (v !== undefined) fields[n.field] = v as number;
  }
  for (const o of spec.objects) {
    const inner = value[o.key] as Record<string, unknown> | undefined;
    if (inner === undefined) continue;
    for (const m of o.members) {
      const v = inner[m.key];
      if (v !== undefined) fields[m.field] = v as number;
    }
  }
  return { ok: true, reading: { sensorId, domain, ts: ts.ms, receivedAt, fields } };
}

/** One reading from `city/{city}/{domain}/{sensorId}/telemetry`. Pure; never throws. */
export function decodeReading(
  domain: Domain,
  sensorId: string,
  payload: Buffer | string,
  receivedAt: number,
): DecodeResult {
  const size = byteLength(payload);
  if (size > MAX_READING_BYTES) {
    return fail('too_large', `payload is ${size} bytes; the limit is ${MAX_READING_BYTES}`, sensorId);
  }
  const parsed = parseJson(payload);
  if (!parsed.ok) return fail(parsed.reason, parsed.detail, sensorId);
  return decodeObject(domain, sensorId, parsed.value, receivedAt);
}

function decodeGatewayElement(element: unknown, index: number, receivedAt: number): DecodeResult {
  const at = `readings[${index}]`;
  if (!isPlainObject(element)) {
    return fail('not_an_object', `${at} must be a JSON object; got ${describeValue(element)}`);
  }
  const sensorId = element['sensorId'];
  if (sensorId === undefined) return fail('missing_field', `${at}.sensorId is required in a gateway batch`);
  if (typeof sensorId !== 'string' || !SENSOR_ID_PATTERN.test(sensorId)) {
    return fail('wrong_type', `${at}.sensorId must be a string matching ${SENSOR_ID_PATTERN}; got ${describeValue(sensorId)}`);
  }
  const domain = element['domain'];
  if (domain === undefined) return fail('missing_field', `${at}.domain is required in a gateway batch`, sensorId);
  if (!isDomain(domain)) {
    const reason = typeof domain === 'string' ? 'wrong_domain' : 'wrong_type';
    return fail(reason, `${at}.domain must be one of ${DOMAINS.join(', ')}; got ${describeValue(domain)}`, sensorId);
  }
  const result = decodeObject(domain, sensorId, element, receivedAt);
  if (!result.ok) result.detail = `${at} (${sensorId}): ${result.detail}`;
  return result;
}

/**
 * A gateway batch from `city/{city}/gateway/{gatewayId}/telemetry`: a JSON array of
 * readings, each with `sensorId` and `domain`. Each element is decoded on its own,
 * so one bad element rejects only itself. A payload that is not an array yields one
 * failure. Pure; never throws. The batch size limit is the broker's (see its config).
 */
export function decodeGatewayBatch(payload: Buffer | string, receivedAt: number): DecodeResult[] {
  const parsed = parseJson(payload);
  if (!parsed.ok) return [fail(parsed.reason, parsed.detail)];
  const value = parsed.value;
  if (!Array.isArray(value)) {
    return [fail('not_an_object', `a gateway batch must be a JSON array of readings; got ${describeValue(value)}`)];
  }
  const results: DecodeResult[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) results[i] = decodeGatewayElement(value[i], i, receivedAt);
  return results;
}
