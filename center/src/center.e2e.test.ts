import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { telemetryTopic, type Alert } from '@cityops/contracts';
import { cli, connectSocket, mosquittoPub, removeDir, signIn, startTestCenter, waitFor, type CitySocket, type TestCenter } from './test-support/harness.ts';

/**
 * The whole pipeline on real parts: MQTT.js and mosquitto_pub publish to the
 * embedded broker, ingest stores, the rule engine raises, Socket.IO delivers,
 * the HTTP API acknowledges.
 */
describe('operations center end to end', () => {
  let t: TestCenter;
  let socket: CitySocket;
  let cookie: string;
  const alerts: Alert[] = [];

  beforeAll(async () => {
    t = await startTestCenter();
    const operator = (await cli(t.dataDir, 'users', 'add', 'lan', '--role', 'operator')) as { username: string; password: string };
    cookie = await signIn(t.httpUrl, operator.username, operator.password);
    socket = await connectSocket(t.httpUrl, cookie);
    socket.on('alert', (alert) => alerts.push(alert));
  });

  afterAll(async () => {
    socket?.close();
    await t?.close();
    if (t) removeDir(t.dataDir);
  });

  it('stores readings from MQTT.js and mosquitto_pub, raises a flood alert, delivers it on Socket.IO and acknowledges it over HTTP', async () => {
    // Registered through the real CLI while the center runs (another process writing the same database).
    const viaMqttJs = (await cli(t.dataDir, 'devices', 'add', 'flood-001', '--domain', 'flood')) as { id: string; username: string; password: string };
    const viaMosquitto = (await cli(t.dataDir, 'devices', 'add', 'flood-002', '--domain', 'flood')) as { username: string; password: string };
    expect(viaMqttJs).toMatchObject({ id: 'flood-001', username: 'flood-001' });
    expect(viaMqttJs.password.length).toBeGreaterThanOrEqual(20);

    const client = await mqtt.connectAsync(t.mqttUrl, { username: viaMqttJs.username, password: viaMqttJs.password, clientId: 'e2e-flood-001', reconnectPeriod: 0 });
    const now = Date.now();
    // Event time drives the rule: 35 cm held from now-40 s to now exceeds the 30 s `for` of flood-depth.
    for (const [ageS, level] of [[40, 34], [20, 35], [0, 36]] as const) {
      await client.publishAsync(
        telemetryTopic('hcmc', 'flood', 'flood-001'),
        JSON.stringify({ ts: new Date(now - ageS * 1000).toISOString(), waterLevelCm: level, intervalS: 20, rainfallMm: 4.2 }),
        { qos: 1 },
      );
    }
    await client.endAsync();
    await mosquittoPub({
      port: t.center.mqttPort,
      username: viaMosquitto.username,
      password: viaMosquitto.password,
      topic: telemetryTopic('hcmc', 'flood', 'flood-002'),
      message: JSON.stringify({ ts: now, waterLevelCm: 3, intervalS: 60 }),
    });

    // (a) stored: PUBACK came after durability, so the store has them now.
    expect(await t.center.store.count({ sensorId: 'flood-001' })).toBe(3);
    expect(await t.center.store.count({ sensorId: 'flood-002' })).toBe(1);
    const history = (await (await fetch(`${t.httpUrl}/api/sensors/flood-001/history?from=${now - 120_000}&to=${now + 1000}`, { headers: { cookie } })).json()) as { points: { fields: { waterLevelCm: number } }[] };
    expect(history.points.map((p) => p.fields.waterLevelCm)).toEqual([34, 35, 36]);
    const sensors = (await (await fetch(`${t.httpUrl}/api/sensors`, { headers: { cookie } })).json()) as { features: { properties: { id: string; latest: { fields: { waterLevelCm?: number } } | null } }[] };
    expect(sensors.features.find((f) => f.properties.id === 'flood-002')?.properties.latest?.fields.waterLevelCm).toBe(3);

    // (b) raised and delivered.
    const raised = await waitFor(() => alerts.find((a) => a.ruleId === 'flood-depth' && a.subject.id === 'flood-001'), 5000, 'flood alert on Socket.IO');
    expect(raised).toMatchObject({ domain: 'flood', severity: 'major', state: 'active', subject: { kind: 'sensor', id: 'flood-001' }, value: 36 });
    expect(raised.message.vi).toMatch(/Ngập/);
    expect(alerts.some((a) => a.subject.id === 'flood-002')).toBe(false);

    // (c) acknowledged over HTTP, and the change is broadcast.
    const ack = await fetch(`${t.httpUrl}/api/alerts/${encodeURIComponent(raised.id)}/ack`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ comment: 'Đội phản ứng nhanh đã được điều động' }),
    });
    expect(ack.status).toBe(200);
    expect(await ack.json()).toMatchObject({ id: raised.id, state: 'acknowledged', acknowledgedBy: 'lan' });
    await waitFor(() => alerts.find((a) => a.id === raised.id && a.state === 'acknowledged'), 5000, 'acknowledged alert on Socket.IO');
    const listed = (await (await fetch(`${t.httpUrl}/api/alerts?state=acknowledged`, { headers: { cookie } })).json()) as Alert[];
    expect(listed.map((a) => a.id)).toEqual([raised.id]);
    expect(t.center.alerts.audit(raised.id).map((e) => [e.action, e.actor])).toEqual([
      ['raised', 'system'],
      ['acknowledged', 'lan'],
    ]);
  });
});
