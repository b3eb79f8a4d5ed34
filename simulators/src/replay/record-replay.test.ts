import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { startRecorder } from '../recording/recorder.ts';
import { startTestAedes, type TestAedes } from '../test-support/aedes-broker.ts';
import { SIM_ERROR_CODES } from '../errors.ts';
import { loadReplaySource } from './load-source.ts';
import { selectItems } from './select-items.ts';
import { startReplay } from './replayer.ts';

const logger = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'cityops-rr-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
};
const broker = async (accounts: Record<string, string>, readers: string[] = []): Promise<TestAedes> => {
  const b = await startTestAedes(accounts, readers);
  cleanups.push(() => b.close());
  return b;
};
const waitFor = async (probe: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const DEVICES = ['air-a', 'flood-b', 'traffic-c'] as const;
const ACCOUNTS: Record<string, string> = { rec: 'rec', 'air-a': 'air-a', 'flood-b': 'flood-b', 'traffic-c': 'traffic-c', 'gw-1': 'gw-1' };
const DOMAIN = { 'air-a': 'air', 'flood-b': 'flood', 'traffic-c': 'traffic' } as const;

describe('record → replay', () => {
  it('replays recorded payloads byte for byte, on the same topics, in per-sensor order', async () => {
    const live = await broker(ACCOUNTS, ['rec']);
    const dir = tempDir();
    // a clock that moves a second per message, so age-based rotation happens within the test
    let tick = Date.now();
    const recorder = await startRecorder({ brokerUrl: live.url, city: 'hcmc', credentials: { username: 'rec', password: 'rec' }, logger, dir, clock: () => (tick += 1000), maxAgeMs: 30_000 });
    // what devices sent, including payloads no parser would accept
    const sent: { topic: string; payload: Buffer }[] = [];
    const base = Date.parse('2026-11-24T08:00:00+07:00');
    for (const id of DEVICES) {
      const client = await mqtt.connectAsync(live.url, { username: id, password: id, clientId: `dev-${id}` });
      for (let k = 0; k < 40; k++) {
        const topic = `city/hcmc/${DOMAIN[id]}/${id}/telemetry`;
        const payload =
          k === 7 ? Buffer.from([0x00, 0xff, 0x80, 0x7b]) // binary garbage
          : k === 8 ? Buffer.from('{"ts": "not a time", "pm25": ') // truncated JSON
          : Buffer.from(`{"ts":"${new Date(base + k * 60_000).toISOString()}","v":${k},"note":"Quận ${k}"}`);
        sent.push({ topic, payload });
        await client.publishAsync(topic, payload, { qos: 1 });
      }
      // status and foreign-city traffic are not telemetry and stay out of the recording
      await client.publishAsync(`city/hcmc/${DOMAIN[id]}/${id}/status`, '{"online":true}', { qos: 1 });
      await client.publishAsync(`city/other/${DOMAIN[id]}/${id}/telemetry`, '{"ts":1}', { qos: 1 });
      await client.endAsync();
    }
    const gateway = await mqtt.connectAsync(live.url, { username: 'gw-1', password: 'gw-1', clientId: 'gw-1' });
    const batch = Buffer.from(JSON.stringify([{ sensorId: 'air-a', domain: 'air', ts: base, pm25: 1, pm10: 2 }]));
    await gateway.publishAsync('city/hcmc/gateway/gw-1/telemetry', batch, { qos: 1 });
    sent.push({ topic: 'city/hcmc/gateway/gw-1/telemetry', payload: batch });
    await gateway.endAsync();
    await waitFor(() => recorder.stats().recorded === sent.length, 'recording');
    const files = await recorder.stop();
    expect(files.length).toBeGreaterThan(1);
    expect(recorder.stats().ignored).toBeGreaterThanOrEqual(3);

    const source = await loadReplaySource(dir);
    expect(source.kind).toBe('recording');
    expect(source.items).toHaveLength(sent.length);
    const target = await broker(ACCOUNTS);
    const replay = await startReplay({
      brokerUrl: target.url, city: 'hcmc', items: selectItems(source.items), speed: 'max', timestamps: 'original',
      credentials: (id) => (ACCOUNTS[id] ? { username: id, password: id } : undefined), logger,
    });
    const stats = await replay.done;
    expect(stats).toMatchObject({ total: sent.length, published: sent.length, acked: sent.length, errors: 0 });

    const key = (m: { topic: string; payload: Buffer }) => `${m.topic} ${m.payload.toString('base64')}`;
    const replayed = target.received.filter((m) => m.topic.endsWith('/telemetry'));
    expect(replayed.map(key).sort()).toEqual(sent.map(key).sort());
    // per sensor, the valid readings arrive in event-time order
    for (const id of DEVICES) {
      const vs = replayed.filter((m) => m.clientId === `replay-${id}`).map((m) => { try { return (JSON.parse(m.payload.toString()) as { v?: number }).v; } catch { return undefined; } }).filter((v) => v !== undefined);
      expect(vs).toEqual([...vs].sort((a, b) => a - b));
      expect(vs).toHaveLength(38);
    }
  });

  it('the recorder needs an account allowed to read the city tree', async () => {
    const live = await broker(ACCOUNTS, []);
    await expect(startRecorder({ brokerUrl: live.url, city: 'hcmc', credentials: { username: 'air-a', password: 'air-a' }, logger, dir: tempDir() }))
      .rejects.toMatchObject({ code: SIM_ERROR_CODES.SUBSCRIBE_FAILED });
  });

  it('replay refuses to start without credentials for a device it must speak for', async () => {
    const target = await broker(ACCOUNTS);
    const items = [{ eventTime: 1, topic: 'city/hcmc/air/air-z/telemetry', payload: Buffer.from('{}'), deviceId: 'air-z', sensorIds: ['air-z'] }];
    await expect(startReplay({ brokerUrl: target.url, city: 'hcmc', items, speed: 'max', timestamps: 'original', credentials: () => undefined, logger }))
      .rejects.toMatchObject({ code: SIM_ERROR_CODES.MISSING_CREDENTIALS });
  });
});
