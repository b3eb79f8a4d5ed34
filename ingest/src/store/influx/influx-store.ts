import type { Logger } from 'pino';
import { DOMAINS, isDomain, type Domain, type Reading } from '@cityops/contracts';
import { invalidQueryError, isIngestError, storeClosedError, storeConfigInvalidError, storeQueryFailedError } from '../../errors.ts';
import type { HistoryPoint, HistoryQuery, HistorySeries, TelemetryStore } from '../telemetry-store.ts';
import { influxQuery, postV1Write, type InfluxAuth } from './influx-http.ts';
import { checkHistoryQuery, checkTimeWindow } from '../history-query.ts';
import { checkDistrictQuery, type DistrictHistoryStore } from '../district-history.ts';
import { bucketHistoryQuery, countQuery, districtHistoryQuery, ident, latestQuery, rawHistoryQuery, rollupComputeQuery, rollupHistoryQuery, rowFields, type QueryTarget } from './influxql.ts';
import { RECEIVED_AT_FIELD, escapeTag, readingsToLines } from './line-protocol.ts';
import { DEFAULT_ROLLUP_HISTORY_MIN_RANGE_MS, rollupMeasurement, useRollups, type RollupStore } from '../../rollup/rollup-port.ts';
import { createV2Writer } from './v2-writer.ts';

export interface InfluxTelemetryStoreOptions {
  url: string;
  /**
   * `v2`: `/api/v2/write` via @influxdata/influxdb-client (InfluxDB 2.x, 3 Core, 1.8+ compat);
   * `v1`: `/write?db=&rp=` (InfluxDB 1.x before 1.8). Reads are InfluxQL `/query` either way.
   */
  api: 'v1' | 'v2';
  /** v2: org + bucket + token */
  org?: string;
  bucket?: string;
  token?: string;
  /** v1: database (+ retention policy), optional user/password */
  database?: string;
  retentionPolicy?: string;
  username?: string;
  password?: string;
  logger: Logger;
  /** readings per HTTP request (default 5000) */
  chunkReadings?: number;
  /** HTTP write requests in flight at once, the memory bound (default 4) */
  maxInFlight?: number;
  timeoutMs?: number;
  /** v1: CREATE DATABASE on open (needs admin rights; a failure is only logged). Default true. */
  createDatabase?: boolean;
  /** history spanning more than this (with whole-minute everyMs) reads the `<domain>_1m` rollups */
  rollupHistoryMinRangeMs?: number;
}

export const DEFAULT_INFLUX_CHUNK_READINGS = 5000;
export const DEFAULT_INFLUX_MAX_IN_FLIGHT = 4;

/** The write half, exposed for the benchmark and the v2 write-path test. */
export type LinesWriter = (lines: string[]) => Promise<void>;

/** Runs `task` over `items` with at most `limit` running; rejects with the first failure after all settle. */
async function boundedAll<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) {
    // "Unavailable" wins: the batch must go to the spool, not to dead letters.
    throw errors.find((e) => isIngestError(e, 'CITYOPS_INGEST_STORE_UNAVAILABLE')) ?? errors[0];
  }
}

/**
 * TelemetryStore on InfluxDB (contracts §8 schema). write() resolves only when
 * every chunk was answered 204 by the server, so "resolved" means "in InfluxDB's WAL".
 */
