import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CITY, closeAllClients, connect, eventually, reading, startHarness, type Harness } from './test-support.ts';
import type { DeviceCredentials } from './types.ts';

const TOPIC = `city/${CITY}/traffic/traffic-001/telemetry`;
const trafficReading = () => JSON.stringify({ ts: Date.now(), speedKmh: 31, volume: 120, occupancyPct: 22, intervalS: 60 });

function run(command: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

describe('transports', () => {
  let h: Harness;
  let sensor: DeviceCredentials;

  beforeAll(async () => {
    // The production default: one dual-stack socket on '::'.
    h = await startHarness({ host: '::' });
    sensor = await h.accounts.add({ id: 'traffic-001', kind: 'sensor', domain: 'traffic' });
  });
  afterEach(closeAllClients);
  afterAll(async () => {
    await closeAllClients();
    await h.close();
  });

  it.each(['127.0.0.1', '::1'])('accepts MQTT over TCP on %s when bound to ::', async (host) => {
    const client = await connect(h.url(host), { username: sensor.username, password: sensor.password, clientId: `tcp-${host}` });
    await client.publishAsync(TOPIC, trafficReading(), { qos: 1 });
    expect(h.telemetry.some((m) => m.clientId === `tcp-${host}`)).toBe(true);
  });

  it('accepts a QoS 1 publish from mosquitto_pub with username and password', async () => {
    const result = await run('mosquitto_pub', [
      '-h', '127.0.0.1', '-p', String(h.port), '-V', 'mqttv311',
      '-i', 'mosquitto-pub-1', '-u', sensor.username, '-P', sensor.password,
      '-q', '1', '-t', TOPIC, '-m', trafficReading(),
    ]);
    expect(result).toEqual({ code: 0, stderr: '' });
    const msg = h.telemetry.find((m) => m.clientId === 'mosquitto-pub-1');
    expect(msg).toMatchObject({ qos: 1, parsed: { kind: 'telemetry', domain: 'traffic', sensorId: 'traffic-001' } });
  });

  it('refuses mosquitto_pub with a wrong password', async () => {
    const result = await run('mosquitto_pub', [
      '-h', '::1', '-p', String(h.port), '-V', 'mqttv311',
      '-i', 'mosquitto-pub-2', '-u', sensor.username, '-P', 'wrong', '-q', '1', '-t', TOPIC, '-m', trafficReading(),
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.toLowerCase()).toContain("bad user name or password");
    expect(h.telemetry.some((m) => m.clientId === 'mosquitto-pub-2')).toBe(false);
  });

  describe('MQTT over WebSocket', () => {
    let server: http.Server;
    let port: number;
    const otherUpgrades: string[] = [];

    beforeAll(async () => {
      server = http.createServer((_req, res) => res.end('ok'));
      // Stands in for Socket.IO: another upgrade listener on the same server.
      server.on('upgrade', (req, socket) => {
        if (req.url?.startsWith('/mqtt')) return;
        otherUpgrades.push(req.url ?? '');
        socket.end('HTTP/1.1 418 I am a teapot\r\nConnection: close\r\n\r\n');
      });
      h.broker.attachWebSocket(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('carries MQTT.js over ws:// on /mqtt', async () => {
      const client = await connect(`ws://127.0.0.1:${port}/mqtt`, {
        username: sensor.username,
        password: sensor.password,
        clientId: 'ws-client',
      });
      await client.publishAsync(TOPIC, trafficReading(), { qos: 1 });
      expect(h.telemetry.some((m) => m.clientId === 'ws-client')).toBe(true);
    });

    it('refuses bad credentials over WebSocket too', async () => {
      const err = await connect(`ws://127.0.0.1:${port}/mqtt`, { username: sensor.username, password: 'nope' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 4 });
    });

    it('leaves upgrade requests for other paths to their own handlers', async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
      const status = await new Promise<number | undefined>((resolve) => {
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode));
        ws.once('open', () => resolve(101));
        ws.once('error', () => resolve(undefined));
      });
      ws.terminate();
      expect(status).toBe(418);
      expect(otherUpgrades).toEqual(['/socket.io/?EIO=4&transport=websocket']);
    });
  });

  it('close() drops open connections and stops listening', async () => {
    const local = await startHarness();
    const creds = await local.accounts.add({ id: 'flood-001', kind: 'sensor', domain: 'flood' });
    const client = await connect(local.url(), {
      username: creds.username,
      password: creds.password,
      will: { topic: `city/${CITY}/flood/flood-001/status`, payload: Buffer.from('{"online":false}'), qos: 1, retain: true },
    });
    await client.publishAsync(`city/${CITY}/flood/flood-001/telemetry`, reading(), { qos: 1 });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await local.close();
    await closed;
    await eventually(() => !client.connected);
    // Our own shutdown is not the device going offline: its Last Will must not fire.
    expect(local.statuses).toEqual([]);
    const err = await connect(local.url(), { username: creds.username, password: creds.password }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ECONNREFUSED' });
    await expect(local.broker.publishRetained(`city/${CITY}/alerts/flood/a`, 'x')).rejects.toMatchObject({
      code: 'CITYOPS_BROKER_NOT_LISTENING',
    });
  });
});
