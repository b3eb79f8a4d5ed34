import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from '@cityops/sqlite';
import type { Statement } from '@cityops/sqlite';
import type { Logger } from 'pino';
import { DOMAINS, READING_FIELDS, isDomain, type Domain, type Reading, type ReadingField } from '@cityops/contracts';
import { invalidQueryError, storeClosedError, storeOpenFailedError, storeWriteFailedError } from '../errors.ts';
import { rollupTableOf, schemaSql, tableOf } from './embedded-schema.ts';
import { checkHistoryQuery, checkTimeWindow } from './history-query.ts';
import { checkDistrictQuery, type DistrictHistoryStore } from './district-history.ts';
import { DEFAULT_ROLLUP_HISTORY_MIN_RANGE_MS, ROLLUP_MS, useRollups, type RollupStore } from '../rollup/rollup-port.ts';
import type { HistoryPoint, HistoryQuery, HistorySeries, TelemetryStore } from './telemetry-store.ts';

export const EMBEDDED_STORE_FILE = 'telemetry.db';

export interface EmbeddedTelemetryStoreOptions {
  dataDir: string;
  logger: Logger;
  /** history spanning more than this (with whole-minute everyMs) reads the 1-minute rollups */
  rollupHistoryMinRangeMs?: number;
}

interface SeriesEntry {
  id: number;
  district: string | null;
}

type Row = unknown[];

interface DomainStatements {
  fields: readonly ReadingField[];
  insert: Statement;
  /** reused bind array: series_id, ts, received_at, ...fields */
  params: unknown[];
  raw: Statement;
  buckets: Statement;
  latest: Statement;
  /** latest row per series within [@from, @to) */
  latestIn: Statement;
  countAll: Statement;
  countSeries: Statement;
  /** recompute [@from, @to) of the rollup table from raw rows */
  rollup: Statement;
  /** buckets from rollups: count-weighted mean per field */
  rollupBuckets: Statement;
  deleteRaw: Statement;
  deleteRollups: Statement;
  districtBuckets: Statement;
}

function fieldsOf(fields: readonly ReadingField[], row: Row, offset: number): Partial<Record<ReadingField, number>> {
  const out: Partial<Record<ReadingField, number>> = {};
  for (let i = 0; i < fields.length; i++) {
    const v = row[offset + i];
    if (typeof v === 'number') out[fields[i]!] = v;
  }
  return out;
}

function prepareDomain(db: Database.Database, domain: Domain): DomainStatements {
  const fields = READING_FIELDS[domain];
  const t = tableOf(domain);
  const cols = fields.map((f) => `"${f}"`).join(', ');
  const avgs = fields.map((f) => `avg("${f}")`).join(', ');
  const marks = fields.map(() => '?').join(', ');
  return {
    fields,
    insert: db.prepare(`INSERT OR REPLACE INTO ${t} (series_id, ts, received_at, ${cols}) VALUES (?, ?, ?, ${marks})`),
    params: new Array<unknown>(3 + fields.length),
    raw: db.prepare(`SELECT ts, ${cols} FROM ${t} WHERE series_id = ? AND ts >= ? AND ts < ? ORDER BY ts`).raw(),
    // Floor-aligned to the epoch even for negative ts (SQLite's % truncates toward zero).
    buckets: db
      .prepare(
        `SELECT ts - ((ts % @every) + @every) % @every AS b, ${avgs} FROM ${t}
         WHERE series_id = @series AND ts >= @from AND ts < @to GROUP BY b ORDER BY b`,
      )
      .raw(),
    latest: db
      .prepare(
        `SELECT s.sensor_id, s.district, r.ts, r.received_at, ${fields.map((f) => `r."${f}"`).join(', ')}
         FROM ingest_series s JOIN ${t} r
           ON r.series_id = s.id AND r.ts = (SELECT max(ts) FROM ${t} WHERE series_id = s.id)
         WHERE s.domain = ? ORDER BY s.sensor_id`,
      )
      .raw(),
    // One statement for every series: per series the max(ts) in range is one seek on the (series_id, ts) key,
    // where a GROUP BY over the window would scan every row of it.
    latestIn: db
      .prepare(
        `SELECT s.sensor_id, s.district, r.ts, r.received_at, ${fields.map((f) => `r."${f}"`).join(', ')}
         FROM ingest_series s JOIN ${t} r
           ON r.series_id = s.id AND r.ts = (SELECT max(ts) FROM ${t} WHERE series_id = s.id AND ts >= @from AND ts < @to)
         WHERE s.domain = @domain ORDER BY s.sensor_id`,
      )
      .raw(),
    rollup: db.prepare(
      `INSERT OR REPLACE INTO ${rollupTableOf(domain)} (series_id, ts, ${fields.map((f) => `"${f}_min", "${f}_mean", "${f}_max", "${f}_count"`).join(', ')})
       SELECT series_id, ts - ((ts % ${ROLLUP_MS}) + ${ROLLUP_MS}) % ${ROLLUP_MS} AS m, ${fields.map((f) => `min("${f}"), avg("${f}"), max("${f}"), count("${f}")`).join(', ')}
       FROM ${t} WHERE ts >= @from AND ts < @to GROUP BY series_id, m`,
    ),
    rollupBuckets: db
      .prepare(
        `SELECT ts - ((ts % @every) + @every) % @every AS b,
           ${fields.map((f) => `sum("${f}_mean" * "${f}_count") / nullif(sum("${f}_count"), 0)`).join(', ')}
         FROM ${rollupTableOf(domain)} WHERE series_id = @series AND ts >= @from AND ts < @to GROUP BY b ORDER BY b`,
      )
      .raw(),
    districtBuckets: db
      .prepare(
        `SELECT r.ts - ((r.ts % @every) + @every) % @every AS b, ${fields.map((f) => `avg(r."${f}")`).join(', ')}
         FROM ${t} r JOIN ingest_series s ON s.id = r.series_id
         WHERE s.district = @district AND r.ts >= @from AND r.ts < @to GROUP BY b ORDER BY b`,
      )
      .raw(),
    deleteRaw: db.prepare(`DELETE FROM ${t} WHERE ts < ?`),
    deleteRollups: db.prepare(`DELETE FROM ${rollupTableOf(domain)} WHERE ts < ?`),
    countAll: db.prepare(`SELECT count(*) FROM ${t}`).pluck(),
    countSeries: db.prepare(`SELECT count(*) FROM ${t} WHERE series_id = ?`).pluck(),
  };
}

