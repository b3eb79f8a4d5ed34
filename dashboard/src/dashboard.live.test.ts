import type { Alert, Reading, ServerToClientEvents, SensorStatus } from '@cityops/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { buildDashboard, type Dashboard } from './dashboard.ts';
import { BASEMAP_DIR, createMemoryDeps, createTempAccounts, sampleAlert, type TempAccounts } from './test-fixtures.ts';

type Client = Socket<ServerToClientEvents>;

const reading = (sensorId: string, i: number): Reading => ({
  sensorId,
  domain: 'flood',
  ts: 1_790_000_000_000 + i * 1000,
  receivedAt: 1_790_000_000_000 + i * 1000 + 5,
  fields: { waterLevelCm: i },
});

describe('dashboard Socket.IO', () => {
  let temp: TempAccounts;
  let dashboard: Dashboard;
  let url: string;
  let webRoot: string;
  let password: string;
  const clients: Client[] = [];

  beforeEach(async () => {
    temp = createTempAccounts();
    password = (await temp.users.add('viewer1', 'viewer')).password;
    webRoot = mkdtempSync(join(tmpdir(), 'cityops-web-'));
    dashboard = await buildDashboard(createMemoryDeps(temp.users), { webRoot, basemapDir: BASEMAP_DIR, telemetryFlushMs: 50 });
    const { port } = await dashboard.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${port}`;
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await dashboard.close();
    temp.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  const open = (options: Parameters<typeof connect>[1] = {}): Client => {
    const client: Client = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
    clients.push(client);
    return client;
  };
  const connected = (client: Client) =>
    new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('connect_error', (err) => reject(err));
    });
  const refused = (client: Client) =>
    new Promise<string>((resolve, reject) => {
      client.once('connect', () => reject(new Error('connected')));
      client.once('connect_error', (err) => resolve(err.message));
    });
  const sessionCookie = async (): Promise<string> => {
    const res = await dashboard.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload: { username: 'viewer1', password },
    });
    const cookie = res.cookies.find((c) => c.name === 'cityops_session');
    return `cityops_session=${cookie?.value ?? ''}`;
  };

  it('refuses unauthenticated and wrongly authenticated clients', async () => {
    expect(await refused(open())).toBe('CITYOPS_DASHBOARD_UNAUTHENTICATED');
    expect(await refused(open({ auth: { token: 'forged' } }))).toBe('CITYOPS_DASHBOARD_UNAUTHENTICATED');
    expect(await refused(open({ auth: { username: 'viewer1', password: 'wrong' } }))).toBe('CITYOPS_DASHBOARD_UNAUTHENTICATED');
    expect(await refused(open({ extraHeaders: { cookie: 'cityops_session=forged' } }))).toBe('CITYOPS_DASHBOARD_UNAUTHENTICATED');
  });

  it('accepts the session cookie from its own origin, auth.token and Basic-style credentials', async () => {
    const cookie = await sessionCookie();
    await connected(open({ extraHeaders: { cookie, origin: url } }));
    await connected(open({ auth: { token: cookie.split('=')[1] } }));
    await connected(open({ auth: { username: 'viewer1', password } }));
    await connected(open({ extraHeaders: { authorization: `Basic ${Buffer.from(`viewer1:${password}`).toString('base64')}` } }));
  });

  it('disconnects a session’s live connections when it signs out', async () => {
    const cookie = await sessionCookie();
    const client = open({ extraHeaders: { cookie, origin: url } });
    await connected(client);
    const other = open({ auth: { username: 'viewer1', password } });
    await connected(other);
    const gone = new Promise<string>((resolve) => client.once('disconnect', resolve));
    const res = await dashboard.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } });
    expect(res.statusCode).toBe(204);
    expect(await gone).toBe('io server disconnect');
    expect(other.connected).toBe(true);
  });

  it('refuses the session cookie when the page is on another origin', async () => {
    const cookie = await sessionCookie();
    expect(await refused(open({ extraHeaders: { cookie, origin: 'https://evil.example' } }))).toBe('CITYOPS_DASHBOARD_CROSS_ORIGIN');
  });

  it('coalesces readings per sensor into one telemetry batch per window', async () => {
    const client = open({ auth: { username: 'viewer1', password } });
    await connected(client);
    const batches: Reading[][] = [];
    client.on('telemetry', (batch) => batches.push(batch));
    const first = new Promise<void>((resolve) => client.once('telemetry', () => resolve()));
    for (let i = 0; i < 10; i++) dashboard.publishReading(reading('fld-a', i));
    dashboard.publishReading(reading('fld-b', 3));
    await first;
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(2);
    expect(batches[0]?.find((r) => r.sensorId === 'fld-a')).toEqual(reading('fld-a', 9));
    expect(batches[0]?.find((r) => r.sensorId === 'fld-b')).toEqual(reading('fld-b', 3));

    // A later window carries only what arrived since.
    const second = new Promise<Reading[]>((resolve) => client.once('telemetry', resolve));
    dashboard.publishReading(reading('fld-b', 4));
    expect(await second).toEqual([reading('fld-b', 4)]);
    expect(batches).toHaveLength(2);
  });

  it('sends status changes and alerts as they happen', async () => {
    const client = open({ auth: { username: 'viewer1', password } });
    await connected(client);
    const status: SensorStatus = { sensorId: 'fld-a', domain: 'flood', online: false, since: 1_790_000_000_000 };
    const gotStatus = new Promise<SensorStatus>((resolve) => client.once('sensor:status', resolve));
    dashboard.publishStatus(status);
    expect(await gotStatus).toEqual(status);
    const alert: Alert = sampleAlert();
    const gotAlert = new Promise<Alert>((resolve) => client.once('alert', resolve));
    dashboard.publishAlert(alert);
    expect(await gotAlert).toEqual(alert);
  });

  it('leaves other upgrade listeners (MQTT over WebSocket at /mqtt) working', async () => {
    const wss = new WebSocketServer({ noServer: true });
    dashboard.app.server.on('upgrade', (request, socket, head) => {
      if (request.url !== '/mqtt') return;
      // With destroyUpgrade on, engine.io ends any upgrade not answered within 1 s; a slow handshake must survive.
      setTimeout(() => {
        wss.handleUpgrade(request, socket, head, (ws) => {
          ws.on('message', (data) => ws.send(`echo:${String(data)}`));
          ws.send('hello from /mqtt');
        });
      }, 1300);
    });
    try {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/mqtt`);
      const message = await new Promise<string>((resolve, reject) => {
        ws.once('message', (data) => resolve(String(data)));
        ws.once('error', reject);
      });
      expect(message).toBe('hello from /mqtt');
      const echo = new Promise<string>((resolve, reject) => {
        ws.once('message', (data) => resolve(String(data)));
        ws.once('close', () => reject(new Error('closed by the server')));
      });
      ws.send('ping');
      expect(await echo).toBe('echo:ping');
      ws.close();
      // And Socket.IO still works beside it.
      await connected(open({ auth: { username: 'viewer1', password } }));
    } finally {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    }
  });

  it('closes with clients still connected', async () => {
    const client = open({ auth: { username: 'viewer1', password } });
    await connected(client);
    const gone = new Promise<string>((resolve) => client.once('disconnect', resolve));
    await dashboard.close();
    expect(await gone).toBeTypeOf('string');
  });
});
