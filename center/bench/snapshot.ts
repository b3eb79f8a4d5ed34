/*
 * GET /api/snapshot (the map's time slider) with 1,000 and 10,000 sensors, on
 * the embedded SQLite store and on InfluxDB 1.6: the batched port
 * (TelemetryStore.latestIn, one query per domain) against the per-sensor
 * history path it replaced (one query per sensor, 16 in flight). Both answer
 * through the real dashboard server and must return the same readings.
 *
 *   npx tsx center/bench/snapshot.ts [--sensors 1000,10000] [--runs 5] [--stores sqlite,influx]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from '@cityops/sqlite';
import { pino } from 'pino';
import type { Domain, LiveSensorCollection, Reading } from '@cityops/contracts';
import { buildDashboard, createSqliteOperatorAccounts } from '@cityops/dashboard';
import { createEmbeddedTelemetryStore, createInfluxTelemetryStore, type TelemetryStore } from '@cityops/ingest';
import { startInfluxDb1, type RealServer } from '@cityops/ingest/test-support';

const { values } = parseArgs({
  options: { sensors: { type: 'string', default: '1000,10000' }, runs: { type: 'string', default: '5' }, stores: { type: 'string', default: 'sqlite,influx' } },
});
const SIZES = values.sensors.split(',').map(Number);
const RUNS = Number(values.runs);
const STORES = values.stores.split(',');
const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 24, 0, 0, 0);
/** 30 minutes of readings, each sensor every 1–5 minutes; the snapshot looks at minute 20 with the default 15-minute look-back. */
const SPAN_MIN = 30;
const AT = T0 + 20 * MIN;
const logger = pino({ level: 'silent' });
const DOMAINS: Domain[] = ['traffic', 'flood', 'air'];

function fleet(n: number): { collection: LiveSensorCollection; readings: Reading[] } {
  const features: LiveSensorCollection['features'] = [];
  const readings: Reading[] = [];
  for (let i = 0; i < n; i++) {
    const domain = DOMAINS[i % 3]!;
    const id = `${domain.slice(0, 3)}-bench${i}`;
    features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [106.6 + (i % 100) / 1000, 10.7 + Math.floor(i / 100) / 1000] }, properties: { id, domain, name: id, district: 'Quận 1', online: true, latest: null } });
    const every = (i % 5) + 1;
    for (let m = 0; m < SPAN_MIN; m += every) {
      const ts = T0 + m * MIN + (i % 60) * 1000;
      const fields = domain === 'traffic' ? { speedKmh: m, intervalS: 60 } : domain === 'flood' ? { waterLevelCm: m, intervalS: 60 } : { pm25: m, pm10: m };
      readings.push({ sensorId: id, domain, ts, receivedAt: ts, fields, district: 'Quận 1' });
    }
  }
  return { collection: { type: 'FeatureCollection', features }, readings };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(store: TelemetryStore, collection: LiveSensorCollection, batched: boolean): Promise<{ ms: number[]; readings: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'cityops-snapshot-bench-'));
  const db = new BetterSqlite3(join(dir, 'center.db'));
  const users = createSqliteOperatorAccounts(db, { scryptCost: 1024 });
  const { password } = await users.add('bench', 'viewer');
  const dashboard = await buildDashboard(
    {
      sensors: () => collection,
      history: (q) => store.history(q),
      ...(batched ? { latestIn: (w: { from: number; to: number }) => store.latestIn(w) } : {}),
      alerts: { list: () => [], acknowledge: () => { throw new Error('read-only'); } },
      users,
      ready: async () => ({ ok: true, checks: {} }),
      metrics: { contentType: 'text/plain', render: async () => '' },
      logger,
    },
    { webRoot: dir, basemapDir: dir, clock: () => AT },
  );
  const authorization = `Basic ${Buffer.from(`bench:${password}`).toString('base64')}`;
  const ms: number[] = [];
  let readings: string[] = [];
  try {
    for (let run = 0; run < RUNS + 1; run++) {
      const started = performance.now();
      const res = await dashboard.app.inject({ method: 'GET', url: `/api/snapshot?at=${AT}`, headers: { authorization } });
      const elapsed = performance.now() - started;
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${res.body.slice(0, 200)}`);
      // The first run warms caches (and the JIT); it is not counted.
      if (run > 0) ms.push(elapsed);
      readings = res.json<{ readings: Array<{ sensorId: string; ts: number }> }>().readings.map((r) => `${r.sensorId}@${r.ts}`).sort();
    }
  } finally {
    await dashboard.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { ms, readings };
}

async function main(): Promise<void> {
  let influx: RealServer | undefined;
  const rows: string[] = [];
  try {
    for (const kind of STORES) {
      for (const n of SIZES) {
        const { collection, readings } = fleet(n);
        let store: TelemetryStore;
        let cleanup = async (): Promise<void> => {};
        if (kind === 'sqlite') {
          const dataDir = mkdtempSync(join(tmpdir(), 'cityops-snapshot-bench-store-'));
          store = await createEmbeddedTelemetryStore({ dataDir, logger });
          cleanup = async () => rmSync(dataDir, { recursive: true, force: true });
        } else {
          influx ??= await startInfluxDb1();
          store = await createInfluxTelemetryStore({ url: influx.url, api: 'v1', database: `bench_${n}`, logger });
        }
        for (let i = 0; i < readings.length; i += 20_000) await store.write(readings.slice(i, i + 20_000));
        const before = await measure(store, collection, false);
        const after = await measure(store, collection, true);
        const same = before.readings.length === after.readings.length && before.readings.every((r, i) => r === after.readings[i]);
        if (!same) throw new Error(`${kind} ${n}: the two paths disagree (${before.readings.length} vs ${after.readings.length} readings)`);
        rows.push(
          `| ${kind === 'sqlite' ? 'embedded SQLite' : 'InfluxDB 1.6'} | ${n.toLocaleString('en')} | ${readings.length.toLocaleString('en')} | ${after.readings.length.toLocaleString('en')} | ${median(before.ms).toFixed(0)} ms | ${median(after.ms).toFixed(0)} ms | ×${(median(before.ms) / median(after.ms)).toFixed(1)} |`,
        );
        console.log(rows.at(-1));
        await store.close();
        await cleanup();
      }
    }
  } finally {
    await influx?.close();
  }
  console.log(`\nGET /api/snapshot, median of ${RUNS} runs after one warm-up\n`);
  console.log('| store | sensors | stored readings | readings returned | per-sensor history (before) | batched latestIn (after) | speed-up |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
}

await main();
