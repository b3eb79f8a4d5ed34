import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { CITY, closeAllClients, connect, eventually, metricValue, reading, startHarness, type Harness } from './test-support.ts';
import type { DeviceCredentials } from './types.ts';

const FLOOD_TOPIC = (id: string) => `city/${CITY}/flood/${id}/telemetry`;

describe('createCityBroker', () => {
  let h: Harness;
  let s1: DeviceCredentials;
  let s2: DeviceCredentials;
  let gw: DeviceCredentials;
  let integrator: DeviceCredentials;

  beforeAll(async () => {
    h = await startHarness();
    s1 = await h.accounts.add({ id: 'flood-001', kind: 'sensor', domain: 'flood' });
    s2 = await h.accounts.add({ id: 'flood-002', kind: 'sensor', domain: 'flood' });
    gw = await h.accounts.add({ id: 'gw-q1', kind: 'gateway', sensorIds: ['flood-003'] });
    integrator = await h.accounts.add({ id: 'city-portal', kind: 'integrator' });
  });
  afterEach(closeAllClients);
  afterAll(async () => {
    await closeAllClients();
    await h.close();
  });

  const as = (c: DeviceCredentials, extra: Parameters<typeof connect>[1] = {}) =>
    connect(h.url(), { username: c.username, password: c.password, ...extra });

  describe('authentication', () => {
    it('passes an accepted publish to onTelemetry with the parsed topic and principal', async () => {
      const client = await as(s1, { clientId: 'flood-001-a' });
      const body = reading();
      await client.publishAsync(FLOOD_TOPIC('flood-001'), body, { qos: 1 });
      const msg = h.telemetry.find((m) => m.clientId === 'flood-001-a');
      expect(msg).toBeDefined();
      expect(msg?.topic).toBe(FLOOD_TOPIC('flood-001'));
      expect(msg?.parsed).toEqual({ kind: 'telemetry', domain: 'flood', sensorId: 'flood-001' });
      expect(msg?.principal).toMatchObject({ id: 'flood-001', kind: 'sensor', domain: 'flood' });
      expect(msg?.payload.toString()).toBe(body);
      expect(msg?.qos).toBe(1);
    });

    it('refuses a wrong password with "bad username or password" and counts it', async () => {
      const before = await metricValue(h.registry, 'cityops_broker_auth_failures_total', { reason: 'bad_credentials' });
      const err = await as({ ...s1, password: 'not-the-secret' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 4 });
      const unknown = await connect(h.url(), { username: 'nobody-here', password: 'x' }).catch((e: unknown) => e);
      expect(unknown).toMatchObject({ code: 4 });
      expect(await metricValue(h.registry, 'cityops_broker_auth_failures_total', { reason: 'bad_credentials' })).toBe(before + 2);
    });

    it('refuses anonymous clients with "not authorized"', async () => {
      const err = await connect(h.url()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 5 });
      expect(await metricValue(h.registry, 'cityops_broker_auth_failures_total', { reason: 'anonymous' })).toBeGreaterThanOrEqual(1);
    });

    it('does not let one device take over another device\'s client id', async () => {
      const victim = await as(s1, { clientId: 'shared-id' });
      const err = await as(s2, { clientId: 'shared-id' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 2 });
      await victim.publishAsync(FLOOD_TOPIC('flood-001'), reading(), { qos: 1 });
      expect(victim.connected).toBe(true);
    });
  });

  describe('publish ACL', () => {
    it('drops a publish to another device\'s topic, reports it, and keeps serving other devices', async () => {
      const offender = await as(s1, { clientId: 'offender' });
      const honest = await as(s2, { clientId: 'honest' });
      const watcher = await as(integrator, { clientId: 'watcher' });
      const seen: string[] = [];
      watcher.on('message', (topic) => seen.push(topic));
      await watcher.subscribeAsync(`city/${CITY}/#`, { qos: 1 });

      const deniedBefore = await metricValue(h.registry, 'cityops_broker_publish_denied_total', { reason: 'not_authorized' });
      // Acknowledged (MQTT 3.1.1 has no negative PUBACK) but dropped; see DROPPED_TOPIC.
      await offender.publishAsync(FLOOD_TOPIC('flood-002'), reading({ forged: true }), { qos: 1 });
      await honest.publishAsync(FLOOD_TOPIC('flood-002'), reading({ honest: true }), { qos: 1 });
      await offender.publishAsync(FLOOD_TOPIC('flood-001'), reading({ own: true }), { qos: 1 });

      expect(await metricValue(h.registry, 'cityops_broker_publish_denied_total', { reason: 'not_authorized' })).toBe(deniedBefore + 1);
      const denied = h.denied.filter((d) => d.clientId === 'offender');
      expect(denied).toHaveLength(1);
      expect(denied[0]).toMatchObject({ reason: 'not_authorized', username: 'flood-001', topic: FLOOD_TOPIC('flood-002') });
      const fromOffender = h.telemetry.filter((m) => m.clientId === 'offender').map((m) => m.topic);
      expect(fromOffender).toEqual([FLOOD_TOPIC('flood-001')]);
      expect(h.telemetry.some((m) => m.clientId === 'honest' && m.payload.toString().includes('honest'))).toBe(true);
      expect(offender.connected).toBe(true);

      await eventually(() => seen.length >= 2);
      expect(seen).toEqual([FLOOD_TOPIC('flood-002'), FLOOD_TOPIC('flood-001')]);
      expect(seen.some((t) => t.startsWith('$'))).toBe(false);
    });

    it('refuses alerts, other cities and $SYS from devices, and everything from integrators', async () => {
      const sensor = await as(s1);
      const portal = await as(integrator);
      await sensor.publishAsync(`city/${CITY}/alerts/flood/a1`, '{}', { qos: 1 });
      await sensor.publishAsync(`city/hanoi/flood/flood-001/telemetry`, reading(), { qos: 1 });
      await sensor.publishAsync('$SYS/whatever', 'x', { qos: 1 });
      await portal.publishAsync(FLOOD_TOPIC('flood-001'), reading(), { qos: 1 });
      const reasons = h.denied.slice(-4).map((d) => [d.topic, d.reason]);
      expect(reasons).toEqual([
        [`city/${CITY}/alerts/flood/a1`, 'not_authorized'],
        ['city/hanoi/flood/flood-001/telemetry', 'not_authorized'],
        ['$SYS/whatever', 'not_authorized'],
        [FLOOD_TOPIC('flood-001'), 'not_authorized'],
      ]);
    });

    it('rejects oversized payloads as too_large without reaching onTelemetry', async () => {
      const sensor = await as(s1, { clientId: 'big-sender' });
      await sensor.publishAsync(FLOOD_TOPIC('flood-001'), 'x'.repeat(16 * 1024 + 1), { qos: 1 });
      expect(h.denied.at(-1)).toMatchObject({ reason: 'too_large', clientId: 'big-sender' });
      expect(h.telemetry.some((m) => m.clientId === 'big-sender')).toBe(false);
      expect(await metricValue(h.registry, 'cityops_broker_publish_denied_total', { reason: 'too_large' })).toBe(1);
    });

    it('accepts a gateway batch on its own topic only', async () => {
      const gateway = await as(gw, { clientId: 'gw-conn' });
      const batch = JSON.stringify([{ sensorId: 'flood-003', domain: 'flood', ts: Date.now(), waterLevelCm: 3, intervalS: 60 }]);
      await gateway.publishAsync(`city/${CITY}/gateway/gw-q1/telemetry`, batch, { qos: 1 });
      await gateway.publishAsync(`city/${CITY}/gateway/gw-other/telemetry`, batch, { qos: 1 });
      const accepted = h.telemetry.filter((m) => m.clientId === 'gw-conn');
      expect(accepted.map((m) => m.parsed)).toEqual([{ kind: 'gateway', gatewayId: 'gw-q1' }]);
      expect(accepted[0]?.principal).toMatchObject({ kind: 'gateway', sensorIds: ['flood-003'] });
      expect(h.denied.at(-1)).toMatchObject({ clientId: 'gw-conn', reason: 'not_authorized' });
    });
  });

  describe('subscribe ACL', () => {
    // MQTT.js 5 turns a 0x80 SUBACK into a rejection carrying the packet.
    const granted = (client: MqttClient, filter: string): Promise<number | undefined> =>
      client.subscribeAsync(filter, { qos: 1 }).then(
        (grants) => grants[0]?.qos,
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted?.[0],
      );

    it('lets a device subscribe only below its own id', async () => {
      const sensor = await as(s1);
      expect(await granted(sensor, `city/${CITY}/flood/flood-001/#`)).toBe(1);
      expect(await granted(sensor, `city/${CITY}/flood/flood-002/#`)).toBe(128);
      expect(await granted(sensor, `city/${CITY}/#`)).toBe(128);
      expect(await granted(sensor, '#')).toBe(128);
      expect(await granted(sensor, '$SYS/#')).toBe(128);
      expect(sensor.connected).toBe(true);
    });

    it('lets an integrator read this city only', async () => {
      const portal = await as(integrator);
      expect(await granted(portal, `city/${CITY}/#`)).toBe(1);
      expect(await granted(portal, `city/${CITY}/alerts/+/+`)).toBe(1);
      expect(await granted(portal, 'city/+/#')).toBe(128);
      expect(await granted(portal, 'city/hanoi/#')).toBe(128);
      expect(await granted(portal, '$SYS/#')).toBe(128);
    });
  });

  describe('durability', () => {
    it('sends the PUBACK only after onTelemetry settles', async () => {
      const events: string[] = [];
      const slow = await startHarness({
        onTelemetry: async () => {
          events.push('telemetry:start');
          await new Promise((r) => setTimeout(r, 150));
          events.push('telemetry:durable');
        },
      });
      try {
        const creds = await slow.accounts.add({ id: 'flood-009', kind: 'sensor', domain: 'flood' });
        const client = await connect(slow.url(), { username: creds.username, password: creds.password });
        await new Promise<void>((resolve, reject) =>
          client.publish(FLOOD_TOPIC('flood-009'), reading(), { qos: 1 }, (err) => {
            events.push('puback');
            return err ? reject(err) : resolve();
          }),
        );
        expect(events).toEqual(['telemetry:start', 'telemetry:durable', 'puback']);
      } finally {
        await closeAllClients();
        await slow.close();
      }
    });

    it('withholds the PUBACK when onTelemetry rejects, so the device resends after reconnecting', async () => {
      let attempts = 0;
      const failing = await startHarness({
        onTelemetry: async () => {
          attempts += 1;
          if (attempts === 1) throw new Error('disk full');
        },
      });
      try {
        const creds = await failing.accounts.add({ id: 'flood-010', kind: 'sensor', domain: 'flood' });
        const client = await connect(failing.url(), {
          username: creds.username,
          password: creds.password,
          reconnectPeriod: 50,
          clean: true,
        });
        let closes = 0;
        client.on('close', () => (closes += 1));
        await client.publishAsync(FLOOD_TOPIC('flood-010'), reading(), { qos: 1 });
        expect(attempts).toBe(2);
        expect(closes).toBe(1);
        expect(await metricValue(failing.registry, 'cityops_broker_telemetry_failures_total')).toBe(1);
      } finally {
        await closeAllClients();
        await failing.close();
      }
    });
  });

  describe('status and Last Will', () => {
    it('turns a retained status publish and a Last Will into onStatus events', async () => {
      const statusTopic = `city/${CITY}/flood/flood-002/status`;
      const device = await as(s2, {
        clientId: 'will-device',
        will: { topic: statusTopic, payload: Buffer.from(JSON.stringify({ online: false })), qos: 1, retain: true },
      });
      await device.publishAsync(statusTopic, JSON.stringify({ online: true, ts: '2026-01-01T07:00:00+07:00' }), { qos: 1, retain: true });
      expect(h.statuses.at(-1)).toEqual({
        domain: 'flood',
        sensorId: 'flood-002',
        online: true,
        ts: Date.parse('2026-01-01T00:00:00Z'),
        source: 'status',
      });

      // Drop the TCP connection without DISCONNECT: the broker must publish the will.
      const before = Date.now();
      device.stream.destroy();
      await eventually(() => h.statuses.some((s) => s.source === 'will'));
      const will = h.statuses.find((s) => s.source === 'will');
      expect(will).toMatchObject({ domain: 'flood', sensorId: 'flood-002', online: false, source: 'will' });
      expect(will?.ts).toBeGreaterThanOrEqual(before);

      // The will was retained, so a late integrator sees the device as offline.
      const portal = await as(integrator);
      const retained = new Promise<string>((resolve) => portal.on('message', (_t, payload) => resolve(payload.toString())));
      await portal.subscribeAsync(statusTopic, { qos: 1 });
      expect(JSON.parse(await retained)).toEqual({ online: false });
    });

    it('ignores and counts an invalid status payload', async () => {
      const device = await as(s1);
      const before = h.statuses.length;
      await device.publishAsync(`city/${CITY}/flood/flood-001/status`, '{"online":"yes"}', { qos: 1 });
      expect(h.statuses.length).toBe(before);
      expect(await metricValue(h.registry, 'cityops_broker_status_invalid_total', { source: 'status' })).toBe(1);
    });
  });

  describe('retained alerts', () => {
    it('publishes retained alerts and clears them with an empty payload', async () => {
      const topic = `city/${CITY}/alerts/flood/alert-1`;
      await h.broker.publishRetained(topic, JSON.stringify({ id: 'alert-1' }));
      const portal = await as(integrator);
      const first = new Promise<string>((resolve) => portal.once('message', (_t, p) => resolve(p.toString())));
      await portal.subscribeAsync(topic, { qos: 1 });
      expect(JSON.parse(await first)).toEqual({ id: 'alert-1' });
      await portal.endAsync();

      await h.broker.publishRetained(topic, '');
      const late = await as(integrator);
      const got: string[] = [];
      late.on('message', (t) => got.push(t));
      await late.subscribeAsync(`city/${CITY}/alerts/#`, { qos: 1 });
      await h.broker.publishRetained(`city/${CITY}/alerts/flood/marker`, 'm');
      await eventually(() => got.includes(`city/${CITY}/alerts/flood/marker`));
      expect(got).not.toContain(topic);
      await h.broker.publishRetained(`city/${CITY}/alerts/flood/marker`, '');
    });

    it('refuses topics outside the city tree', async () => {
      await expect(h.broker.publishRetained('other/topic', 'x')).rejects.toMatchObject({ code: 'CITYOPS_BROKER_INVALID_TOPIC' });
      await expect(h.broker.publishRetained(`city/${CITY}/alerts/#`, 'x')).rejects.toMatchObject({ code: 'CITYOPS_BROKER_INVALID_TOPIC' });
    });
  });

  describe('robustness', () => {
    it('disconnects a client sending garbage while a well-behaved device carries on', async () => {
      const device = await as(s1, { clientId: 'steady' });
      const raw = net.connect(h.port, '127.0.0.1');
      await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
      const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
      raw.on('error', () => undefined);
      raw.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37, 0xde, 0xad]));
      await closed;
      await device.publishAsync(FLOOD_TOPIC('flood-001'), reading({ after: 'garbage' }), { qos: 1 });
      expect(h.telemetry.some((m) => m.clientId === 'steady' && m.payload.toString().includes('garbage'))).toBe(true);
      // 0xff is packet type 15, reserved [MQTT-2.2.1]: the packet guard drops it before Aedes parses anything.
      expect(await metricValue(h.registry, 'cityops_broker_connections_dropped_total', { reason: 'malformed' })).toBeGreaterThanOrEqual(1);
    });

    it('disconnects a client that publishes before CONNECT', async () => {
      const raw = net.connect(h.port, '127.0.0.1');
      const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
      raw.on('error', () => undefined);
      // PUBLISH QoS 0 to "a/b" with payload "x", no CONNECT first [MQTT-3.1.0-1].
      raw.write(Buffer.from([0x30, 0x06, 0x00, 0x03, 0x61, 0x2f, 0x62, 0x78]));
      await closed;
      expect(h.telemetry.some((m) => m.topic === 'a/b')).toBe(false);
    });

    it('reports connected clients as a gauge', async () => {
      await as(s1);
      await as(s2);
      await eventually(async () => (await metricValue(h.registry, 'cityops_broker_connected_clients')) === 2);
    });
  });
});

