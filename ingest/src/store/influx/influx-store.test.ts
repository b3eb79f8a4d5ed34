import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import pino from 'pino';
import type { Reading } from '@cityops/contracts';
import { describeTelemetryStoreContract } from '../telemetry-store.contract.ts';
import type { TelemetryStore } from '../telemetry-store.ts';
import { startInfluxDb1, type RealServer } from '../../test-support/real-servers.ts';
import { createInfluxTelemetryStore } from './influx-store.ts';
import { influxQuery } from './influx-http.ts';

const logger = pino({ level: 'silent' });
let server: RealServer;
let dbSeq = 0;

beforeAll(async () => {
  server = await startInfluxDb1();
}, 30_000);
afterAll(async () => {
  await server?.close();
});

describeTelemetryStoreContract('InfluxDB 1.6 (v1 /write + InfluxQL)', async () => {
  const database = `cityops_contract_${process.pid}_${++dbSeq}`;
  const open = () => createInfluxTelemetryStore({ url: server.url, api: 'v1', database, logger });
  let current: TelemetryStore = await open();
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await open();
      return current;
    },
    cleanup: async () => {
      await current.close();
      await influxQuery(server.url, database, {}, `DROP DATABASE "${database}"`, 5000, 'POST');
    },
  };
});

describe('InfluxDB v1 adapter specifics', () => {
  const r = (sensorId: string, ts: number, fields: Reading['fields']): Reading => ({ sensorId, domain: 'flood', ts, receivedAt: ts, fields });

  it('stores contracts §8: measurement per domain, sensorId/district tags, float fields, ms time', async () => {
    const store = await createInfluxTelemetryStore({ url: server.url, api: 'v1', database: 'schema_check', logger });
    try {
      await store.write([{ ...r('fl-1', 1_800_000_000_123, { waterLevelCm: 12, intervalS: 60 }), district: 'Quận 7' }]);
      const keys = await influxQuery(server.url, 'schema_check', {}, 'SHOW FIELD KEYS FROM "flood"', 5000);
      expect(keys.results?.[0]?.series?.[0]?.values).toEqual(
        expect.arrayContaining([['intervalS', 'float'], ['receivedAt', 'float'], ['waterLevelCm', 'float']]),
      );
      const tags = await influxQuery(server.url, 'schema_check', {}, 'SHOW TAG KEYS FROM "flood"', 5000);
      expect(tags.results?.[0]?.series?.[0]?.values).toEqual([['district'], ['sensorId']]);
      const rows = await influxQuery(server.url, 'schema_check', {}, 'SELECT "waterLevelCm" FROM "flood"', 5000);
      expect(rows.results?.[0]?.series?.[0]?.values).toEqual([[1_800_000_000_123, 12]]);
    } finally {
      await store.close();
    }
  });

  it('writes to and reads from a named retention policy (CITYOPS_INFLUX_RETENTION_POLICY), not the default one', async () => {
    await influxQuery(server.url, 'rp_check', {}, 'CREATE DATABASE "rp_check"', 5000, 'POST');
    await influxQuery(server.url, 'rp_check', {}, 'CREATE RETENTION POLICY "raw30" ON "rp_check" DURATION 30d REPLICATION 1', 5000, 'POST');
    const store = await createInfluxTelemetryStore({ url: server.url, api: 'v1', database: 'rp_check', retentionPolicy: 'raw30', logger });
    try {
      const now = Math.floor(Date.now() / 1000) * 1000 - 60_000;
      await store.write([r('fl-rp', now, { waterLevelCm: 7 })]);
      expect(await store.count({ sensorId: 'fl-rp' })).toBe(1);
      expect((await store.history({ sensorId: 'fl-rp', domain: 'flood', from: now, to: now + 1 })).points).toEqual([{ ts: now, fields: { waterLevelCm: 7 } }]);
      const inRp = await influxQuery(server.url, 'rp_check', {}, 'SELECT count("waterLevelCm") FROM "rp_check"."raw30"."flood"', 5000);
      expect(inRp.results?.[0]?.series?.[0]?.values[0]?.[1]).toBe(1);
      const inDefault = await influxQuery(server.url, 'rp_check', {}, 'SELECT count("waterLevelCm") FROM "rp_check"."autogen"."flood"', 5000);
      expect(inDefault.results?.[0]?.series).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('a field type conflict is CITYOPS_INGEST_STORE_REJECTED; a dead server is CITYOPS_INGEST_STORE_UNAVAILABLE', async () => {
    const store = await createInfluxTelemetryStore({ url: server.url, api: 'v1', database: 'conflict_check', logger });
    try {
      await store.write([r('fl-1', 1_800_000_000_000, { waterLevelCm: 1 })]);
      // Someone else wrote an integer field of the same name: a content conflict, not an outage.
      const res = await fetch(`${server.url}/write?db=conflict_check&precision=ms`, { method: 'POST', body: 'flood,sensorId=x batteryV=3i 1800000000000' });
      expect(res.status).toBe(204);
      await expect(store.write([r('fl-2', 1_800_000_060_000, { batteryV: 3.5 })])).rejects.toMatchObject({ code: 'CITYOPS_INGEST_STORE_REJECTED' });
    } finally {
      await store.close();
    }
    const dead = await createInfluxTelemetryStore({ url: 'http://127.0.0.1:9', api: 'v1', database: 'x', logger, timeoutMs: 2000 });
    await expect(dead.write([r('fl-1', 1, { waterLevelCm: 1 })])).rejects.toMatchObject({ code: 'CITYOPS_INGEST_STORE_UNAVAILABLE' });
    await dead.close();
  });
});
