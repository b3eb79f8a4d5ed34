import { describe, it, expect, afterEach } from 'vitest';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { parseTopic, type SensorFeature, type SensorProperties } from '@cityops/contracts';
import { startSimulation, checkPayload, type SimulatedSensor, type Simulation } from './simulation.ts';
import { planSimulation, runVirtual } from './sensor-program.ts';
import { SIM_ERROR_CODES } from './errors.ts';

interface Seen {
  topic: string;
  payload: string;
  retain: boolean;
  clientId: string | null;
}

interface TestBroker {
  url: string;
  broker: Aedes;
  seen: Seen[];
  clients: Map<string, Client>;
  /** Connections accepted, and the most that were open but not yet ready at once. */
  stats: { maxPending: number; connections: number };
  close(): Promise<void>;
}

/** A bare Aedes on a free port that checks username/password against the given accounts. */
async function startBroker(accounts: Record<string, string>, authDelayMs = 0): Promise<TestBroker> {
  const broker = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => {
      if (authDelayMs > 0) {
        // a slow credential check (like scrypt) makes connections pile up, so the client-side bound shows
        setTimeout(() => check(username, password, done), authDelayMs);
        return;
      }
      check(username, password, done);
    },
  });
  function check(
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    if (username !== undefined && accounts[username] !== undefined && accounts[username] === password?.toString()) {
      done(null, true);
      return;
    }
    const err = Object.assign(new Error('bad username or password'), { returnCode: 4 }) as AuthenticateError;
    done(err, false);
  }
  const seen: Seen[] = [];
  const clients = new Map<string, Client>();
  broker.on('publish', (packet, client) => {
    if (packet.topic.startsWith('$SYS')) return;
    seen.push({ topic: packet.topic, payload: packet.payload.toString(), retain: packet.retain, clientId: client?.id ?? null });
  });
  broker.on('clientReady', (client) => clients.set(client.id, client));
  let pending = 0;
  const stats = { maxPending: 0, connections: 0 };
  // aedes emits connackSent (setImmediate after the write) before any client in this process can read the CONNACK
  broker.on('connackSent', () => {
    pending--;
  });
  const server = net.createServer((socket) => {
    stats.connections++;
    pending++;
    stats.maxPending = Math.max(stats.maxPending, pending);
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    broker,
    seen,
    clients,
    stats,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const feature = (props: SensorProperties, lon = 106.7, lat = 10.78): SensorFeature => ({
  type: 'Feature',
  properties: props,
  geometry: { type: 'Point', coordinates: [lon, lat] },
});

const SENSORS: SimulatedSensor[] = [
  { feature: feature({ id: 'traffic-nguyen-hue', domain: 'traffic', name: 'Nguyễn Huệ', district: 'Quận 1', roadName: 'Nguyễn Huệ', freeFlowKmh: 35 }), credentials: { username: 'traffic-nguyen-hue', password: 'pw-t' } },
  { feature: feature({ id: 'flood-bay-hien', domain: 'flood', name: 'Ngã tư Bảy Hiền', district: 'Tân Bình', cause: 'rain' } as SensorProperties), credentials: { username: 'flood-bay-hien', password: 'pw-f' } },
  { feature: feature({ id: 'air-us-consulate', domain: 'air', name: 'US Consulate', district: 'Quận 1' }), credentials: { username: 'air-us-consulate', password: 'pw-a' } },
];
const ACCOUNTS: Record<string, string> = Object.fromEntries(SENSORS.map((s) => [s.credentials.username, s.credentials.password]));
ACCOUNTS['monitor'] = 'pw-m';

/** Polls until the check passes; the test's own timeout bounds it. */
async function until(check: () => boolean, stepMs = 20): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, stepMs));
}

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

/** The retained status messages a fresh subscriber receives, once all the expected topics are in. */
async function retainedStatuses(url: string, expectTopics: readonly string[]): Promise<Map<string, { online: boolean }>> {
  const client: MqttClient = await mqtt.connectAsync(url, { username: 'monitor', password: 'pw-m', clientId: `monitor-${Math.random().toString(16).slice(2)}` });
  const out = new Map<string, { online: boolean }>();
  client.on('message', (topic, payload, packet) => {
    if (packet.retain) out.set(topic, JSON.parse(payload.toString()) as { online: boolean });
  });
  await client.subscribeAsync('city/hcmc/+/+/status', { qos: 1 });
  await until(() => expectTopics.every((t) => out.has(t)));
  // give a retained message that should not exist the chance to show up
  await client.publishAsync('probe/noop', 'x', { qos: 1 });
  await new Promise((r) => setTimeout(r, 50));
  await client.endAsync();
  return out;
}

let broker: TestBroker | null = null;
let sim: Simulation | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
  await broker?.close();
  broker = null;
});

