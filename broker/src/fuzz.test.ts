import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Packet } from 'mqtt-packet';
import { connectPacket, encode } from './raw-client.ts';
import { CITY, closeAllClients, connect, eventually, metricValue, reading, startHarness, type Harness } from './test-support.ts';
import type { DeviceCredentials } from './types.ts';

/** Small seeded PRNG (mulberry32) so a failing run can be replayed with CITYOPS_FUZZ_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FUZZ_MS = 4_000;
const MAX_OPEN = 24;

describe('fuzzing the broker with random and mutated MQTT', () => {
  let h: Harness;
  let good: DeviceCredentials;
  let victim: DeviceCredentials;

  beforeAll(async () => {
    h = await startHarness({
      host: '::',
      connectionLimits: {
        maxPacketBytes: 8 * 1024,
        connectTimeoutMs: 500,
        packetTimeoutMs: 500,
        connectionRate: { perSecond: 10_000, burst: 10_000 },
      },
    });
    good = await h.accounts.add({ id: 'flood-001', kind: 'sensor', domain: 'flood' });
    victim = await h.accounts.add({ id: 'flood-666', kind: 'sensor', domain: 'flood' });
  });
  afterAll(async () => {
    await closeAllClients();
    await h.close();
  });

  it('keeps every reading of a well-behaved device while hostile peers throw garbage', async () => {
    const seed = Number(process.env['CITYOPS_FUZZ_SEED'] ?? Date.now() % 1_000_000);
    const rnd = prng(seed);
    const int = (n: number) => Math.floor(rnd() * n);
    const topic = (id: string) => `city/${CITY}/flood/${id}/telemetry`;

    // The honest device comes in over IPv6 loopback; the attackers from 127.0.0.1.
    const device = await connect(h.url('::1'), { username: good.username, password: good.password, clientId: 'honest' });

    const templates = (): Packet[] => [
      connectPacket({ username: victim.username, password: rnd() < 0.5 ? victim.password : 'wrong', keepalive: int(3) }),
      connectPacket({ clientId: 'honest', username: victim.username, password: victim.password }),
      { cmd: 'publish', topic: topic('flood-666'), payload: Buffer.from(reading()), qos: 1, messageId: 1 + int(65535), retain: rnd() < 0.3, dup: false },
      { cmd: 'publish', topic: topic('flood-001'), payload: Buffer.from('{"ts":1}'), qos: 0, retain: false, dup: false },
      { cmd: 'subscribe', messageId: 1 + int(65535), subscriptions: [{ topic: rnd() < 0.5 ? '#' : '$SYS/#', qos: 1 }] },
      { cmd: 'pubrel', messageId: 1 + int(65535) },
      { cmd: 'pingreq' },
      { cmd: 'disconnect' },
    ];

    const mutate = (bytes: Buffer): Buffer => {
      const out = Buffer.from(bytes);
      switch (int(6)) {
        case 0: // flip a few bytes
          for (let i = 0; i < 1 + int(4); i++) out[int(out.length)] = int(256);
          return out;
        case 1: // truncate
          return out.subarray(0, int(out.length));
        case 2: // claim a huge or wrong remaining length
          out[1] = int(256);
          return out;
        case 3: // random prefix
          return Buffer.concat([Buffer.from(Array.from({ length: 1 + int(8) }, () => int(256))), out]);
        case 4: // pure garbage
          return Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256)));
        default: // intact
          return out;
      }
    };

    let open = 0;
    let attacks = 0;
    const attack = (): void => {
      open++;
      attacks++;
      const socket = net.connect(h.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.once('connect', () => {
        const list = templates();
        const first = rnd() < 0.7 ? encode(list[0] as Packet) : Buffer.alloc(0);
        const rest = Array.from({ length: int(6) }, () => mutate(encode(list[int(list.length)] as Packet)));
        socket.write(Buffer.concat([first, ...rest]));
        // Some leave at once, some linger (the broker must time them out).
        if (rnd() < 0.5) setTimeout(() => socket.destroy(), int(200));
      });
      socket.once('close', () => open--);
      setTimeout(() => socket.destroy(), 2_000).unref();
    };

    const sent: number[] = [];
    const deadline = Date.now() + FUZZ_MS;
    const attacker = setInterval(() => {
      while (open < MAX_OPEN && Date.now() < deadline) attack();
    }, 5);
    try {
      let seq = 0;
      while (Date.now() < deadline) {
        await device.publishAsync(topic('flood-001'), reading({ seq }), { qos: 1 });
        sent.push(seq++);
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      clearInterval(attacker);
    }
    await eventually(() => open === 0, 5_000);

    const got = new Set(
      h.telemetry.filter((m) => m.clientId === 'honest').map((m) => (JSON.parse(m.payload.toString()) as { seq: number }).seq),
    );
    expect(sent.length).toBeGreaterThan(50);
    expect(sent.filter((s) => !got.has(s)), `seed ${seed}`).toEqual([]);
    expect(device.connected).toBe(true);
    expect(attacks).toBeGreaterThan(100);
    // The attackers' address is locked out by now; the broker still takes others.
    expect(await metricValue(h.registry, 'cityops_broker_login_lockouts_total', { scope: 'address' })).toBeGreaterThan(0);
    const after = await connect(h.url('::1'), { username: good.username, password: good.password, clientId: 'after' });
    expect(after.connected).toBe(true);
    expect(await metricValue(h.registry, 'cityops_broker_connections_dropped_total', { reason: 'malformed' })).toBeGreaterThan(0);
  }, 20_000);
});
