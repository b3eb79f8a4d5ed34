import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { telemetryTopic } from '@cityops/contracts';
import { datasetUnreadable } from '../../errors.ts';
import { formatHcmcTimestamp, HCMC_UTC_OFFSET_MS } from '../../hcmc-time.ts';
import type { ReplayItem } from '../replay-item.ts';
import { emptyStats, PM25_TO_PM10_RATIO, round, skip, type DatasetStats } from './dataset-stats.ts';

/** The registry's sensor for the US Consulate monitor. */
export const US_CONSULATE_SENSOR_ID = 'air-us-consulate';
const MISSING = -999;

type Row = Record<string, string | undefined>;

/**
 * The US Consulate HCMC PM2.5 export (AirNow/StateAir): semicolon-separated,
 * local time, −999 for missing, and only `QC Name` = `Valid` rows are usable.
 * Time comes from the numeric Year/Month/Day/Hour columns (hour 0–23, local),
 * which are unambiguous, rather than the 12-hour `Date (LT)` text.
 */
export function parseUsConsulateCsv(text: string, options: { city?: string; file?: string } = {}): { items: ReplayItem[]; stats: DatasetStats } {
  const city = options.city ?? 'hcmc';
  let rows: Row[];
  try {
    rows = parse(text, { delimiter: ';', columns: true, skip_empty_lines: true, trim: true, relax_column_count: true, bom: true }) as Row[];
  } catch (error) {
    throw datasetUnreadable(options.file ?? 'US Consulate CSV', (error as Error).message);
  }
  const first = rows[0];
  if (first && !('QC Name' in first && 'Raw Conc.' in first)) throw datasetUnreadable(options.file ?? 'US Consulate CSV', 'missing "QC Name" / "Raw Conc." columns');
  const stats = emptyStats();
  const items: ReplayItem[] = [];
  const topic = telemetryTopic(city, 'air', US_CONSULATE_SENSOR_ID);
  for (const row of rows) {
    stats.rows++;
    if (row['QC Name'] !== 'Valid') {
      skip(stats, 'qc_not_valid');
      continue;
    }
    const [y, mo, d, h] = ['Year', 'Month', 'Day', 'Hour'].map((k) => Number(row[k]));
    if (![y, mo, d, h].every((n) => n !== undefined && Number.isInteger(n)) || h! < 0 || h! > 23 || mo! < 1 || mo! > 12 || d! < 1 || d! > 31) {
      skip(stats, 'bad_date');
      continue;
    }
    const raw = Number(row['Raw Conc.']);
    if (row['Raw Conc.'] === '' || !Number.isFinite(raw) || raw === MISSING || raw < 0 || raw > 2000) {
      skip(stats, 'missing_value');
      continue;
    }
    const eventTime = Date.UTC(y!, mo! - 1, d!, h!) - HCMC_UTC_OFFSET_MS;
    const payload = { ts: formatHcmcTimestamp(eventTime), pm25: raw, pm10: round(Math.min(2000, raw / PM25_TO_PM10_RATIO), 1), pm10Estimated: true };
    items.push({ eventTime, topic, payload: Buffer.from(JSON.stringify(payload)), deviceId: US_CONSULATE_SENSOR_ID, sensorIds: [US_CONSULATE_SENSOR_ID] });
    stats.valid++;
  }
  return { items, stats };
}

export function loadUsConsulateCsv(file: string, options: { city?: string } = {}): { items: ReplayItem[]; stats: DatasetStats } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw datasetUnreadable(file, (error as Error).message);
  }
  return parseUsConsulateCsv(text, { ...options, file });
}