describe('startSimulation against a real Aedes broker', () => {
  it('publishes valid telemetry on each sensor topic, retains online status, and survives a refused sensor', async () => {
    broker = await startBroker(ACCOUNTS);
    const { logger, lines } = captureLogger();
    const intruder: SimulatedSensor = {
      feature: feature({ id: 'flood-intruder', domain: 'flood', name: 'x', district: 'y', cause: 'rain' } as SensorProperties),
      credentials: { username: 'flood-intruder', password: 'wrong' },
    };
    sim = await startSimulation({
      brokerUrl: broker.url,
      city: 'hcmc',
      sensors: [...SENSORS, intruder],
      seed: 11,
      scenario: 'demo',
      logger,
      intervalMs: { traffic: 150, flood: 150, air: 150 },
    });
    const b = broker;
    const telemetry = () => b.seen.filter((m) => m.topic.endsWith('/telemetry'));
    await until(() => SENSORS.every((s) => telemetry().filter((m) => m.clientId === `sim-${s.feature.properties.id}`).length >= 3));

    for (const m of telemetry()) {
      const parsed = parseTopic('hcmc', m.topic);
      expect(parsed?.kind).toBe('telemetry');
      if (parsed?.kind !== 'telemetry') continue;
      expect(m.clientId).toBe(`sim-${parsed.sensorId}`);
      const sensor = SENSORS.find((s) => s.feature.properties.id === parsed.sensorId);
      expect(sensor?.feature.properties.domain).toBe(parsed.domain);
      expect(checkPayload(parsed.domain, JSON.parse(m.payload))).toBeNull();
    }
    expect(b.seen.some((m) => m.topic.includes('flood-intruder'))).toBe(false);

    // the live run is the virtual run: same seed and start, same payloads
    const plan = planSimulation(SENSORS.map((s) => s.feature.properties), {
      seed: 11,
      startMs: sim.startMs,
      intervalMs: { traffic: 150, flood: 150, air: 150 },
    });
    const expected = runVirtual(plan, sim.startMs + 450);
    for (const s of SENSORS) {
      const id = s.feature.properties.id;
      const live = telemetry().filter((m) => m.clientId === `sim-${id}`).slice(0, 3).map((m) => JSON.parse(m.payload) as unknown);
      expect(live).toEqual(expected.filter((r) => r.sensorId === id).slice(0, 3).map((r) => r.payload));
    }

    const stats = sim.stats();
    expect(stats.failed).toBe(1);
    expect(stats.connected).toBe(3);
    expect(stats.errors).toBeGreaterThanOrEqual(1);
    expect(stats.published).toBeGreaterThanOrEqual(9);
    await until(() => sim !== null && sim.stats().acked >= 9);
    expect(lines.some((l) => l['code'] === SIM_ERROR_CODES.CONNECT_FAILED && l['sensorId'] === 'flood-intruder')).toBe(true);

    const statusTopics = SENSORS.map((s) => `city/hcmc/${s.feature.properties.domain}/${s.feature.properties.id}/status`);
    const online = await retainedStatuses(b.url, statusTopics);
    for (const s of SENSORS) {
      const { id, domain } = s.feature.properties;
      expect(online.get(`city/hcmc/${domain}/${id}/status`)).toMatchObject({ online: true });
    }
    expect(online.has('city/hcmc/flood/flood-intruder/status')).toBe(false);

    await sim.stop();
    const afterStop = sim.stats();
    expect(afterStop.connected).toBe(0);
    expect(afterStop.acked).toBe(afterStop.published);
    const offline = await retainedStatuses(b.url, statusTopics);
    for (const s of SENSORS) {
      const { id, domain } = s.feature.properties;
      expect(offline.get(`city/hcmc/${domain}/${id}/status`)).toMatchObject({ online: false });
    }
    // nothing more is published once stopped
    const count = telemetry().length;
    await new Promise((r) => setTimeout(r, 400));
    expect(telemetry().length).toBe(count);
  });

  it('leaves a Last Will that the broker publishes when the connection drops, then reconnects', async () => {
    broker = await startBroker(ACCOUNTS);
    const sensor = SENSORS[1] as SimulatedSensor;
    sim = await startSimulation({
      brokerUrl: broker.url,
      city: 'hcmc',
      sensors: [sensor],
      seed: 1,
      scenario: 'calm',
      logger: pino({ level: 'silent' }),
      intervalMs: { flood: 200 },
      reconnectPeriodMs: 100,
    });
    const b = broker;
    const topic = 'city/hcmc/flood/flood-bay-hien/status';
    await until(() => b.clients.has('sim-flood-bay-hien'));
    const statuses = () => b.seen.filter((m) => m.topic === topic).map((m) => ({ ...(JSON.parse(m.payload) as { online: boolean; ts: string }), retain: m.retain }));
    await until(() => statuses().length >= 1);
    expect(statuses()[0]).toMatchObject({ online: true, retain: true });

    // an abrupt loss: the socket dies without DISCONNECT
    b.clients.get('sim-flood-bay-hien')?.conn.destroy();
    await until(() => statuses().some((s) => !s.online));
    const will = statuses().find((s) => !s.online);
    expect(will).toMatchObject({ online: false, retain: true });
    expect(Number.isNaN(Date.parse(will?.ts ?? ''))).toBe(false);

    // MQTT.js reconnects on its own and announces itself again
    await until(() => statuses().filter((s) => s.online).length >= 2);
    await until(() => sim !== null && sim.stats().connected === 1);
    const before = sim.stats().published;
    await until(() => sim !== null && sim.stats().published > before + 1);
  });

  it('connects 200 sensors with bounded concurrency, each publishing under its own identity', async () => {
    const fleet: SimulatedSensor[] = Array.from({ length: 200 }, (_, i) => {
      const domain = (['traffic', 'flood', 'air'] as const)[i % 3] ?? 'air';
      const id = `${domain}-fleet-${i}`;
      const props = { id, domain, name: id, district: 'Quận 1', ...(domain === 'traffic' ? { freeFlowKmh: 40 } : {}) } as SensorProperties;
      return { feature: feature(props), credentials: { username: id, password: `pw-${i}` } };
    });
    broker = await startBroker(Object.fromEntries(fleet.map((s) => [s.credentials.username, s.credentials.password])), 20);
    sim = await startSimulation({
      brokerUrl: broker.url,
      city: 'hcmc',
      sensors: fleet,
      seed: 4,
      logger: pino({ level: 'silent' }),
      connectConcurrency: 20,
      intervalMs: { traffic: 500, flood: 500, air: 500 },
    });
    expect(sim.stats().connected).toBe(200);
    expect(broker.stats.connections).toBe(200);
    // parallel, but never more than 20 at once
    expect(broker.stats.maxPending).toBeLessThanOrEqual(20);
    expect(broker.stats.maxPending).toBeGreaterThanOrEqual(10);
    const b = broker;
    await until(() => new Set(b.seen.filter((m) => m.topic.endsWith('/telemetry')).map((m) => m.clientId)).size === 200);
    await sim.stop();
    expect(sim.stats().connected).toBe(0);
  });

  it('counts a broker that cannot be reached as errors and still resolves and stops', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    sim = await startSimulation({
      brokerUrl: `mqtt://127.0.0.1:${port}`,
      city: 'hcmc',
      sensors: SENSORS,
      logger: pino({ level: 'silent' }),
      connectTimeoutMs: 300,
      reconnectPeriodMs: 100,
    });
    const stats = sim.stats();
    expect(stats.connected).toBe(0);
    expect(stats.errors).toBeGreaterThanOrEqual(SENSORS.length);
    expect(stats.published).toBe(0);
    await sim.stop();
  });

  it('stops cleanly after the broker has gone away', async () => {
    broker = await startBroker(ACCOUNTS);
    sim = await startSimulation({
      brokerUrl: broker.url,
      city: 'hcmc',
      sensors: SENSORS,
      logger: pino({ level: 'silent' }),
      intervalMs: { traffic: 100, flood: 100, air: 100 },
      reconnectPeriodMs: 100,
      stopTimeoutMs: 500,
    });
    const b = broker;
    await until(() => b.seen.filter((m) => m.topic.endsWith('/telemetry')).length >= 3);
    await b.close();
    broker = null;
    await until(() => sim !== null && sim.stats().connected === 0);
    await sim.stop();
    const stats = sim.stats();
    expect(stats.connected).toBe(0);
    expect(stats.published).toBeGreaterThanOrEqual(3);
  });

  it('rejects bad options with stable codes before connecting anything', async () => {
    const base = { brokerUrl: 'mqtt://127.0.0.1:1', city: 'hcmc', sensors: SENSORS, logger: pino({ level: 'silent' }) };
    await expect(startSimulation({ ...base, city: 'ho chi minh/#' })).rejects.toMatchObject({ code: SIM_ERROR_CODES.INVALID_OPTIONS });
    await expect(startSimulation({ ...base, sensors: [...SENSORS, SENSORS[0] as SimulatedSensor] })).rejects.toMatchObject({ code: SIM_ERROR_CODES.DUPLICATE_SENSOR });
    await expect(startSimulation({ ...base, intervalMs: { air: 0 } })).rejects.toMatchObject({ code: SIM_ERROR_CODES.INVALID_OPTIONS });
    await expect(startSimulation({ ...base, scenario: 'storm' as 'demo' })).rejects.toMatchObject({ code: SIM_ERROR_CODES.UNKNOWN_SCENARIO });
  });
});
