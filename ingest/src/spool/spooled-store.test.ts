import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from '@cityops/sqlite';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Reading } from '@cityops/contracts';
import { createSqliteDeadLetterStore, type SqliteDeadLetterStore } from '../dead-letters/sqlite-dead-letter-store.ts';
import { createInfluxTelemetryStore } from '../store/influx/influx-store.ts';
import { influxQuery } from '../store/influx/influx-http.ts';
import { describeTelemetryStoreContract } from '../store/telemetry-store.contract.ts';
import { startInfluxDb1, type RealServer } from '../test-support/real-servers.ts';
import { createSpooledTelemetryStore, type SpooledTelemetryStore } from './spooled-store.ts';

const logger = pino({ level: 'silent' });
let influx: RealServer;
let seq = 0;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  influx = await startInfluxDb1();
}, 30_000);
afterAll(async () => {
  await influx?.close();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Opened {
  spooled: SpooledTelemetryStore;
  deadLetters: SqliteDeadLetterStore;
  registry: Registry;
  database: string;
  spoolDir: string;
}

async function openSpooled(opts: { spoolMaxBytes?: number; spoolDir?: string; database?: string } = {}): Promise<Opened> {
  const database = opts.database ?? `spooled_${process.pid}_${++seq}`;
  const spoolDir = opts.spoolDir ?? (await mkdtemp(join(tmpdir(), 'cityops-spooled-')));
  const db = new Database(':memory:');
  const deadLetters = createSqliteDeadLetterStore(db);
  const registry = new Registry();
  const store = await createInfluxTelemetryStore({ url: influx.url, api: 'v1', database, logger, timeoutMs: 2000 });
  const spooled = await createSpooledTelemetryStore({
    store,
    spoolDir,
    spoolMaxBytes: opts.spoolMaxBytes ?? 50_000_000,
    deadLetters,
    logger,
    metrics: registry,
    directTimeoutMs: 1500,
    retryBaseMs: 50,
    retryMaxMs: 400,
  });
  cleanups.push(async () => {
    await spooled.close();
    db.close();
    if (!opts.spoolDir) await rm(spoolDir, { recursive: true, force: true });
  });
  return { spooled, deadLetters, registry, database, spoolDir };
}

const T0 = Date.UTC(2026, 9, 1);
let tsSeq = 0;
const flood = (sensorId: string, fields: Reading['fields'] = { waterLevelCm: 1 }): Reading => {
  const ts = T0 + ++tsSeq * 1000;
  return { sensorId, domain: 'flood', ts, receivedAt: ts, fields };
};

describeTelemetryStoreContract('InfluxDB 1.6 behind the spool', async () => {
  const o = await openSpooled();
  return { store: o.spooled, cleanup: async () => {} };
});

describe('spooled store: nothing acknowledged is lost', () => {
  it('database stopped and restarted under steady writes: every acknowledged reading is stored exactly once, in order', async () => {
    const { spooled, registry } = await openSpooled();
    const acked: Reading[] = [];
    let running = true;
    let sawSpool = false;
    const writer = (async () => {
      let i = 0;
      while (running) {
        const batch = Array.from({ length: 20 }, () => flood(`fl-${i++ % 25}`, { waterLevelCm: i }));
        await spooled.write(batch); // resolves = the PUBACK would go out now
        acked.push(...batch);
        if (spooled.spoolBytes() > 0) sawSpool = true;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    await influx.stop();
    const duringOutage = acked.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(acked.length).toBeGreaterThan(duringOutage); // writes kept being acknowledged while the database was down
    await influx.start();
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await writer;
    await spooled.drained();
    expect(sawSpool).toBe(true);
    expect(await spooled.count()).toBe(acked.length);
    const h = await spooled.history({ sensorId: 'fl-3', domain: 'flood', from: T0, to: T0 + 1e10 });
    const expected = acked.filter((r) => r.sensorId === 'fl-3');
    expect(h.points.map((p) => [p.ts, p.fields.waterLevelCm])).toEqual(expected.map((r) => [r.ts, r.fields.waterLevelCm]));
    expect(await registry.metrics()).toMatch(/cityops_ingest_spool_bytes 0\b/);
  }, 30_000);

  it('a field type conflict goes to dead letters with the reason; the rest of the batch is stored (direct and from the spool)', async () => {
    const { spooled, deadLetters, database } = await openSpooled();
    await spooled.write([flood('fl-0')]);
    // Another writer made batteryV an integer field: our float batteryV now conflicts.
    const res = await fetch(`${influx.url}/write?db=${database}&precision=ms`, { method: 'POST', body: `flood,sensorId=other batteryV=3i ${T0}` });
    expect(res.status).toBe(204);
    const good = Array.from({ length: 9 }, (_, i) => flood(`fl-${i}`));
    const bad = flood('fl-bad', { waterLevelCm: 1, batteryV: 12.5 });
    await spooled.write([...good.slice(0, 4), bad, ...good.slice(4)]);
    // count() counts our points (they all carry receivedAt), not the foreign one.
    expect(await spooled.count()).toBe(1 + 9);
    expect(await spooled.count({ sensorId: 'fl-bad' })).toBe(0);
    const [letter] = deadLetters.list();
    expect(letter).toMatchObject({ reason: 'store_rejected', topic: 'store/flood/fl-bad' });
    expect(letter?.detail).toMatch(/field type conflict/);
    expect(JSON.parse(letter!.payload)).toEqual(bad);

    await influx.stop();
    const good2 = Array.from({ length: 5 }, (_, i) => flood(`fl-${i}`));
    const bad2 = flood('fl-bad2', { waterLevelCm: 1, batteryV: 11 });
    await spooled.write([bad2, ...good2]);
    expect(spooled.spoolBytes()).toBeGreaterThan(0);
    await influx.start();
    await spooled.drained();
    expect(await spooled.count()).toBe(10 + 5);
    expect(deadLetters.list().map((l) => l.topic)).toEqual(['store/flood/fl-bad2', 'store/flood/fl-bad']);
  }, 30_000);

  it('a full spool refuses new readings with CITYOPS_INGEST_SPOOL_FULL (no PUBACK) and accepts again after draining', async () => {
    const { spooled, registry } = await openSpooled({ spoolMaxBytes: 20_000 });
    await influx.stop();
    const acked: Reading[] = [];
    let refused: unknown;
    for (let i = 0; i < 200 && refused === undefined; i++) {
      const batch = Array.from({ length: 10 }, (_, k) => flood(`fl-${k}`));
      try {
        await spooled.write(batch);
        acked.push(...batch);
      } catch (err) {
        refused = err;
      }
    }
    expect(refused).toMatchObject({ code: 'CITYOPS_INGEST_SPOOL_FULL' });
    expect(acked.length).toBeGreaterThan(0);
    expect(await registry.metrics()).toMatch(/cityops_ingest_spool_readings_total\{op="refused_full"\} 10\b/);
    await influx.start();
    await spooled.drained();
    const more = [flood('fl-after')];
    await spooled.write(more);
    expect(await spooled.count()).toBe(acked.length + 1);
  }, 30_000);

  it('readings acknowledged from the spool survive kill -9 and reach the database after restart', async () => {
    const spoolDir = await mkdtemp(join(tmpdir(), 'cityops-spool-kill-'));
    cleanups.push(() => rm(spoolDir, { recursive: true, force: true }));
    const child = fileURLToPath(new URL('./fixtures/spool-then-kill.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', child, spoolDir, '50', '40'], { encoding: 'utf8', timeout: 20_000 });
    expect(run.signal).toBe('SIGKILL');
    expect(run.stdout).toContain('acked 2000');
    const { spooled } = await openSpooled({ spoolDir, database: `killed_${process.pid}` });
    await spooled.drained();
    expect(await spooled.count()).toBe(2000);
    expect(await spooled.count({ sensorId: 'fl-3' })).toBe(200);
    expect(spooled.spoolBytes()).toBe(0);
    const q = await influxQuery(influx.url, `killed_${process.pid}`, {}, 'SELECT count("waterLevelCm") FROM "flood"', 5000);
    expect(q.results?.[0]?.series?.[0]?.values[0]?.[1]).toBe(2000);
  }, 30_000);
});
