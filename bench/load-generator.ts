/**
 * The load side of the benchmarks, in its own process so it does not share an
 * event loop with the system under test. Driven over IPC by bench/run.ts.
 */
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import { io } from 'socket.io-client';
import type { Alert, ClientToServerEvents, ServerToClientEvents } from '@cityops/contracts';

export interface LoadDevice { username?: string; password?: string; topic: string; domain: 'traffic' | 'flood' | 'air' }

export type LoadCommand =
  | { kind: 'throughput'; url: string; devices: LoadDevice[]; total: number; window: number; qos: 0 | 1; sinkTopic?: string }
  | {
      kind: 'alert-latency';
      url: string;
      httpUrl: string;
      cookie: string;
      background: LoadDevice[];
      ratePerS: number;
      probes: LoadDevice[];
      probeEveryMs: number;
    };

export type LoadResult =
  | { kind: 'throughput'; sent: number; acked: number; received: number; startedAt: number; ackedAt: number; receivedAt: number }
  | { kind: 'alert-latency'; samples: number[]; backgroundSent: number; backgroundAcked: number; durationMs: number };

const payload = (domain: LoadDevice['domain'], ts: number): string => {
  switch (domain) {
    case 'traffic':
      return `{"ts":${ts},"speedKmh":42.5,"volume":120,"occupancyPct":18.2,"intervalS":60}`;
    case 'flood':
      return `{"ts":${ts},"waterLevelCm":1.5,"intervalS":60}`;
    default:
      return `{"ts":${ts},"pm25":18.4,"pm10":30.1}`;
  }
};

async function connectAll(url: string, devices: LoadDevice[], tag: string): Promise<MqttClient[]> {
  const clients: MqttClient[] = [];
  for (let i = 0; i < devices.length; i += 50) {
    const batch = devices.slice(i, i + 50);
    clients.push(
      ...(await Promise.all(
        batch.map(async (d, j) => {
          const client = await mqtt.connectAsync(url, {
            clientId: `bench-${tag}-${i + j}`,
            ...(d.username ? { username: d.username, password: d.password } : {}),
            reconnectPeriod: 0,
            keepalive: 60,
          });
          (client.stream as unknown as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
          return client;
        }),
      )),
    );
  }
  return clients;
}

async function throughput(cmd: Extract<LoadCommand, { kind: 'throughput' }>): Promise<LoadResult> {
  const clients = await connectAll(cmd.url, cmd.devices, 'pub');
  let received = 0;
  let receivedAt = 0;
  let sink: MqttClient | undefined;
  if (cmd.sinkTopic) {
    [sink] = await connectAll(cmd.url, [{ topic: '', domain: 'air' }], 'sink');
    await sink!.subscribeAsync(cmd.sinkTopic, { qos: cmd.qos });
    sink!.on('message', () => {
      received += 1;
      if (received === cmd.total) receivedAt = Date.now();
    });
  }
  let sent = 0;
  let acked = 0;
  let ackedAt = 0;
  const startedAt = Date.now();
  const baseTs = startedAt - 3_600_000;
  await new Promise<void>((resolve) => {
    const pump = (i: number) => {
      const client = clients[i]!;
      const device = cmd.devices[i]!;
      if (sent >= cmd.total) return;
      sent += 1;
      // Distinct event times per reading: the store keys on (sensor, ts).
      client.publish(device.topic, payload(device.domain, baseTs + sent), { qos: cmd.qos }, () => {
        acked += 1;
        if (acked === cmd.total) {
          ackedAt = Date.now();
          resolve();
        } else pump(i);
      });
    };
    for (let i = 0; i < clients.length; i++) for (let w = 0; w < cmd.window; w++) pump(i);
  });
  if (sink) {
    const deadline = Date.now() + 30_000;
    while (received < cmd.total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all([...clients, ...(sink ? [sink] : [])].map((c) => c.endAsync()));
  return { kind: 'throughput', sent, acked, received, startedAt, ackedAt, receivedAt };
}

async function alertLatency(cmd: Extract<LoadCommand, { kind: 'alert-latency' }>): Promise<LoadResult> {
  const background = await connectAll(cmd.url, cmd.background, 'bg');
  const probes = await connectAll(cmd.url, cmd.probes, 'probe');
  const socket = io(cmd.httpUrl, { transports: ['websocket'], extraHeaders: { cookie: cmd.cookie } }) as import('socket.io-client').Socket<ServerToClientEvents, ClientToServerEvents>;
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const pending = new Map<string, number>();
  const samples: number[] = [];
  socket.on('alert', (alert: Alert) => {
    const t0 = pending.get(alert.subject.id);
    if (t0 !== undefined && alert.state === 'active') {
      samples.push(performance.now() - t0);
      pending.delete(alert.subject.id);
    }
  });

  let bgSent = 0;
  let bgAcked = 0;
  const started = performance.now();
  const tickMs = 10;
  const perTick = (cmd.ratePerS * tickMs) / 1000;
  let carry = 0;
  let next = 0;
  const bgTimer = setInterval(() => {
    carry += perTick;
    const now = Date.now();
    while (carry >= 1) {
      carry -= 1;
      const i = next++ % background.length;
      bgSent += 1;
      background[i]!.publish(cmd.background[i]!.topic, payload(cmd.background[i]!.domain, now - (bgSent % 1000)), { qos: 1 }, () => {
        bgAcked += 1;
      });
    }
  }, tickMs);

  // Warm up the background load before probing.
  await new Promise((r) => setTimeout(r, 2000));
  for (let p = 0; p < probes.length; p++) {
    const client = probes[p]!;
    const device = cmd.probes[p]!;
    const sensorId = device.topic.split('/')[3]!;
    const now = Date.now();
    // Event time: 60 cm held since 40 s ago exceeds flood-depth's 30 s `for` with the second reading.
    await client.publishAsync(device.topic, `{"ts":${now - 40_000},"waterLevelCm":60,"intervalS":60}`, { qos: 1 });
    pending.set(sensorId, performance.now());
    client.publish(device.topic, `{"ts":${now},"waterLevelCm":61,"intervalS":60}`, { qos: 1 });
    await new Promise((r) => setTimeout(r, cmd.probeEveryMs));
  }
  const deadline = Date.now() + 5000;
  while (pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  clearInterval(bgTimer);
  const durationMs = performance.now() - started;
  socket.close();
  await Promise.all([...background, ...probes].map((c) => c.endAsync()));
  return { kind: 'alert-latency', samples, backgroundSent: bgSent, backgroundAcked: bgAcked, durationMs };
}

process.on('message', (cmd: LoadCommand) => {
  const job = cmd.kind === 'throughput' ? throughput(cmd) : alertLatency(cmd);
  job.then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
