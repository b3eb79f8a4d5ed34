import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from '@cityops/sqlite';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCityBroker } from './city-broker.ts';
import { createSqliteDeviceAccounts } from './device-accounts.ts';
import type { BrokerPersistenceOptions } from './persistence.ts';
import { redisOptions } from './persistence.ts';
import { connectPacket, rawPeer } from './raw-client.ts';
import { CITY, closeAllClients, connect, eventually, startHarness } from './test-support.ts';
import type { CityBroker, DeviceAccounts, DeviceCredentials } from './types.ts';

const STATUS = (id: string) => `city/${CITY}/flood/${id}/status`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject); // a missing redis-server fails the suite
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('redisOptions', () => {
  it('reads host, port, password and db from a redis:// URL', () => {
    expect(redisOptions('redis://:s%40cret@[::1]:6380/2')).toEqual({ host: '::1', port: 6380, family: 6, password: 's@cret', db: 2 });
    expect(redisOptions('redis://127.0.0.1')).toEqual({ host: '127.0.0.1', port: 6379, family: 4 });
    expect(() => redisOptions('http://x')).toThrow();
  });
});

describe.each(['level', 'redis'] as const)('broker state across a restart (%s persistence)', (kind) => {
  let dir: string;
  let db: Database.Database;
  let accounts: DeviceAccounts;
  let sensor: DeviceCredentials;
  let portal: DeviceCredentials;
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  let persistence: BrokerPersistenceOptions;
  let broker: CityBroker | undefined;
  let port = 0;

  const start = async (): Promise<void> => {
    broker = await createCityBroker({
      city: CITY,
      host: '127.0.0.1',
      mqttPort: port,
      allowAnonymous: false,
      accounts,
      onTelemetry: async () => undefined,
      onDenied: () => undefined,
      onStatus: () => undefined,
      logger: pino({ level: process.env['CITYOPS_TEST_LOG'] ?? 'silent' }),
      metrics: new Registry(),
      persistence,
    });
    port = (await broker.listen()).mqttPort; // the same port again after a restart
  };
  const restart = async (): Promise<void> => {
    await closeAllClients();
    await broker?.close();
    await start();
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), `cityops-persist-${kind}-`));
    db = new Database(path.join(dir, 'center.db'));
    accounts = createSqliteDeviceAccounts(db, { scryptCost: 1024 });
    sensor = await accounts.add({ id: 'flood-001', kind: 'sensor', domain: 'flood' });
    portal = await accounts.add({ id: 'city-portal', kind: 'integrator' });
    if (kind === 'redis') redis = await startRedis(dir);
    persistence = kind === 'level' ? { kind: 'level', path: path.join(dir, 'mqtt') } : { kind: 'redis', url: redis?.url ?? '' };
    await start();
  });
  afterEach(closeAllClients);
  afterAll(async () => {
    await closeAllClients();
    await broker?.close();
    await redis?.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const url = () => `mqtt://127.0.0.1:${port}`;

  it('keeps retained messages', async () => {
    const device = await connect(url(), { username: sensor.username, password: sensor.password });
    const status = JSON.stringify({ online: true, ts: 1_700_000_000_000 });
    await device.publishAsync(STATUS('flood-001'), status, { qos: 1, retain: true });
    await restart();
    const reader = await connect(url(), { username: portal.username, password: portal.password });
    const got: [string, string, boolean][] = [];
    reader.on('message', (topic, payload, packet) => got.push([topic, payload.toString(), packet.retain]));
    await reader.subscribeAsync(`city/${CITY}/+/+/status`, { qos: 1 });
    await eventually(() => got.length > 0);
    expect(got).toEqual([[STATUS('flood-001'), status, true]]);
  });

  it('keeps a persistent session and its offline queue', async () => {
    const options = { username: portal.username, password: portal.password, clientId: `portal-${kind}`, clean: false };
    const first = await connect(url(), options);
    await first.subscribeAsync(`city/${CITY}/flood/+/status`, { qos: 1 });
    await first.endAsync();
    const device = await connect(url(), { username: sensor.username, password: sensor.password });
    const sent = [1, 2, 3].map((n) => JSON.stringify({ online: n !== 2, ts: 1_700_000_000_000 + n }));
    for (const s of sent) await device.publishAsync(STATUS('flood-001'), s, { qos: 1 });
    await restart();
    const got: string[] = [];
    const again = await connect(url(), options);
    again.on('message', (_t, payload) => got.push(payload.toString()));
    await eventually(() => got.length >= 3);
    expect(got).toEqual(sent);
  });

  it('redelivers a QoS 1 message that was in flight (sent, not acknowledged) when the center stopped', async () => {
    const login = { username: portal.username, password: portal.password, clientId: `raw-${kind}`, clean: false };
    const sub = await rawPeer(port);
    sub.send(connectPacket(login));
    await sub.next('connack');
    sub.send({ cmd: 'subscribe', messageId: 7, subscriptions: [{ topic: `city/${CITY}/flood/+/status`, qos: 1 }] });
    await sub.next('suback');
    const device = await connect(url(), { username: sensor.username, password: sensor.password });
    const status = JSON.stringify({ online: false, ts: 1_700_000_000_999 });
    await device.publishAsync(STATUS('flood-001'), status, { qos: 1 });
    // (the retained status of the first test may arrive too; it is not the one we follow)
    const ours = (peer: typeof sub) => peer.received.find((p) => p.cmd === 'publish' && p.payload.toString() === status);
    await eventually(() => ours(sub) !== undefined);
    const first = ours(sub);
    expect(first).toMatchObject({ qos: 1, topic: STATUS('flood-001') });
    sub.socket.destroy(); // no PUBACK
    await restart();
    const back = await rawPeer(port);
    back.send(connectPacket(login));
    expect(await back.next('connack')).toMatchObject({ sessionPresent: true });
    await eventually(() => ours(back) !== undefined);
    expect(ours(back)).toMatchObject({ qos: 1, topic: STATUS('flood-001'), messageId: (first as { messageId: number }).messageId });
    back.socket.destroy();
  });
});

describe('Last Wills restored from persistence', () => {
  // After a crash, Aedes' heartbeat publishes the stored wills of clients that have not
  // reconnected, with no client: authorizePublish(null, will, cb) — exactly this call.
  const authorize = (h: Awaited<ReturnType<typeof startHarness>>, topic: string, payload: string) =>
    new Promise<Error | null | undefined>((resolve) =>
      h.broker.aedes.authorizePublish(null as never, { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: true, dup: false }, resolve),
    );

  it('reports a status will as an outage and lets Aedes publish (and delete) it', async () => {
    const h = await startHarness();
    try {
      expect(await authorize(h, STATUS('flood-007'), JSON.stringify({ online: false, ts: 1_700_000_000_000 }))).toBeNull();
      expect(h.statuses).toEqual([{ domain: 'flood', sensorId: 'flood-007', online: false, ts: 1_700_000_000_000, source: 'will' }]);
    } finally {
      await h.close();
    }
  });

  it('drops any other stored will without reporting it', async () => {
    const h = await startHarness();
    try {
      const packet = { cmd: 'publish' as const, topic: `city/${CITY}/flood/flood-007/telemetry`, payload: Buffer.from('{}'), qos: 1 as const, retain: true, dup: false };
      const err = await new Promise((resolve) => h.broker.aedes.authorizePublish(null as never, packet, resolve));
      expect(err).toBeNull();
      expect(packet.topic).toBe('$SYS/cityops/dropped');
      expect(h.statuses).toEqual([]);
      expect(await authorize(h, STATUS('flood-007'), 'not json')).toBeNull();
      expect(h.statuses).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
