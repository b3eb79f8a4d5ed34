import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '@cityops/sqlite';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Domain, Reading } from '@cityops/contracts';
import { createEmbeddedTelemetryStore } from '../store/embedded-store.ts';
import type { TelemetryStore } from '../store/telemetry-store.ts';
import { createSqliteDeadLetterStore, type SqliteDeadLetterStore } from '../dead-letters/sqlite-dead-letter-store.ts';
import { createIngest, type Ingest } from './create-ingest.ts';
import type { InboundPublishLike, PrincipalLike, SensorInfo } from './types.ts';

const logger = pino({ level: 'silent' });
const NOW = Date.UTC(2026, 10, 24, 3, 0, 0);

const registry = new Map<string, SensorInfo>([
  ['fl-1', { domain: 'flood', district: 'Quận 7' }],
  ['fl-2', { domain: 'flood', district: 'Bình Thạnh', gatewayId: 'gw-1' }],
  ['tr-1', { domain: 'traffic', district: 'Quận 1', gatewayId: 'gw-1' }],
  ['air-1', { domain: 'air', district: 'Thủ Đức', gatewayId: 'gw-1' }],
]);
for (let i = 0; i < 100; i++) registry.set(`air-${100 + i}`, { domain: 'air', district: 'Quận 3' });

function sensorMessage(domain: Domain, sensorId: string, body: unknown, receivedAt = NOW): InboundPublishLike {
  return {
    topic: `city/hcmc/${domain}/${sensorId}/telemetry`,
    parsed: { kind: 'telemetry', domain, sensorId },
    payload: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    clientId: sensorId,
    principal: { id: sensorId, kind: 'sensor', domain },
    receivedAt,
    qos: 1,
  };
}

function gatewayMessage(gatewayId: string, principal: PrincipalLike | null, items: unknown[]): InboundPublishLike {
  return {
    topic: `city/hcmc/gateway/${gatewayId}/telemetry`,
    parsed: { kind: 'gateway', gatewayId },
    payload: Buffer.from(JSON.stringify(items)),
    clientId: gatewayId,
    principal,
    receivedAt: NOW,
    qos: 1,
  };
}

const flood = (ts: number, waterLevelCm: number) => ({ ts, waterLevelCm, intervalS: 60 });

async function metricValues(metrics: Registry, name: string): Promise<Record<string, number>> {
  const metric = metrics.getSingleMetric(name);
  if (!metric) return {};
  const out: Record<string, number> = {};
  for (const v of (await metric.get()).values) {
    const label = Object.values(v.labels)[0];
    out[String(label ?? '')] = v.value;
  }
  return out;
}

