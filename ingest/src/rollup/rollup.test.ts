import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Reading } from '@cityops/contracts';
import { createEmbeddedTelemetryStore } from '../store/embedded-store.ts';
import { createInfluxTelemetryStore } from '../store/influx/influx-store.ts';
import { influxQuery } from '../store/influx/influx-http.ts';
import { startInfluxDb1, type RealServer } from '../test-support/real-servers.ts';
import { describeRollupContract } from './rollup.contract.ts';
import { createRollupJob } from './rollup-job.ts';
import type { RollupStore } from './rollup-port.ts';

const logger = pino({ level: 'silent' });
const HOUR = 3_600_000;
let influx: RealServer;
let seq = 0;

beforeAll(async () => {
  influx = await startInfluxDb1();
}, 30_000);
afterAll(async () => {
  await influx?.close();
});

describeRollupContract('embedded (SQLite)', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cityops-rollup-'));
  return { store: await createEmbeddedTelemetryStore({ dataDir, logger, rollupHistoryMinRangeMs: HOUR }), cleanup: () => rm(dataDir, { recursive: true, force: true }) };
});

describeRollupContract('InfluxDB 1.6', async () => {
  const database = `rollup_${process.pid}_${++seq}`;
  return {
    store: await createInfluxTelemetryStore({ url: influx.url, api: 'v1', database, logger, rollupHistoryMinRangeMs: HOUR }),
    cleanup: async () => {
      await influxQuery(influx.url, database, {}, `DROP DATABASE "${database}"`, 5000, 'POST');
    },
  };
});

describe('rollups in InfluxDB follow contracts §8', () => {
  it('writes <domain>_1m with <field>_min|_mean|_max|_count float fields and the sensorId/district tags', async () => {
    const store = await createInfluxTelemetryStore({ url: influx.url, api: 'v1', database: 'rollup_schema', logger });
    const t = Date.UTC(2026, 9, 1);
    await store.write([{ sensorId: 'air-1', domain: 'air', district: 'Quận 1', ts: t, receivedAt: t, fields: { pm25: 10, pm10: 20 } }]);
    await store.rollup('air', t, t + 60_000);
    const keys = await influxQuery(influx.url, 'rollup_schema', {}, 'SHOW FIELD KEYS FROM "air_1m"', 5000);
    expect(keys.results?.[0]?.series?.[0]?.values).toEqual(
      expect.arrayContaining([['pm25_min', 'float'], ['pm25_mean', 'float'], ['pm25_max', 'float'], ['pm25_count', 'float'], ['pm10_count', 'float']]),
    );
    const tags = await influxQuery(influx.url, 'rollup_schema', {}, 'SHOW TAG KEYS FROM "air_1m"', 5000);
    expect(tags.results?.[0]?.series?.[0]?.values).toEqual([['district'], ['sensorId']]);
    await store.close();
  });
});

describe('rollup job', () => {
  const t0 = Date.UTC(2026, 9, 1, 8, 0, 0);
  const r = (ts: number, v: number): Reading => ({ sensorId: 'fl-1', domain: 'flood', ts, receivedAt: ts, fields: { waterLevelCm: v } });

  it('rolls up settled dirty minutes only, keeps failed ones dirty, and applies the configured retention', async () => {
    let now = t0 + 10 * 60_000;
    const calls: Array<[string, number, number]> = [];
    let fail = true;
    const retention: Array<{ rawBefore: number; rollupBefore: number }> = [];
    const store: RollupStore = {
      async rollup(domain, from, to) {
        calls.push([domain, from, to]);
        if (fail) throw new Error('db down');
        return (to - from) / 60_000;
      },
      async applyRetention(c) {
        retention.push(c);
      },
    };
    const job = createRollupJob({ store, logger, clock: () => now, settleMs: 60_000, startupLookbackMs: 0, intervalMs: 3_600_000, rawRetentionMs: 1000, rollupRetentionMs: 2000 });
    await job.runOnce({ all: true }); // clears the startup minute (fails: stays dirty)
    calls.length = 0;
    job.markDirty(r(t0, 1));
    job.markDirty(r(t0 + 61_000, 1));
    job.markDirty(r(t0 + 5 * 60_000, 1));
    expect(await job.runOnce()).toBe(0); // not settled yet
    expect(calls).toEqual([]);
    now += 60_000;
    await job.runOnce(); // db down: tried, kept
    expect(calls.filter(([, from]) => from === t0)).toEqual([['flood', t0, t0 + 120_000]]);
    fail = false;
    calls.length = 0;
    expect(await job.runOnce()).toBe(2 + 1 + 3); // two contiguous minutes + the lone one + the startup minute of each domain
    expect(calls).toContainEqual(['flood', t0, t0 + 120_000]);
    expect(calls).toContainEqual(['flood', t0 + 5 * 60_000, t0 + 6 * 60_000]);
    calls.length = 0;
    expect(await job.runOnce({ all: true })).toBe(0);
    await job.applyRetention();
    expect(retention).toEqual([{ rawBefore: now - 1000, rollupBefore: now - 2000 }]);
    await job.stop();
  });
});
