import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closedWithin, connectPacket, rawPeer } from '../raw-client.ts';
import { CITY, closeAllClients, eventually, reading, startHarness, type Harness } from '../test-support.ts';
import type { DeviceCredentials } from '../types.ts';
import { messagesOf, paho, run } from './run-client.ts';

const TELEMETRY = (id: string) => `city/${CITY}/flood/${id}/telemetry`;
const STATUS = (id: string) => `city/${CITY}/flood/${id}/status`;

describe('interoperability with mosquitto clients and Eclipse Paho', () => {
  let h: Harness;
  let sensor: DeviceCredentials;
  let sensor2: DeviceCredentials;
  let portal: DeviceCredentials;
  const port = () => String(h.port);

  beforeAll(async () => {
    h = await startHarness({ host: '::' });
    sensor = await h.accounts.add({ id: 'flood-001', kind: 'sensor', domain: 'flood' });
    sensor2 = await h.accounts.add({ id: 'flood-002', kind: 'sensor', domain: 'flood' });
    portal = await h.accounts.add({ id: 'city-portal', kind: 'integrator' });
  });
  afterEach(closeAllClients);
  afterAll(async () => {
    await closeAllClients();
    await h.close();
  });

  const mosquittoPub = (clientId: string, extra: string[]) =>
    run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port(), '-V', 'mqttv311', '-i', clientId, '-u', sensor.username, '-P', sensor.password, ...extra]);

  it.each([0, 1, 2])('takes a QoS %i reading from mosquitto_pub exactly once', async (qos) => {
    const body = reading({ via: `mosquitto-q${qos}` });
    const result = await mosquittoPub(`mq-pub-q${qos}`, ['-q', String(qos), '-t', TELEMETRY('flood-001'), '-m', body]);
    expect(result.code, result.stderr).toBe(0);
    await eventually(() => h.telemetry.some((m) => m.clientId === `mq-pub-q${qos}`));
    const got = h.telemetry.filter((m) => m.clientId === `mq-pub-q${qos}`);
    expect(got).toHaveLength(1);
    expect(got[0]?.qos).toBe(qos);
    expect(got[0]?.payload.toString()).toBe(body);
  });

  it.each([0, 1, 2])('takes a QoS %i reading from Paho exactly once, over IPv6', async (qos) => {
    const events = await paho({
      host: '::1', port: h.port, clientId: `paho-q${qos}`, username: sensor.username, password: sensor.password,
      publish: [{ topic: TELEMETRY('flood-001'), payload: reading({ via: 'paho' }), qos }],
    });
    expect(events[0]).toMatchObject({ event: 'connack', rc: 0 });
    expect(events.find((e) => e.event === 'done')).toMatchObject({ unacked: 0 });
    await eventually(() => h.telemetry.some((m) => m.clientId === `paho-q${qos}`));
    expect(h.telemetry.filter((m) => m.clientId === `paho-q${qos}`).map((m) => m.qos)).toEqual([qos]);
  });

  it('refuses Paho with a wrong secret (CONNACK 4)', async () => {
    const events = await paho({ host: '127.0.0.1', port: h.port, clientId: 'paho-bad', username: sensor2.username, password: 'nope', timeout: 3 });
    expect(events[0]).toMatchObject({ event: 'connack', rc: 4 });
  });

  it('keeps a retained status for integrators that subscribe later (mosquitto_pub -r → mosquitto_sub)', async () => {
    const status = JSON.stringify({ online: true, ts: Date.now() });
    const pub = await mosquittoPub('mq-status', ['-q', '1', '-r', '-t', STATUS('flood-001'), '-m', status]);
    expect(pub.code, pub.stderr).toBe(0);
    const sub = await run('mosquitto_sub', [
      '-h', '::1', '-p', port(), '-V', 'mqttv311', '-i', 'mq-portal', '-u', portal.username, '-P', portal.password,
      '-q', '1', '-t', `city/${CITY}/+/+/status`, '-C', '1', '-W', '5', '-F', '%r %t %p',
    ]);
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stdout.trim()).toBe(`1 ${STATUS('flood-001')} ${status}`);
  });

  it('delivers a Paho device\'s Last Will when it vanishes without DISCONNECT', async () => {
    const watcher = paho({
      host: '127.0.0.1', port: h.port, clientId: 'paho-watcher', username: portal.username, password: portal.password,
      subscribe: [{ topic: `city/${CITY}/flood/flood-002/status`, qos: 1 }], expect: 1, timeout: 8,
    });
    // Give the watcher time to subscribe before the device comes and goes.
    await eventually(() => (h.broker.aedes as unknown as { clients: Record<string, unknown> }).clients['paho-watcher'] !== undefined);
    await new Promise((r) => setTimeout(r, 300));
    const will = JSON.stringify({ online: false });
    const device = await paho({
      host: '127.0.0.1', port: h.port, clientId: 'paho-dying', username: sensor2.username, password: sensor2.password,
      will: { topic: STATUS('flood-002'), payload: will, qos: 1, retain: true }, end: 'drop', timeout: 3,
    });
    expect(device[0]).toMatchObject({ event: 'connack', rc: 0 });
    const seen = messagesOf(await watcher);
    expect(seen.map((m) => [m.topic, m.payload])).toEqual([[STATUS('flood-002'), will]]);
    expect(h.statuses.some((s) => s.sensorId === 'flood-002' && s.source === 'will' && !s.online)).toBe(true);
  });

  it('keeps a Paho client with a 1 s keep-alive connected through idle periods (PINGREQ/PINGRESP)', async () => {
    const events = await paho({
      host: '127.0.0.1', port: h.port, clientId: 'paho-keepalive', username: sensor.username, password: sensor.password,
      keepalive: 1, delayPublishS: 3, publish: [{ topic: TELEMETRY('flood-001'), payload: reading({ after: 'idle' }), qos: 1 }],
    });
    expect(events.find((e) => e.event === 'done')).toMatchObject({ unacked: 0 });
    expect(h.telemetry.some((m) => m.clientId === 'paho-keepalive')).toBe(true);
  });

  it('closes a client that stops talking for 1.5 × its keep-alive [MQTT-3.1.2-24]', async () => {
    const peer = await rawPeer(h.port);
    peer.send(connectPacket({ username: sensor.username, password: sensor.password, keepalive: 1 }));
    await peer.next('connack');
    const took = await closedWithin(peer, 5_000);
    expect(took).toBeGreaterThanOrEqual(1_000);
  });

  it('queues QoS 1 messages for an offline persistent Paho session and delivers them on reconnect', async () => {
    const base = { host: '127.0.0.1', port: h.port, clientId: 'paho-persistent', username: portal.username, password: portal.password, clean: false };
    const first = await paho({ ...base, subscribe: [{ topic: `city/${CITY}/flood/+/status`, qos: 1 }] });
    expect(first).toContainEqual({ event: 'suback', granted: [1] });
    const statuses = [1, 2, 3].map((n) => JSON.stringify({ online: n % 2 === 1, ts: Date.now() + n }));
    for (const s of statuses) {
      const r = await mosquittoPub('mq-offline', ['-q', '1', '-t', STATUS('flood-001'), '-m', s]);
      expect(r.code, r.stderr).toBe(0);
    }
    const second = await paho({ ...base, expect: 3, timeout: 5 });
    expect(second[0]).toMatchObject({ event: 'connack', rc: 0, sessionPresent: true });
    expect(messagesOf(second).map((m) => m.payload)).toEqual(statuses);
    // A clean session starts empty: nothing is queued for it.
    const clean = await paho({ ...base, clean: true, timeout: 1 });
    expect(clean[0]).toMatchObject({ event: 'connack', sessionPresent: false });
    expect(messagesOf(clean)).toEqual([]);
  });

  it('lets an integrator subscribe with wildcards inside the city tree only; $SYS and other cities are refused', async () => {
    const events = await paho({
      host: '127.0.0.1', port: h.port, clientId: 'paho-portal', username: portal.username, password: portal.password,
      subscribe: [
        { topic: `city/${CITY}/#`, qos: 1 },
        { topic: `city/${CITY}/+/+/telemetry`, qos: 0 },
        { topic: '$SYS/#', qos: 0 },
        { topic: 'city/hanoi/#', qos: 0 },
        { topic: '#', qos: 0 },
      ],
      timeout: 3,
    });
    expect(events).toContainEqual({ event: 'suback', granted: [1, 0, 128, 128, 128] });
  });

  it('keeps integrators read-only and sensors out of other devices\' topics', async () => {
    const before = h.denied.length;
    const portalPub = await run('mosquitto_pub', [
      '-h', '127.0.0.1', '-p', port(), '-i', 'mq-portal-pub', '-u', portal.username, '-P', portal.password,
      '-q', '1', '-t', TELEMETRY('flood-001'), '-m', reading(),
    ]);
    // Acknowledged (MQTT 3.1.1 has no negative PUBACK) but dropped and reported.
    expect(portalPub.code).toBe(0);
    await eventually(() => h.denied.length > before);
    expect(h.denied.at(-1)).toMatchObject({ clientId: 'mq-portal-pub', reason: 'not_authorized' });
    expect(h.telemetry.some((m) => m.clientId === 'mq-portal-pub')).toBe(false);

    const spy = await paho({
      host: '127.0.0.1', port: h.port, clientId: 'paho-spy', username: sensor.username, password: sensor.password,
      subscribe: [{ topic: TELEMETRY('flood-002'), qos: 0 }, { topic: `city/${CITY}/#`, qos: 0 }, { topic: '$SYS/#', qos: 0 }],
      timeout: 3,
    });
    expect(spy).toContainEqual({ event: 'suback', granted: [128, 128, 128] });
  });
});
