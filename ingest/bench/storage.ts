/**
 * Storage benchmark (issue 3), against real servers started here on free loopback ports:
 *   npx tsx ingest/bench/storage.ts [--readings 200000] [--only v2,v1,spool,history]
 *
 * - v2: readings/s through the InfluxDB adapter (api v2 → /api/v2/write via @influxdata/influxdb-client)
 *   into VictoriaMetrics, next to the raw client ceiling: the same points as ready-made lines through one
 *   @influxdata/influxdb-client WriteApi (batchSize 5000, gzip off, no retries), completion counted by
 *   writeSuccess, same server, same run. The adapter's figure includes Reading → line conversion.
 * - v1: readings/s through the adapter (api v1 → /write) into Debian's InfluxDB 1.6.
 * - spool: append rate (batches of 1,000, one fdatasync each) and drain rate into VictoriaMetrics.
 * - history: one sensor, 24 h, 1-minute buckets, p50/p99 over 200 queries, on the embedded store and
 *   on InfluxDB 1.6 (100 sensors × 1,440 readings loaded first).
 * - disk: bytes per million readings on InfluxDB 1.6 (after compaction) and the embedded store.
 * Readings: 1,000 traffic sensors, 4 float fields, recent timestamps (VictoriaMetrics drops future ones).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { InfluxDB } from '@influxdata/influxdb-client';
import Database from '@cityops/sqlite';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Reading } from '@cityops/contracts';
import { createSqliteDeadLetterStore } from '../src/dead-letters/sqlite-dead-letter-store.ts';
import { createEmbeddedTelemetryStore } from '../src/store/embedded-store.ts';
import { createInfluxTelemetryStore } from '../src/store/influx/influx-store.ts';
import { readingsToLines } from '../src/store/influx/line-protocol.ts';
import { openSpool } from '../src/spool/spool.ts';
import { createSpoolMetrics } from '../src/spool/spool-metrics.ts';
import { createSpooledTelemetryStore } from '../src/spool/spooled-store.ts';
import { startInfluxDb1, startVictoriaMetrics } from '../src/test-support/real-servers.ts';

const { values: args } = parseArgs({
  options: { disk: { type: 'string', default: '1000000' }, readings: { type: 'string', default: '200000' }, chunk: { type: 'string', default: '5000' }, inflight: { type: 'string', default: '4' }, only: { type: 'string', default: 'v2,v1,spool,history,disk' } },
});
const N = Number(args.readings);
const only = new Set(args.only.split(','));
const logger = pino({ level: 'silent' });
const SENSORS = 1000;
const GROUP = 20_000; // readings per store.write() call (several group-commit batches under load)

function makeReadings(n: number, t0: number): Reading[] {
  const out: Reading[] = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = {
      sensorId: `tr-${i % SENSORS}`, domain: 'traffic', district: 'Quận 1',
      ts: t0 + Math.floor(i / SENSORS) * 1000, receivedAt: t0,
      fields: { speedKmh: (i % 90) + 0.5, volume: i % 500, occupancyPct: (i % 100) / 1.5, intervalS: 60 },
    };
  }
  return out;
}

const rate = (n: number, ms: number): string => `${Math.round(n / (ms / 1000)).toLocaleString('en')} readings/s`;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const results: Record<string, string> = {};
const report = (k: string, v: string) => {
  results[k] = v;
  console.log(`${k.padEnd(44)} ${v}`);
};

async function writeAll(write: (rs: Reading[]) => Promise<void>, rs: Reading[]): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < rs.length; i += GROUP) await write(rs.slice(i, i + GROUP));
  return performance.now() - t;
}

async function rawClientCeiling(url: string, lines: string[]): Promise<number> {
  let written = 0;
  let failed: unknown;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const api = new InfluxDB({ url, token: 'x' }).getWriteApi('o', 'b', 'ms', {
    batchSize: 5000, flushInterval: 0, maxRetries: 0, gzipThreshold: Number.MAX_SAFE_INTEGER, maxBufferLines: 0,
    writeSuccess: (ls) => {
      written += ls.length;
      if (written >= lines.length) done();
    },
    writeFailed: (err) => {
      failed = err;
      done();
    },
  });
  const t = performance.now();
  api.writeRecords(lines);
  await api.flush();
  await finished;
  const ms = performance.now() - t;
  await api.close().catch(() => {});
  if (failed) throw failed;
  return ms;
}

const now = Date.now();
const t0 = now - 3 * 3_600_000;

if (only.has('v2') || only.has('spool')) {
  const vm = await startVictoriaMetrics();
  try {
    if (only.has('v2')) {
      const store = await createInfluxTelemetryStore({ url: vm.url, api: 'v2', org: 'o', bucket: 'b', token: 'x', logger, chunkReadings: Number(args.chunk), maxInFlight: Number(args.inflight) });
      // Warm-up both paths (connections, JIT) on other timestamps.
      await store.write(makeReadings(10_000, t0 - 10_000_000));
      // Alternating rounds on fresh timestamps (the machine is shared; one round each is noise), median of each.
      const ceiling: number[] = [];
      const adapter: number[] = [];
      for (let round = 0; round < 3; round++) {
        const base = t0 - 9_000_000 + round * 2 * 1_400_000;
        const lines = readingsToLines(makeReadings(N, base));
        ceiling.push(N / ((await rawClientCeiling(vm.url, lines)) / 1000));
        const readings = makeReadings(N, base + 1_400_000);
        adapter.push(N / ((await writeAll((rs) => store.write(rs), readings)) / 1000));
      }
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
      const f = (x: number) => `${Math.round(x).toLocaleString('en')} readings/s`;
      report(`v2 raw @influxdata/influxdb-client ceiling (${N}, median of 3)`, `${f(med(ceiling))} [${ceiling.map((x) => Math.round(x / 1000)).join('k, ')}k]`);
      report(`v2 adapter → VictoriaMetrics (${N}, median of 3)`, `${f(med(adapter))} [${adapter.map((x) => Math.round(x / 1000)).join('k, ')}k] = ${(med(adapter) / med(ceiling)).toFixed(2)}× the ceiling`);
      await store.close();
    }
    if (only.has('spool')) {
      const dir = mkdtempSync(join(tmpdir(), 'cityops-bench-spool-'));
      const readings = makeReadings(N, t0 + 3_600_000);
      const spool = openSpool({ dir, maxBytes: 4 * 1024 ** 3, logger, metrics: createSpoolMetrics(new Registry()) });
      const t = performance.now();
      for (let i = 0; i < readings.length; i += 1000) spool.append(readings.slice(i, i + 1000));
      const appendMs = performance.now() - t;
      const bytes = spool.bytes();
      spool.close();
      report(`spool append, 1,000/fdatasync (${N})`, `${rate(N, appendMs)} (${(bytes / N).toFixed(0)} B/reading)`);
      const influx = await createInfluxTelemetryStore({ url: vm.url, api: 'v2', org: 'o', bucket: 'b', token: 'x', logger });
      const ds = performance.now();
      const spooled = await createSpooledTelemetryStore({
        store: influx, spoolDir: dir, spoolMaxBytes: 4 * 1024 ** 3, deadLetters: createSqliteDeadLetterStore(new Database(':memory:')),
        logger, metrics: new Registry(), drainReadings: GROUP,
      });
      await spooled.drained();
      const drainMs = performance.now() - ds;
      report(`spool drain → VictoriaMetrics (${N})`, rate(N, drainMs));
      await spooled.close();
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await vm.close();
  }
}

const HIST_SENSORS = 100;
const dayReadings = (start: number): Reading[] => {
  const out: Reading[] = [];
  for (let m = 0; m < 1440; m++) {
    for (let s = 0; s < HIST_SENSORS; s++) {
      out.push({ sensorId: `fl-${s}`, domain: 'flood', ts: start + m * 60_000 + s, receivedAt: start, fields: { waterLevelCm: (m + s) % 300, intervalS: 60, rainfallMm: m % 7, batteryV: 12 } });
    }
  }
  return out;
};
async function historyLatency(name: string, store: { history: (q: never) => Promise<unknown> }, start: number) {
  const times: number[] = [];
  for (let i = 0; i < 220; i++) {
    const q = { sensorId: `fl-${i % HIST_SENSORS}`, domain: 'flood', from: start, to: start + 86_400_000, everyMs: 60_000 } as never;
    const t = performance.now();
    await store.history(q);
    if (i >= 20) times.push(performance.now() - t); // first 20 warm up
  }
  report(`history 24 h / 1-min buckets: ${name}`, `p50 ${pct(times, 50).toFixed(2)} ms, p99 ${pct(times, 99).toFixed(2)} ms`);
}

if (only.has('v1') || only.has('history')) {
  const influx1 = await startInfluxDb1();
  try {
    const store = await createInfluxTelemetryStore({ url: influx1.url, api: 'v1', database: 'bench', logger });
    if (only.has('v1')) {
      const ms = await writeAll((rs) => store.write(rs), makeReadings(N, t0));
      report(`v1 adapter → InfluxDB 1.6 /write (${N})`, rate(N, ms));
    }
    if (only.has('history')) {
      const start = Date.UTC(2026, 9, 1);
      const day = dayReadings(start);
      await writeAll((rs) => store.write(rs), day);
      await historyLatency('InfluxDB 1.6 (InfluxQL)', store, start);
      const dir = mkdtempSync(join(tmpdir(), 'cityops-bench-emb-'));
      const emb = await createEmbeddedTelemetryStore({ dataDir: dir, logger });
      for (let i = 0; i < day.length; i += 1000) await emb.write(day.slice(i, i + 1000));
      await historyLatency('embedded SQLite', emb, start);
      await emb.close();
      rmSync(dir, { recursive: true, force: true });
    }
    await store.close();
  } finally {
    await influx1.close();
  }
}
if (only.has('disk')) {
  // Disk per million readings: 1,000 sensors × 1,000 readings over 24 h, 4 fields (the embedded-engines workload).
  const D = Number(args.disk);
  const start = Date.UTC(2026, 9, 2);
  const step = Math.floor(86_400_000 / (D / SENSORS));
  const gen = (from: number, n: number): Reading[] =>
    Array.from({ length: n }, (_, k) => {
      const i = from + k;
      return { sensorId: `tr-${i % SENSORS}`, domain: 'traffic', district: 'Quận 1', ts: start + Math.floor(i / SENSORS) * step, receivedAt: start + i, fields: { speedKmh: (i % 90) + 0.5, volume: i % 500, occupancyPct: (i % 100) / 1.5, intervalS: 60 } };
    });
  const du = (dir: string): number => {
    let n = 0;
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else n += statSync(p).size;
      }
    };
    walk(dir);
    return n;
  };
  // Cold shards snapshot and fully compact after 1 s instead of hours, so the size is the TSM size.
  const influx1 = await startInfluxDb1({ dataSettings: ['cache-snapshot-write-cold-duration = "1s"', 'compact-full-write-cold-duration = "1s"'] });
  try {
    const store = await createInfluxTelemetryStore({ url: influx1.url, api: 'v1', database: 'disk', logger });
    for (let i = 0; i < D; i += GROUP) await store.write(gen(i, Math.min(GROUP, D - i)));
    await new Promise((r) => setTimeout(r, 15_000));
    const bytes = du(join(influx1.dir, 'data')) + du(join(influx1.dir, 'wal'));
    report(`disk per 1M readings: InfluxDB 1.6 (data+wal, 15 s after)`, `${((bytes / D) * 1e6 / 1e6).toFixed(1)} MB`);
    await store.close();
  } finally {
    await influx1.close();
  }
  const dir = mkdtempSync(join(tmpdir(), 'cityops-bench-disk-'));
  const emb = await createEmbeddedTelemetryStore({ dataDir: dir, logger });
  for (let i = 0; i < D; i += 1000) await emb.write(gen(i, Math.min(1000, D - i)));
  await emb.close();
  report(`disk per 1M readings: embedded SQLite`, `${((du(dir) / D) * 1e6 / 1e6).toFixed(1)} MB (WAL checkpointed at close)`);
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(results));