describe('createCityBroker in development mode', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ allowAnonymous: true });
  });
  afterAll(async () => {
    await closeAllClients();
    await h.close();
  });

  it('lets anonymous clients publish to any contract topic of the city, but not alerts', async () => {
    const anon = await connect(h.url());
    await anon.publishAsync(`city/${CITY}/air/air-007/telemetry`, JSON.stringify({ ts: Date.now(), pm25: 1, pm10: 2 }), { qos: 1 });
    await anon.publishAsync(`city/${CITY}/alerts/air/x`, '{}', { qos: 1 });
    await anon.publishAsync(`city/${CITY}/free/form`, 'x', { qos: 1 });
    expect(h.telemetry).toHaveLength(1);
    expect(h.telemetry[0]).toMatchObject({ principal: null, parsed: { kind: 'telemetry', domain: 'air', sensorId: 'air-007' } });
    expect(h.denied.map((d) => [d.topic, d.username])).toEqual([
      [`city/${CITY}/alerts/air/x`, null],
      [`city/${CITY}/free/form`, null],
    ]);
  });

  it('still refuses a registered username with a wrong password', async () => {
    await h.accounts.add({ id: 'air-001', kind: 'sensor', domain: 'air' });
    const err = await connect(h.url(), { username: 'air-001', password: 'guess' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 4 });
  });
});

