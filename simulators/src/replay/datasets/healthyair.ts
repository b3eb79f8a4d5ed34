import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { telemetryTopic } from '@cityops/contracts';
import { datasetUnreadable } from '../../errors.ts';
import { formatHcmcTimestamp, HCMC_UTC_OFFSET_MS } from '../../hcmc-time.ts';
import type { ReplayItem } from '../replay-item.ts';
import { emptyStats, PM25_TO_PM10_RATIO, round, skip, type DatasetStats } from './dataset-stats.ts';

/** HealthyAir station N (1–6) is the registry's `air-healthyair-N`. */
export const healthyAirSensorId = (station: number): string => `air-healthyair-${station}`;

type Row = Record<string, string | undefined>;

/** Optional columns → contract field and valid range (contracts §2). */
const OPTIONAL_FIELDS = [
  ['O3', 'o3', 0, 200_000],
  ['CO', 'co', 0, 200_000],
  ['NO2', 'no2', 0, 200_000],
  ['SO2', 'so2', 0, 200_000],
  ['Temperature', 'tempC', -40, 70],
  ['Humidity', 'humidityPct', 0, 100],
] as const;

const DATE = /^(\d{2})-(\d{2})-(\d{4}) (\d{2}):(\d{2})$/;

const numeric = (value: string | undefined): number | null => {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
};

/**
 * The HealthyAir hourly CSV: `DD-MM-YYYY HH:MM` local time, stations 1–6,
 * many blank gas values and some drifting ones. A row needs a date, a known
 * station and a PM2.5 value; blank or out-of-range optional values are left
 * out of that reading (and counted), never the whole row.
 */
export function parseHealthyAirCsv(text: string, options: { city?: string; file?: string } = {}): { items: ReplayItem[]; stats: DatasetStats } {
  const city = options.city ?? 'hcmc';
  let rows: Row[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, relax_column_count: true, bom: true }) as Row[];
  } catch (error) {
    throw datasetUnreadable(options.file ?? 'HealthyAir CSV', (error as Error).message);
  }
  const first = rows[0];
  if (first && !('date' in first && 'Station_No' in first && 'PM2.5' in first)) throw datasetUnreadable(options.file ?? 'HealthyAir CSV', 'missing date / Station_No / PM2.5 columns');
  const stats = emptyStats();
  const items: ReplayItem[] = [];
  for (const row of rows) {
    stats.rows++;
    const m = DATE.exec(row['date'] ?? '');
    const [dd, mm, yyyy, hh, mi] = m ? m.slice(1).map(Number) : [];
    if (!m || mm! < 1 || mm! > 12 || dd! < 1 || dd! > 31 || hh! > 23 || mi! > 59) {
      skip(stats, 'bad_date');
      continue;
    }
    const station = numeric(row['Station_No']);
    if (station === null || !Number.isInteger(station) || station < 1 || station > 6) {
      skip(stats, 'unknown_station');
      continue;
    }
    const pm25 = numeric(row['PM2.5']);
    if (pm25 === null || pm25 < 0 || pm25 > 2000) {
      skip(stats, 'missing_value');
      continue;
    }
    const eventTime = Date.UTC(yyyy!, mm! - 1, dd!, hh!, mi!) - HCMC_UTC_OFFSET_MS;
    // PM10 lies between PM2.5 and total suspended particulates; keep the estimate inside that bracket
    const tsp = numeric(row['TSP']);
    let pm10 = pm25 / PM25_TO_PM10_RATIO;
    if (tsp !== null && tsp >= pm25) pm10 = Math.min(pm10, tsp);
    const payload: Record<string, unknown> = { ts: formatHcmcTimestamp(eventTime), pm25: round(pm25), pm10: round(Math.min(2000, pm10)), pm10Estimated: true };
    for (const [column, field, min, max] of OPTIONAL_FIELDS) {
      const value = numeric(row[column]);
      if (value === null) continue;
      if (value < min || value > max) {
        stats.fieldsDropped++;
        continue;
      }
      payload[field] = round(value);
    }
    const sensorId = healthyAirSensorId(station);
    items.push({ eventTime, topic: telemetryTopic(city, 'air', sensorId), payload: Buffer.from(JSON.stringify(payload)), deviceId: sensorId, sensorIds: [sensorId] });
    stats.valid++;
  }
  return { items, stats };
}

export function loadHealthyAirCsv(file: string, options: { city?: string } = {}): { items: ReplayItem[]; stats: DatasetStats } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw datasetUnreadable(file, (error as Error).message);
  }
  return parseHealthyAirCsv(text, { ...options, file });
}
