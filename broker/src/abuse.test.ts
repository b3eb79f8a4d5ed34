import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closedWithin, connectPacket, encode, rawPeer, type RawPeer } from './raw-client.ts';
import { CITY, closeAllClients, connect, eventually, metricValue, reading, startHarness, type Harness } from './test-support.ts';
import type { DeviceCredentials } from './types.ts';

const FLOOD_TOPIC = (id: string) => `city/${CITY}/flood/${id}/telemetry`;
const peers: RawPeer[] = [];
const peer = async (port: number): Promise<RawPeer> => {
  const p = await rawPeer(port);
  peers.push(p);
  return p;
};
const dropped = (h: Harness, reason: string) => metricValue(h.registry, 'cityops_broker_connections_dropped_total', { reason });

afterEach(async () => {
  for (const p of peers.splice(0)) p.socket.destroy();
  await closeAllClients();
});

describe('malformed MQTT and slow connections', () => {
  let h: Harness;
  let s1: DeviceCredentials;

  beforeAll(async () => {
    h = await startHarness({ connectionLimits: { maxPacketBytes: 4096, connectTimeoutMs: 400, packetTimeoutMs: 300 } });
    s1 = await h.accounts.add({ id: 'flood-001', kind: 'sensor', domain: 'flood' });
  });
  afterAll(() => h.close());

  it('drops a huge remaining length at once, before buffering the body', async () => {
    const p = await peer(h.port);
    p.write([0x10, 0xff, 0xff, 0xff, 0x7f]);
    await closedWithin(p, 2_000);
    expect(await dropped(h, 'too_large')).toBeGreaterThanOrEqual(1);
  });

  it('disconnects an authenticated device whose PUBLISH exceeds the packet size', async () => {
    const before = await dropped(h, 'too_large');
    const p = await peer(h.port);
    p.send(connectPacket({ username: s1.username, password: s1.password }));
    expect(await p.next('connack')).toMatchObject({ returnCode: 0 });
    // Only the header and the first bytes of a 1 MiB body are sent: the guard decides from the header.
    const big = encode({ cmd: 'publish', topic: FLOOD_TOPIC('flood-001'), payload: Buffer.alloc(1 << 20), qos: 1, messageId: 1, retain: false, dup: false });
    p.write(big.subarray(0, 64));
    await closedWithin(p, 2_000);
    expect(await dropped(h, 'too_large')).toBe(before + 1);
    expect(h.telemetry).toHaveLength(0);
  });

  it('answers a wrong protocol level with CONNACK 1 and closes', async () => {
    const bytes = encode(connectPacket({ username: s1.username, password: s1.password }));
    bytes[8] = 9; // protocol level byte of "MQTT" CONNECT [MQTT-3.1.2-2]
    const q = await peer(h.port);
    q.write(bytes);
    await closedWithin(q, 2_000);
    // [MQTT-3.1.2-2]: CONNACK 0x01 (unacceptable protocol version), then the connection closes.
    expect(q.received).toMatchObject([{ cmd: 'connack', returnCode: 1 }]);
    expect(await dropped(h, 'protocol_level')).toBe(1);
  });

  it('drops a connection that never sends CONNECT within the connect timeout', async () => {
    const before = await dropped(h, 'connect_timeout');
    const p = await peer(h.port);
    const took = await closedWithin(p, 3_000);
    expect(took).toBeGreaterThanOrEqual(300);
    expect(await dropped(h, 'connect_timeout')).toBe(before + 1);
  });

  it('drops a truncated CONNECT', async () => {
    const p = await peer(h.port);
    p.write(encode(connectPacket({ username: s1.username, password: s1.password })).subarray(0, 10));
    await closedWithin(p, 3_000);
  });

  it('drops a slow-loris that drips a PUBLISH byte by byte after CONNECT', async () => {
    const before = await dropped(h, 'slow_packet');
    const p = await peer(h.port);
    p.send(connectPacket({ username: s1.username, password: s1.password }));
    await p.next('connack');
    const pub = encode({ cmd: 'publish', topic: FLOOD_TOPIC('flood-001'), payload: Buffer.from(reading()), qos: 0, retain: false, dup: false });
    let i = 0;
    const drip = setInterval(() => p.write([pub[i++ % pub.length] as number]), 50);
    try {
      await closedWithin(p, 3_000);
    } finally {
      clearInterval(drip);
    }
    expect(await dropped(h, 'slow_packet')).toBe(before + 1);
  });
});