describe('acknowledgement order', () => {
  it('sends PUBACKs in arrival order even when the center finishes out of order [MQTT-4.6.0-2]', async () => {
    const h = await startHarness({
      onTelemetry: async (m) => {
        // The first reading takes longest to become durable.
        const delay = m.payload.toString().includes('"n":1') ? 120 : 0;
        await new Promise((r) => setTimeout(r, delay));
      },
    });
    try {
      const creds = await h.accounts.add({ id: 'flood-100', kind: 'sensor', domain: 'flood' });
      const client = await connect(h.url(), { username: creds.username, password: creds.password });
      const acked: number[] = [];
      const publish = (n: number, topic = FLOOD_TOPIC('flood-100')) =>
        new Promise<void>((resolve, reject) =>
          client.publish(topic, reading({ n }), { qos: 1 }, (err) => {
            acked.push(n);
            return err ? reject(err) : resolve();
          }),
        );
      // Corking puts all three PUBLISHes into one TCP write, so the broker reads them together.
      client.stream.cork();
      // 2 is refused by the ACL and 3 is a status: both are decided at once, yet wait for 1.
      const all = Promise.all([
        publish(1),
        publish(2, FLOOD_TOPIC('someone-else')),
        publish(3, `city/${CITY}/flood/flood-100/status`),
        publish(4),
      ]);
      setTimeout(() => client.stream.uncork(), 20);
      await all;
      expect(acked).toEqual([1, 2, 3, 4]);
    } finally {
      await closeAllClients();
      await h.close();
    }
  });
});