export async function createInfluxTelemetryStore(options: InfluxTelemetryStoreOptions): Promise<TelemetryStore & RollupStore & DistrictHistoryStore & { writeLines: LinesWriter }> {
  const rollupMinRange = options.rollupHistoryMinRangeMs ?? DEFAULT_ROLLUP_HISTORY_MIN_RANGE_MS;
  const log = options.logger.child({ module: 'influx-telemetry-store', api: options.api });
  const url = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const chunk = options.chunkReadings ?? DEFAULT_INFLUX_CHUNK_READINGS;
  const maxInFlight = options.maxInFlight ?? DEFAULT_INFLUX_MAX_IN_FLIGHT;
  const auth: InfluxAuth = {
    ...(options.token ? { token: options.token } : {}),
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
  };

  let database: string;
  let target: QueryTarget;
  let writeLines: LinesWriter;
  if (options.api === 'v2') {
    if (!options.org || !options.bucket) throw storeConfigInvalidError('the v2 API needs an org and a bucket');
    database = options.bucket;
    target = { database };
    writeLines = createV2Writer({ url, org: options.org, bucket: options.bucket, timeoutMs, ...(options.token ? { token: options.token } : {}) });
  } else {
    if (!options.database) throw storeConfigInvalidError('the v1 API needs a database');
    database = options.database;
    target = { database, ...(options.retentionPolicy ? { retentionPolicy: options.retentionPolicy } : {}) };
    const t = target;
    const db = database;
    // Not fatal when it fails: the database may exist and the user lack admin rights, or the
    // server be down (the spool covers that) — then it is tried again before the next write.
    let dbReady = options.createDatabase === false;
    const ensureDatabase = async (): Promise<void> => {
      if (dbReady) return;
      try {
        await influxQuery(url, db, auth, `CREATE DATABASE ${ident(db)}`, timeoutMs, 'POST');
        dbReady = true;
      } catch (err) {
        log.warn({ err, database: db }, 'could not CREATE DATABASE; assuming it exists');
      }
    };
    await ensureDatabase();
    writeLines = async (lines) => {
      await ensureDatabase();
      await postV1Write(url, t, auth, lines.join('\n'), timeoutMs);
    };
  }

  const query = (q: string) => influxQuery(url, database, auth, q, timeoutMs);
  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw storeClosedError();
  };

  /** latest() and latestIn(): one InfluxQL query per domain, in parallel; the last row of each sensor. */
  const lastPerSensor = async (window?: { from: number; to: number }): Promise<Reading[]> => {
    const out: Reading[] = [];
    const perDomain = await Promise.all(DOMAINS.map(async (d) => [d, await query(latestQuery(target, d, window))] as const));
    for (const [domain, res] of perDomain) {
      for (const s of res.results?.[0]?.series ?? []) {
        const row = s.values[0];
        const sensorId = s.tags?.sensorId;
        if (!row || sensorId === undefined) continue;
        const at = (c: string): unknown => row[s.columns.indexOf(c)];
        const receivedAt = at(RECEIVED_AT_FIELD);
        const reading: Reading = {
          sensorId,
          domain: domain as Domain,
          ts: row[0] as number,
          receivedAt: typeof receivedAt === 'number' ? receivedAt : (row[0] as number),
          fields: rowFields(domain, s.columns, row),
        };
        const district = at('district');
        if (typeof district === 'string' && district !== '') reading.district = district;
        out.push(reading);
      }
    }
    return out.sort((a, b) => (a.domain === b.domain ? (a.sensorId < b.sensorId ? -1 : 1) : DOMAINS.indexOf(a.domain) - DOMAINS.indexOf(b.domain)));
  };

  log.info({ url, database, chunk, maxInFlight }, 'InfluxDB telemetry store opened');

  return {
    writeLines,

    async write(readings: readonly Reading[]) {
      ensureOpen();
      if (readings.length === 0) return;
      const chunks: Reading[][] = [];
      for (let i = 0; i < readings.length; i += chunk) chunks.push(readings.slice(i, i + chunk));
      await boundedAll(chunks, maxInFlight, (c) => writeLines(readingsToLines(c)));
    },

    async history(q: HistoryQuery): Promise<HistorySeries> {
      ensureOpen();
      const result = checkHistoryQuery(q);
      const { sensorId, domain, from, to, everyMs } = q;
      if (to === from) return result;
      const res = await query(
        everyMs === undefined
          ? rawHistoryQuery(target, domain, sensorId, from, to)
          : useRollups(from, to, everyMs, rollupMinRange)
            ? rollupHistoryQuery(target, domain, sensorId, from, to, everyMs)
            : bucketHistoryQuery(target, domain, sensorId, from, to, everyMs),
      );
      const points: HistoryPoint[] = [];
      for (const s of res.results?.[0]?.series ?? []) {
        for (const row of s.values) {
          const fields = rowFields(domain, s.columns, row);
          if (Object.keys(fields).length > 0) points.push({ ts: row[0] as number, fields });
        }
      }
      points.sort((a, b) => a.ts - b.ts);
      result.points = points;
      return result;
    },

    async latest() {
      ensureOpen();
      return lastPerSensor();
    },

    async latestIn(window) {
      ensureOpen();
      checkTimeWindow(window);
      if (window.to === window.from) return [];
      return lastPerSensor(window);
    },

    async count(filter?: { sensorId?: string }): Promise<number> {
      ensureOpen();
      const res = await query(countQuery(target, filter?.sensorId));
      let n = 0;
      for (const s of res.results?.[0]?.series ?? []) for (const row of s.values) if (typeof row[1] === 'number') n += row[1];
      return n;
    },

    async districtHistory(q) {
      ensureOpen();
      if (!isDomain(q.domain)) throw invalidQueryError(`unknown domain ${JSON.stringify(q.domain)}`);
      checkDistrictQuery(q);
      const res = await query(districtHistoryQuery(target, q.domain, q.district, q.from, q.to, q.everyMs));
      const points: Array<{ ts: number; fields: ReturnType<typeof rowFields> }> = [];
      for (const s of res.results?.[0]?.series ?? []) {
        for (const row of s.values) {
          const fields = rowFields(q.domain, s.columns, row);
          if (Object.keys(fields).length > 0) points.push({ ts: row[0] as number, fields });
        }
      }
      return { ...q, points: points.sort((a, b) => a.ts - b.ts) };
    },

    async rollup(domain, from, to) {
      ensureOpen();
      const res = await query(rollupComputeQuery(target, domain, from, to));
      const lines: string[] = [];
      for (const s of res.results?.[0]?.series ?? []) {
        const sensorId = s.tags?.sensorId;
        if (!sensorId) continue;
        let key = `${rollupMeasurement(domain)},sensorId=${escapeTag(sensorId)}`;
        if (s.tags?.district) key += `,district=${escapeTag(s.tags.district)}`;
        for (const row of s.values) {
          const fields: string[] = [];
          for (let i = 1; i < s.columns.length; i++) {
            const v = row[i];
            // count 0 = the field was absent that minute; contracts §8 keeps every field a float.
            if (typeof v === 'number' && !(v === 0 && s.columns[i]!.endsWith('_count'))) fields.push(`${s.columns[i]}=${v}`);
          }
          if (fields.length > 0) lines.push(`${key} ${fields.join(',')} ${row[0] as number}`);
        }
      }
      for (let i = 0; i < lines.length; i += chunk) await writeLines(lines.slice(i, i + chunk));
      return lines.length;
    },

    async applyRetention({ rawBefore, rollupBefore }) {
      ensureOpen();
      const cutoffs = [...DOMAINS.map((d) => [d, rawBefore] as const), ...DOMAINS.map((d) => [rollupMeasurement(d), rollupBefore] as const)];
      for (const [measurement, before] of cutoffs) {
        if (options.api === 'v1') {
          await influxQuery(url, database, auth, `DELETE FROM ${ident(measurement)} WHERE time < ${Math.trunc(before)}ms`, timeoutMs, 'POST');
        } else {
          // InfluxDB 2.x: the delete API (InfluxQL DELETE is not served on /query there).
          const params = new URLSearchParams({ org: options.org!, bucket: options.bucket! });
          const res = await fetch(`${url}/api/v2/delete?${params}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Token ${options.token}` } : {}) },
            body: JSON.stringify({ start: '1970-01-01T00:00:00Z', stop: new Date(before).toISOString(), predicate: `_measurement="${measurement}"` }),
            signal: AbortSignal.timeout(timeoutMs),
          });
          const text = await res.text();
          if (res.status >= 300) throw storeQueryFailedError(`retention delete of ${measurement} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
        }
      }
      log.info({ rawBefore, rollupBefore }, 'retention applied');
    },

    async close() {
      closed = true;
    },
  };
}