describe('connection admission', () => {
  it('refuses connections beyond the maximum and lets a new one in when a slot frees', async () => {
    const h = await startHarness({ connectionLimits: { maxConnections: 2 } });
    try {
      const a = await peer(h.port);
      await peer(h.port);
      const c = await peer(h.port);
      await closedWithin(c, 2_000);
      expect(await metricValue(h.registry, 'cityops_broker_connections_refused_total', { reason: 'max_connections' })).toBe(1);
      a.socket.destroy();
      await a.closed;
      await new Promise((r) => setTimeout(r, 50));
      const d = await peer(h.port);
      d.send(connectPacket({ username: 'x', password: 'y' }));
      expect(await d.next('connack')).toMatchObject({ returnCode: 4 });
    } finally {
      await h.close();
    }
  });

  it('limits the rate of new connections per address', async () => {
    const h = await startHarness({ connectionLimits: { connectionRate: { perSecond: 0.01, burst: 3 } } });
    try {
      for (let i = 0; i < 3; i++) await peer(h.port);
      const fourth = await peer(h.port);
      await closedWithin(fourth, 2_000);
      expect(await metricValue(h.registry, 'cityops_broker_connections_refused_total', { reason: 'connection_rate' })).toBe(1);
    } finally {
      await h.close();
    }
  });
});

describe('failed-login throttling', () => {
  let h: Harness;
  let s1: DeviceCredentials;
  beforeAll(async () => {
    h = await startHarness({ host: '::', connectionLimits: { loginFailures: { perAddress: 6, perUsername: 3, windowMs: 60_000, lockoutMs: 60_000 } } });
    s1 = await h.accounts.add({ id: 'flood-001', kind: 'sensor', domain: 'flood' });
    await h.accounts.add({ id: 'flood-002', kind: 'sensor', domain: 'flood' });
  });
  afterAll(() => h.close());

  it('locks a username out after repeated failures, even for the right secret, and counts it', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await connect(h.url(), { username: s1.username, password: `guess-${i}` }).catch((e: unknown) => e)).toMatchObject({ code: 4 });
    }
    // Locked: refused with "server unavailable" before the secret is even checked.
    expect(await connect(h.url(), { username: s1.username, password: s1.password }).catch((e: unknown) => e)).toMatchObject({ code: 3 });
    expect(await metricValue(h.registry, 'cityops_broker_login_lockouts_total', { scope: 'username' })).toBe(1);
    expect(await metricValue(h.registry, 'cityops_broker_auth_failures_total', { reason: 'locked_out' })).toBe(1);
  });

  it('locks an address out after failures across usernames', async () => {
    // 3 failures so far from 127.0.0.1 (above, the 4th attempt was refused before counting)
    for (const user of ['a-1', 'a-2', 'a-3']) {
      expect(await connect(h.url(), { username: user, password: 'x' }).catch((e: unknown) => e)).toMatchObject({ code: 4 });
    }
    const s2 = await h.accounts.rotate('flood-002');
    expect(await connect(h.url(), { username: s2.username, password: s2.password }).catch((e: unknown) => e)).toMatchObject({ code: 3 });
    expect(await metricValue(h.registry, 'cityops_broker_login_lockouts_total', { scope: 'address' })).toBe(1);
    // The same device from another address (IPv6 loopback) is not affected.
    const other = await connect(h.url('::1'), { username: s2.username, password: s2.password });
    expect(other.connected).toBe(true);
  });
});