/**
 * The embedded TelemetryStore on SQLite (chosen by measurement, docs/storage-engines.md).
 * WAL with synchronous=FULL: every commit fsyncs the WAL, so a resolved write()
 * survives power loss, not just a process kill; one transaction per batch keeps
 * that to one fsync per group commit.
 */
export async function createEmbeddedTelemetryStore(options: EmbeddedTelemetryStoreOptions): Promise<TelemetryStore & RollupStore & DistrictHistoryStore> {
  const rollupMinRange = options.rollupHistoryMinRangeMs ?? DEFAULT_ROLLUP_HISTORY_MIN_RANGE_MS;
  const log = options.logger.child({ module: 'embedded-telemetry-store' });
  const path = join(options.dataDir, EMBEDDED_STORE_FILE);
  let db: Database.Database;
  try {
    mkdirSync(options.dataDir, { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(schemaSql());
  } catch (err) {
    throw storeOpenFailedError(path, err);
  }

  const stmts = Object.fromEntries(DOMAINS.map((d) => [d, prepareDomain(db, d)])) as Record<Domain, DomainStatements>;
  const upsertSeries = db
    .prepare(
      `INSERT INTO ingest_series (domain, sensor_id, district) VALUES (?, ?, ?)
       ON CONFLICT (domain, sensor_id) DO UPDATE SET district = coalesce(excluded.district, district)
       RETURNING id`,
    )
    .pluck();
  const seriesBySensor = db.prepare('SELECT domain, id FROM ingest_series WHERE sensor_id = ?').raw();
  const allSeries = db.prepare('SELECT domain, sensor_id, id, district FROM ingest_series').raw();

  // Series ids are interned in memory: one Map lookup per reading instead of a query.
  const series: Record<Domain, Map<string, SeriesEntry>> = { traffic: new Map(), flood: new Map(), air: new Map() };
  const loadSeries = (): void => {
    for (const d of DOMAINS) series[d].clear();
    for (const row of allSeries.all() as Row[]) {
      const [domain, sensorId, id, district] = row as [Domain, string, number, string | null];
      if (isDomain(domain)) series[domain].set(sensorId, { id, district });
    }
  };
  loadSeries();

  const seriesFor = (r: Reading): number => {
    const entry = series[r.domain].get(r.sensorId);
    const district = r.district ?? null;
    if (entry && (district === null || district === entry.district)) return entry.id;
    const id = upsertSeries.get(r.domain, r.sensorId, district) as number;
    series[r.domain].set(r.sensorId, { id, district: district ?? entry?.district ?? null });
    return id;
  };

  const writeBatch = db.transaction((readings: readonly Reading[]) => {
    for (const r of readings) {
      const s = stmts[r.domain];
      const p = s.params;
      p[0] = seriesFor(r);
      p[1] = r.ts;
      p[2] = r.receivedAt;
      const f = r.fields as Record<string, number | undefined>;
      for (let i = 0; i < s.fields.length; i++) p[3 + i] = f[s.fields[i]!] ?? null;
      s.insert.run(p);
    }
  });

  /** Rows of the latest/latestIn statements: sensor_id, district, ts, received_at, ...fields. */
  const readingRows = (domain: Domain, rows: readonly Row[]): Reading[] => {
    const fields = stmts[domain].fields;
    return rows.map((row) => {
      const reading: Reading = { sensorId: row[0] as string, domain, ts: row[2] as number, receivedAt: row[3] as number, fields: fieldsOf(fields, row, 4) };
      if (typeof row[1] === 'string') reading.district = row[1];
      return reading;
    });
  };

  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw storeClosedError();
  };

  log.info({ path, series: DOMAINS.reduce((n, d) => n + series[d].size, 0) }, 'telemetry store opened');

  return {
    async write(readings) {
      ensureOpen();
      if (readings.length === 0) return;
      try {
        writeBatch(readings);
      } catch (err) {
        // The rolled-back transaction may have held new series ids; re-read the truth.
        loadSeries();
        throw storeWriteFailedError(readings.length, err);
      }
    },

    async history(query: HistoryQuery): Promise<HistorySeries> {
      ensureOpen();
      const result = checkHistoryQuery(query);
      const { sensorId, domain, from, to, everyMs } = query;
      const entry = series[domain].get(sensorId);
      if (!entry) return result;
      const s = stmts[domain];
      const rows = (
        everyMs === undefined
          ? s.raw.all(entry.id, from, to)
          : useRollups(from, to, everyMs, rollupMinRange)
            ? s.rollupBuckets.all({ every: everyMs, series: entry.id, from, to })
            : s.buckets.all({ every: everyMs, series: entry.id, from, to })
      ) as Row[];
      const points: HistoryPoint[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        points[i] = { ts: row[0] as number, fields: fieldsOf(s.fields, row, 1) };
      }
      result.points = points;
      return result;
    },

    async latest(): Promise<Reading[]> {
      ensureOpen();
      const out: Reading[] = [];
      for (const domain of DOMAINS) for (const reading of readingRows(domain, stmts[domain].latest.all(domain) as Row[])) out.push(reading);
      return out;
    },

    async latestIn(window) {
      ensureOpen();
      checkTimeWindow(window);
      const out: Reading[] = [];
      if (window.to === window.from) return out;
      for (const domain of DOMAINS) {
        const rows = stmts[domain].latestIn.all({ domain, from: window.from, to: window.to }) as Row[];
        for (const reading of readingRows(domain, rows)) out.push(reading);
      }
      return out;
    },

    async count(filter?: { sensorId?: string }): Promise<number> {
      ensureOpen();
      if (filter?.sensorId === undefined) {
        return DOMAINS.reduce((n, d) => n + (stmts[d].countAll.get() as number), 0);
      }
      let n = 0;
      for (const row of seriesBySensor.all(filter.sensorId) as Row[]) {
        const [domain, id] = row as [Domain, number];
        if (isDomain(domain)) n += stmts[domain].countSeries.get(id) as number;
      }
      return n;
    },

    async rollup(domain, from, to) {
      ensureOpen();
      return stmts[domain].rollup.run({ from, to }).changes;
    },

    async districtHistory(q) {
      ensureOpen();
      if (!isDomain(q.domain)) throw invalidQueryError(`unknown domain ${JSON.stringify(q.domain)}`);
      checkDistrictQuery(q);
      const s = stmts[q.domain];
      const rows = s.districtBuckets.all({ every: q.everyMs, district: q.district, from: q.from, to: q.to }) as Row[];
      return { ...q, points: rows.map((row) => ({ ts: row[0] as number, fields: fieldsOf(s.fields, row, 1) })) };
    },

    async applyRetention({ rawBefore, rollupBefore }) {
      ensureOpen();
      let raw = 0;
      let rollups = 0;
      db.transaction(() => {
        for (const d of DOMAINS) {
          raw += stmts[d].deleteRaw.run(rawBefore).changes;
          rollups += stmts[d].deleteRollups.run(rollupBefore).changes;
        }
      })();
      if (raw + rollups > 0) log.info({ raw, rollups, rawBefore, rollupBefore }, 'retention applied');
    },

    async close() {
      if (closed) return;
      closed = true;
      db.close();
      log.info({ path }, 'telemetry store closed');
    },
  };
}
