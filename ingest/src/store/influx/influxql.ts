import { DOMAINS, READING_FIELDS, type Domain, type ReadingField } from '@cityops/contracts';
import { RECEIVED_AT_FIELD } from './line-protocol.ts';

/** InfluxQL identifier: always double-quoted, `"` and `\` escaped. */
export const ident = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
/** InfluxQL string literal. */
export const literal = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export interface QueryTarget {
  /** v1 retention policy; measurements are then qualified "db"."rp"."m" */
  database: string;
  retentionPolicy?: string;
}

export const measurementRef = (t: QueryTarget, measurement: string): string =>
  t.retentionPolicy ? `${ident(t.database)}.${ident(t.retentionPolicy)}.${ident(measurement)}` : ident(measurement);

const timeRange = (from: number, to: number): string => `time >= ${Math.trunc(from)}ms AND time < ${Math.ceil(to)}ms`;

export function rawHistoryQuery(t: QueryTarget, domain: Domain, sensorId: string, from: number, to: number): string {
  const cols = READING_FIELDS[domain].map(ident).join(',');
  return `SELECT ${cols} FROM ${measurementRef(t, domain)} WHERE "sensorId" = ${literal(sensorId)} AND ${timeRange(from, to)}`;
}

/** Buckets are epoch-aligned by InfluxQL's GROUP BY time(); fill(none) omits empty ones. */
export function bucketHistoryQuery(t: QueryTarget, domain: Domain, sensorId: string, from: number, to: number, everyMs: number): string {
  const cols = READING_FIELDS[domain].map((f) => `mean(${ident(f)}) AS ${ident(f)}`).join(',');
  return `SELECT ${cols} FROM ${measurementRef(t, domain)} WHERE "sensorId" = ${literal(sensorId)} AND ${timeRange(from, to)} GROUP BY time(${everyMs}ms) fill(none)`;
}

/** One row per sensor (series of one sensor with different districts merge); with a window, its last row in [from, to). */
export function latestQuery(t: QueryTarget, domain: Domain, window?: { from: number; to: number }): string {
  const where = window ? ` WHERE ${timeRange(window.from, window.to)}` : '';
  return `SELECT * FROM ${measurementRef(t, domain)}${where} GROUP BY "sensorId" ORDER BY time DESC LIMIT 1`;
}

export function countQuery(t: QueryTarget, sensorId?: string): string {
  const from = DOMAINS.map((d) => measurementRef(t, d)).join(',');
  const where = sensorId === undefined ? '' : ` WHERE "sensorId" = ${literal(sensorId)}`;
  return `SELECT count(${ident(RECEIVED_AT_FIELD)}) FROM ${from}${where}`;
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface InfluxQueryResponse {
  results?: Array<{ statement_id?: number; series?: InfluxSeries[]; error?: string }>;
  error?: string;
}

/** Picks the known fields out of a row (nulls = field absent at that time). */
export function rowFields(domain: Domain, columns: readonly string[], row: readonly unknown[]): Partial<Record<ReadingField, number>> {
  const out: Partial<Record<ReadingField, number>> = {};
  const known = READING_FIELDS[domain] as readonly string[];
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    const v = row[i];
    if (typeof v === 'number' && known.includes(c)) out[c as ReadingField] = v;
  }
  return out;
}

/** 1-minute aggregates of [from, to) per sensor (and district), computed by the center (works on every version). */
export function rollupComputeQuery(t: QueryTarget, domain: Domain, from: number, to: number): string {
  const cols = READING_FIELDS[domain]
    .map((f) => ['min', 'mean', 'max', 'count'].map((stat) => `${stat}(${ident(f)}) AS ${ident(`${f}_${stat}`)}`).join(','))
    .join(',');
  return `SELECT ${cols} FROM ${measurementRef(t, domain)} WHERE ${timeRange(from, to)} GROUP BY time(60000ms),"sensorId","district" fill(none)`;
}

/** History buckets from the rollups: the mean of the minute means (InfluxQL cannot weight by count inside an aggregate). */
export function rollupHistoryQuery(t: QueryTarget, domain: Domain, sensorId: string, from: number, to: number, everyMs: number): string {
  const cols = READING_FIELDS[domain].map((f) => `mean(${ident(`${f}_mean`)}) AS ${ident(f)}`).join(',');
  return `SELECT ${cols} FROM ${measurementRef(t, `${domain}_1m`)} WHERE "sensorId" = ${literal(sensorId)} AND ${timeRange(from, to)} GROUP BY time(${everyMs}ms) fill(none)`;
}

/** District aggregate: mean per field over all readings of the district's sensors, per bucket. */
export function districtHistoryQuery(t: QueryTarget, domain: Domain, district: string, from: number, to: number, everyMs: number): string {
  const cols = READING_FIELDS[domain].map((f) => `mean(${ident(f)}) AS ${ident(f)}`).join(',');
  return `SELECT ${cols} FROM ${measurementRef(t, domain)} WHERE "district" = ${literal(district)} AND ${timeRange(from, to)} GROUP BY time(${everyMs}ms) fill(none)`;
}