describe('createIngest with the embedded store', () => {
  let dir: string;
  let store: TelemetryStore;
  let centerDb: Database.Database;
  let deadLetters: SqliteDeadLetterStore;
  let metrics: Registry;
  let ingest: Ingest;

  const make = (batch?: { maxReadings?: number; maxDelayMs?: number }): Ingest =>
    createIngest({ store, deadLetters, sensors: registry, metrics, logger, batch });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cityops-ingest-'));
    store = await createEmbeddedTelemetryStore({ dataDir: dir, logger });
    centerDb = new Database(join(dir, 'center.db'));
    centerDb.pragma('journal_mode = WAL');
    deadLetters = createSqliteDeadLetterStore(centerDb);
    metrics = new Registry();
    ingest = make();
  });
  afterEach(async () => {
    await ingest.close();
    await store.close();
    centerDb.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('accepted readings are durable when handle() resolves (seen by a second connection)', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => ingest.handle(sensorMessage('flood', 'fl-1', flood(NOW - i * 1000, i % 400)))),
    );
    expect(results.every((r) => r.accepted === 1 && r.rejected === 0)).toBe(true);
    const second = await createEmbeddedTelemetryStore({ dataDir: dir, logger });
    try {
      expect(await second.count({ sensorId: 'fl-1' })).toBe(300);
      const [latest] = await second.latest();
      expect(latest).toEqual({
        sensorId: 'fl-1', domain: 'flood', district: 'Quận 7', ts: NOW, receivedAt: NOW,
        fields: { waterLevelCm: 0, intervalS: 60 },
      });
    } finally {
      await second.close();
    }
    expect(await metricValues(metrics, 'cityops_readings_accepted_total')).toEqual({ traffic: 0, flood: 300, air: 0 });
  });

  it('groups concurrent messages into few store writes', async () => {
    await Promise.all(
      Array.from({ length: 2500 }, (_, i) =>
        ingest.handle(sensorMessage('air', `air-${100 + (i % 100)}`, { ts: NOW - i * 1000, pm25: 10, pm10: 20 })),
      ),
    );
    const hist = await metrics.getSingleMetric('cityops_ingest_batch_size_readings')!.get();
    const named = (suffix: string) =>
      hist.values.find((v) => (v as { metricName?: string }).metricName === `cityops_ingest_batch_size_readings_${suffix}`)?.value;
    const count = named('count');
    const sum = named('sum');
    expect(sum).toBe(2500);
    expect(count).toBe(3); // 1000 + 1000 + 500
    expect(await store.count()).toBe(2500);
  });

  it('rejects bad input by reason, into metrics and dead letters, without throwing', async () => {
    const results = await Promise.all([
      ingest.handle(sensorMessage('flood', 'fl-1', '{"ts":')),
      ingest.handle(sensorMessage('flood', 'fl-1', '{"ts":1,"waterLevelCm":NaN,"intervalS":60}')),
      ingest.handle(sensorMessage('flood', 'fl-1', flood(NOW, 612))),
      ingest.handle(sensorMessage('flood', 'fl-1', flood(NOW + 3_600_000, 1))),
      ingest.handle(sensorMessage('flood', 'fl-9', flood(NOW, 1))),
      ingest.handle(sensorMessage('flood', 'tr-1', flood(NOW, 1))),
      ingest.handle(sensorMessage('flood', 'fl-1', flood(NOW, 5))),
    ]);
    expect(results.map((r) => r.accepted)).toEqual([0, 0, 0, 0, 0, 0, 1]);
    const rejected = await metricValues(metrics, 'cityops_readings_rejected_total');
    expect(rejected).toMatchObject({
      invalid_json: 1, not_finite: 1, out_of_range: 1, future_timestamp: 1, unknown_sensor: 1, wrong_domain: 1, store_rejected: 0,
    });
    expect(deadLetters.countsByReason()).toEqual({
      invalid_json: 1, not_finite: 1, out_of_range: 1, future_timestamp: 1, unknown_sensor: 1, wrong_domain: 1,
    });
    const [letter] = deadLetters.list({ reason: 'out_of_range' });
    expect(letter).toEqual({
      receivedAt: NOW,
      topic: 'city/hcmc/flood/fl-1/telemetry',
      clientId: 'fl-1',
      reason: 'out_of_range',
      detail: 'waterLevelCm=612 is above the maximum 500 cm',
      payload: JSON.stringify(flood(NOW, 612)),
    });
    expect(await store.count()).toBe(1);
  });

  it('a bad element in a gateway batch does not block the good ones', async () => {
    const gw = { id: 'gw-1', kind: 'gateway', sensorIds: ['fl-2', 'tr-1', 'air-1', 'fl-9'] };
    const result = await ingest.handle(
      gatewayMessage('gw-1', gw, [
        { sensorId: 'fl-2', domain: 'flood', ...flood(NOW, 20) },
        { sensorId: 'fl-2', domain: 'flood', ...flood(NOW - 1000, 9999) },
        { sensorId: 'fl-1', domain: 'flood', ...flood(NOW, 1) }, // not this gateway's sensor
        { sensorId: 'fl-9', domain: 'flood', ...flood(NOW, 1) }, // registered to the gateway, unknown to the registry
        'garbage',
        { sensorId: 'tr-1', domain: 'traffic', ts: NOW, speedKmh: 18, volume: 40, occupancyPct: 70, intervalS: 60 },
        { sensorId: 'air-1', domain: 'air', ts: NOW, pm25: 80, pm10: 110 },
      ]),
    );
    expect(result).toEqual({ accepted: 3, rejected: 4 });
    expect(deadLetters.countsByReason()).toEqual({ out_of_range: 1, not_authorized: 1, unknown_sensor: 1, not_an_object: 1 });
    expect(deadLetters.list({ reason: 'not_authorized' })[0]?.detail).toMatch(/may not speak for sensor fl-1/);
    const latest = await store.latest();
    expect(latest.map((r) => [r.sensorId, r.district]).sort()).toEqual([
      ['air-1', 'Thủ Đức'],
      ['fl-2', 'Bình Thạnh'],
      ['tr-1', 'Quận 1'],
    ]);
  });

  it('an anonymous gateway (development mode) may speak for any registered sensor', async () => {
    const result = await ingest.handle(gatewayMessage('gw-dev', null, [{ sensorId: 'fl-1', domain: 'flood', ...flood(NOW, 3) }]));
    expect(result).toEqual({ accepted: 1, rejected: 0 });
  });

  it('calls listeners after the reading is durable, in order, and lets them unsubscribe', async () => {
    const seen: number[] = [];
    const visibleAtCall: boolean[] = [];
    const reader = new Database(join(dir, 'telemetry.db'), { readonly: true });
    const countStmt = reader.prepare('SELECT count(*) FROM ingest_flood WHERE ts = ?').pluck();
    const off = ingest.onReading((r: Reading) => {
      seen.push(r.fields.waterLevelCm!);
      visibleAtCall.push(countStmt.get(r.ts) === 1);
    });
    const throwing = ingest.onReading(() => {
      throw new Error('a listener bug');
    });
    await Promise.all(Array.from({ length: 20 }, (_, i) => ingest.handle(sensorMessage('flood', 'fl-1', flood(NOW - 20_000 + i * 1000, i)))));
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(visibleAtCall.every(Boolean)).toBe(true);
    off();
    throwing();
    await ingest.handle(sensorMessage('flood', 'fl-1', flood(NOW, 99)));
    expect(seen).toHaveLength(20);
    reader.close();
  });

  it('rejects the callers of a batch the store fails to write, and counts store_rejected', async () => {
    const seen: Reading[] = [];
    ingest.onReading((r) => seen.push(r));
    await ingest.handle(sensorMessage('flood', 'fl-1', flood(NOW - 5000, 1)));
    await store.close(); // a real failure: the database is gone under ingest
    const results = await Promise.allSettled([
      ingest.handle(sensorMessage('flood', 'fl-1', flood(NOW - 1000, 2))),
      ingest.handle(gatewayMessage('gw-1', null, [{ sensorId: 'fl-2', domain: 'flood', ...flood(NOW, 3) }, 'bad'])),
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'CITYOPS_INGEST_STORE_WRITE_FAILED' });
    }
    expect(seen).toHaveLength(1);
    const rejected = await metricValues(metrics, 'cityops_readings_rejected_total');
    expect(rejected.store_rejected).toBe(2);
    expect(rejected.not_an_object).toBe(1);
  });

  it('reject() records broker-side denials', async () => {
    ingest.reject(
      { topic: 'city/hcmc/flood/fl-2/telemetry', payload: Buffer.from('{"x":1}'), clientId: 'fl-1', receivedAt: NOW },
      'not_authorized',
      'client fl-1 may not publish to fl-2',
    );
    ingest.reject({ topic: 't', payload: 'x'.repeat(20_000), clientId: 'c', receivedAt: NOW }, 'too_large', 'payload is 20000 bytes');
    expect(deadLetters.countsByReason()).toEqual({ not_authorized: 1, too_large: 1 });
    expect(deadLetters.list({ reason: 'too_large' })[0]?.payload).toHaveLength(4096);
    expect((await metricValues(metrics, 'cityops_readings_rejected_total')).not_authorized).toBe(1);
  });

  it('close() flushes the pending batch; handle() after close is refused', async () => {
    const slow = make({ maxDelayMs: 60_000 });
    const pending = slow.handle(sensorMessage('flood', 'fl-1', flood(NOW, 7)));
    expect(slow.pending()).toBe(1);
    await slow.close();
    await expect(pending).resolves.toEqual({ accepted: 1, rejected: 0 });
    expect(await store.count()).toBe(1);
    await expect(slow.handle(sensorMessage('flood', 'fl-1', flood(NOW, 8)))).rejects.toMatchObject({ code: 'CITYOPS_INGEST_CLOSED' });
  });

  it('two ingests can share one metrics registry', () => {
    expect(() => make()).not.toThrow();
  });
});
