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
 * The last reading of each registry sensor in [at − lookback, at] and the
 * alerts open at `at`. With the batched port (`latestIn`) that is one store
 * query per domain for the whole fleet; otherwise one history query per
 * sensor (correct for any store, ~10k small queries at 10,000 sensors).
 */
export async function buildCitySnapshot(deps: Pick<DashboardDeps, 'sensors' | 'history' | 'latestIn' | 'alerts'>, at: number, lookbackMs: number): Promise<CitySnapshot> {
  const sensors = deps.sensors().features.map((f) => ({ id: f.properties.id, domain: f.properties.domain }));
  const readings = deps.latestIn ? await batchedReadings(deps.latestIn, sensors, at, lookbackMs) : await perSensorReadings(deps.history, sensors, at, lookbackMs);
  const alerts = deps.alerts
    .list({})
    .map((a) => alertAt(a, at))
    .filter((a): a is Alert => a !== null);
  return { at, lookbackMs, readings, alerts };
}

type SensorRef = { id: string; domain: Domain };

async function batchedReadings(latestIn: NonNullable<DashboardDeps['latestIn']>, sensors: readonly SensorRef[], at: number, lookbackMs: number): Promise<SnapshotReading[]> {
  // Windows are [from, to) in epoch ms: to = at + 1 takes a reading stamped exactly at `at`.
  const found = await latestIn({ from: at - lookbackMs, to: at + 1 });
  // The store may hold sensors the registry no longer has (or had in another domain): the map shows the registry.
  const known = new Set(sensors.map((s) => `${s.domain}\u0000${s.id}`));
  const readings: SnapshotReading[] = [];
  for (const r of found) {
    if (known.has(`${r.domain}\u0000${r.sensorId}`)) readings.push({ sensorId: r.sensorId, domain: r.domain, ts: r.ts, fields: r.fields });
  }
  return readings;
}

async function perSensorReadings(history: DashboardDeps['history'], sensors: readonly SensorRef[], at: number, lookbackMs: number): Promise<SnapshotReading[]> {
  const readings: SnapshotReading[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sensors.length) {
      const sensor = sensors[next++];
      if (!sensor) break;
      const series = await history({ sensorId: sensor.id, domain: sensor.domain, from: at - lookbackMs, to: at + 1 });
      let last: (typeof series.points)[number] | undefined;
      for (const point of series.points) if (point.ts <= at && (!last || point.ts >= last.ts)) last = point;
      if (last) readings.push({ sensorId: sensor.id, domain: sensor.domain, ts: last.ts, fields: last.fields });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, sensors.length) }, worker));
  return readings;
}
