import { DOMAINS, READING_FIELDS, type Domain } from '@cityops/contracts';

/**
 * Layout of the embedded telemetry store, kept close to contracts §8:
 * one table per domain (= measurement) with one REAL column per field, and the
 * tags (sensorId, district) interned once in `ingest_series`, the way InfluxDB keys
 * a series. Per-domain tables hold no all-NULL columns of other domains, and the
 * integer series id keeps each row ~50 bytes instead of repeating the sensor id.
 * WITHOUT ROWID + PRIMARY KEY (series_id, ts) clusters one sensor's readings in
 * time order (history = one range scan) and makes (domain, sensorId, ts) unique.
 */
export const SCHEMA_VERSION = 1;

export const tableOf = (domain: Domain): string => `ingest_${domain}`;
/** contracts §8 rollups `<domain>_1m`: one row per series and minute, `<field>_min|_mean|_max|_count` columns. */
export const rollupTableOf = (domain: Domain): string => `ingest_${domain}_1m`;

export function schemaSql(): string {
  const tables = DOMAINS.map((d) => {
    const cols = READING_FIELDS[d].map((f) => `"${f}" REAL`).join(', ');
    return `CREATE TABLE IF NOT EXISTS ${tableOf(d)} (
      series_id INTEGER NOT NULL,
      ts INTEGER NOT NULL,
      received_at INTEGER NOT NULL,
      ${cols},
      PRIMARY KEY (series_id, ts)
    ) WITHOUT ROWID;`;
  });
  const rollups = DOMAINS.map((d) => {
    const cols = READING_FIELDS[d].map((f) => `"${f}_min" REAL, "${f}_mean" REAL, "${f}_max" REAL, "${f}_count" INTEGER`).join(', ');
    return `CREATE TABLE IF NOT EXISTS ${rollupTableOf(d)} (
      series_id INTEGER NOT NULL,
      ts INTEGER NOT NULL,
      ${cols},
      PRIMARY KEY (series_id, ts)
    ) WITHOUT ROWID;`;
  });
  return `
    CREATE TABLE IF NOT EXISTS ingest_series (
      id INTEGER PRIMARY KEY,
      domain TEXT NOT NULL,
      sensor_id TEXT NOT NULL,
      district TEXT,
      UNIQUE (domain, sensor_id)
    );
    CREATE INDEX IF NOT EXISTS ingest_series_sensor ON ingest_series (sensor_id);
    ${tables.join('\n')}
    ${rollups.join('\n')}
  `;
}
