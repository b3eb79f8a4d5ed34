import type { Alert, Domain, ReadingField } from '@cityops/contracts';
import type { DashboardDeps } from './ports.ts';

/** One sensor's values as they stood at the snapshot instant. */
export interface SnapshotReading {
  sensorId: string;
  domain: Domain;
  ts: number;
  fields: Partial<Record<ReadingField, number>>;
}

/** The city at instant `at`: the last reading of each sensor within the look-back, and the alerts open then. */
export interface CitySnapshot {
  at: number;
  lookbackMs: number;
  readings: SnapshotReading[];
  alerts: Alert[];
}

// Parallel history queries: enough to overlap the store's latency, few enough not to starve live ingest.
const CONCURRENCY = 16;

/** An alert was open at `at` if raised by then and not yet resolved; acknowledgements after `at` are undone. */
export function alertAt(alert: Alert, at: number): Alert | null {
  if (Date.parse(alert.raisedAt) > at) return null;
  if (alert.resolvedAt !== undefined && Date.parse(alert.resolvedAt) <= at) return null;
  if (alert.acknowledgedAt !== undefined && Date.parse(alert.acknowledgedAt) > at) {
    const { acknowledgedAt: _at, acknowledgedBy: _by, ...rest } = alert;
    return { ...rest, state: 'active' };
  }
  if (alert.state === 'resolved') return { ...alert, state: alert.acknowledgedAt !== undefined ? 'acknowledged' : 'active' };
  return alert;
}

/**
 * Built from the history port, one query per sensor: correct for any
 * store, and ~10k small indexed queries at 10,000 sensors — a replay step,
 * not a live path.
 */
export async function buildCitySnapshot(deps: Pick<DashboardDeps, 'sensors' | 'history' | 'alerts'>, at: number, lookbackMs: number): Promise<CitySnapshot> {
  const sensors = deps.sensors().features.map((f) => ({ id: f.properties.id, domain: f.properties.domain }));
  const readings: SnapshotReading[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sensors.length) {
      const sensor = sensors[next++];
      if (!sensor) break;
      const series = await deps.history({ sensorId: sensor.id, domain: sensor.domain, from: at - lookbackMs, to: at });
      let last: (typeof series.points)[number] | undefined;
      for (const point of series.points) if (point.ts <= at && (!last || point.ts >= last.ts)) last = point;
      if (last) readings.push({ sensorId: sensor.id, domain: sensor.domain, ts: last.ts, fields: last.fields });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, sensors.length) }, worker));
  const alerts = deps.alerts
    .list({})
    .map((a) => alertAt(a, at))
    .filter((a): a is Alert => a !== null);
  return { at, lookbackMs, readings, alerts };
}