describe('per-device limits', () => {
  let h: Harness;
  let s1: DeviceCredentials;
  let s2: DeviceCredentials;
  let integrator: DeviceCredentials;
  beforeAll(async () => {
    h = await startHarness({
      host: '::',
      connectionLimits: { publishRate: { perSecond: 1, burst: 5 }, maxTopicDepth: 8, maxTopicLength: 128, maxInflight: 4 },
    });
    s1 = await h.accounts.add({ id: 'flood-001', kind: 'sensor', domain: 'flood' });
    s2 = await h.accounts.add({ id: 'flood-002', kind: 'sensor', domain: 'flood' });
    integrator = await h.accounts.add({ id: 'portal', kind: 'integrator' });
  });
  afterAll(() => h.close());

  it('disconnects a device publishing faster than its rate; another device is unaffected', async () => {
    const flooder = await connect(h.url(), { username: s1.username, password: s1.password });
    const honest = await connect(h.url(), { username: s2.username, password: s2.password });
    const closed = new Promise<void>((resolve) => flooder.once('close', () => resolve()));
    for (let i = 0; i < 20; i++) flooder.publish(FLOOD_TOPIC('flood-001'), reading({ i }), { qos: 0 });
    await closed;
    expect(await metricValue(h.registry, 'cityops_broker_limit_exceeded_total', { limit: 'publish_rate' })).toBe(1);
    expect(h.telemetry.filter((m) => m.principal?.id === 'flood-001').length).toBeLessThanOrEqual(5);
    await honest.publishAsync(FLOOD_TOPIC('flood-002'), reading({ honest: true }), { qos: 1 });
    expect(h.telemetry.some((m) => m.principal?.id === 'flood-002')).toBe(true);
  });

  it('disconnects a subscriber whose filter is too deep or too long', async () => {
    const portal = await connect(h.url(), { username: integrator.username, password: integrator.password });
    const closed = new Promise<void>((resolve) => portal.once('close', () => resolve()));
    portal.subscribe(`city/${CITY}/${'x/'.repeat(20)}#`);
    await closed;
    const long = await connect(h.url(), { username: integrator.username, password: integrator.password });
    const closedLong = new Promise<void>((resolve) => long.once('close', () => resolve()));
    long.subscribe(`city/${CITY}/${'y'.repeat(200)}`);
    await closedLong;
    expect(await metricValue(h.registry, 'cityops_broker_limit_exceeded_total', { limit: 'topic' })).toBe(2);
  });

  it('caps the connections of one device, counting a same-id reconnect as a replacement', async () => {
    const capped = await startHarness({ connectionLimits: { maxConnectionsPerDevice: 2 } });
    try {
      const dev = await capped.accounts.add({ id: 'flood-010', kind: 'sensor', domain: 'flood' });
      const login = (clientId: string) => connect(capped.url(), { username: dev.username, password: dev.password, clientId });
      const a = await login('cap-a');
      await login('cap-b');
      await eventually(() => Object.keys((capped.broker.aedes as unknown as { clients: object }).clients).length === 2);
      expect(await login('cap-c').catch((e: unknown) => e)).toMatchObject({ code: 3 });
      expect(await metricValue(capped.registry, 'cityops_broker_limit_exceeded_total', { limit: 'device_connections' })).toBe(1);
      // Reconnecting under an id it already holds replaces that connection: allowed at the cap.
      const again = await login('cap-b');
      expect(again.connected).toBe(true);
      await a.endAsync();
      await eventually(async () => (await login('cap-d').then(() => true, () => false)));
      // Another device is not affected by this one's cap.
      const other = await capped.accounts.add({ id: 'flood-011', kind: 'sensor', domain: 'flood' });
      expect((await connect(capped.url(), { username: other.username, password: other.password })).connected).toBe(true);
    } finally {
      await capped.close();
    }
  });

  it('disconnects a device with too many unacknowledged QoS 1 publishes in flight', async () => {
    const slow = await startHarness({
      connectionLimits: { maxInflight: 4 },
      // storage that never finishes: nothing is ever acknowledged
      onTelemetry: () => new Promise<void>(() => undefined),
    });
    try {
      const dev = await slow.accounts.add({ id: 'flood-009', kind: 'sensor', domain: 'flood' });
      const p = await peer(slow.port);
      p.send(connectPacket({ username: dev.username, password: dev.password }));
      await p.next('connack');
      const burst = Buffer.concat(
        Array.from({ length: 10 }, (_, i) =>
          encode({ cmd: 'publish', topic: FLOOD_TOPIC('flood-009'), payload: Buffer.from(reading()), qos: 1, messageId: i + 1, retain: false, dup: false }),
        ),
      );
      p.write(burst);
      await closedWithin(p, 3_000);
      expect(await metricValue(slow.registry, 'cityops_broker_limit_exceeded_total', { limit: 'inflight' })).toBe(1);
      expect(p.received.filter((pk) => pk.cmd === 'puback')).toHaveLength(0);
    } finally {
      await slow.close();
    }
  });
});
