/**
 * Broker benchmark: CityOps (Aedes + guards + validation hand-off) next to Debian's Mosquitto,
 * measured by the same load generator in the same run.
 *
 *   npx tsx broker/bench/broker-bench.ts            (CITYOPS_BENCH_QUICK=1 for a short smoke run)
 *
 * 1. throughput: 1,000 connected devices publish readings at QoS 1 (8 in flight each) and at
 *    QoS 0; counted when the validated reading is handed to ingest (CityOps: onTelemetry;
 *    Mosquitto: a subscriber doing the same JSON + schema check).
 * 2. latency: publish → PUBACK at a paced 5,000 msg/s from 50 devices, Nagle off both ends.
 * 3. idle: 10,000 connections that have sent CONNECT, and the broker's RSS growth per connection.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import { FloodPayload } from '@cityops/contracts';
import { closeAll, connectDevice, connectMany, percentile, publish, subscribe, type Device } from './raw-devices.ts';
import { startMosquitto } from './mosquitto-under-test.ts';

const QUICK = process.env['CITYOPS_BENCH_QUICK'] === '1';
const DEVICES = QUICK ? 100 : 1_000;
const PER_DEVICE = QUICK ? 50 : 100;
const WINDOW = 8;
const RATE = 5_000;
const LATENCY_S = QUICK ? 2 : 5;
const LATENCY_DEVICES = 50;
const IDLE = QUICK ? 1_000 : 10_000;

interface Target {
  name: string;
  port: number;
  handedOff(): Promise<number>;
  rss(): Promise<number>;
  stop(): Promise<void>;
}

const topic = (id: string) => `city/hcmc/flood/${id}/telemetry`;
const payload = (i: number) => Buffer.from(JSON.stringify({ ts: Date.now(), waterLevelCm: i % 400, intervalS: 60 }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startCityOps(): Promise<Target> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./broker-under-test.ts', import.meta.url)), {
    // CITYOPS_BENCH_PROFILE=<dir> writes a V8 CPU profile of the CityOps broker there.
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env['CITYOPS_BENCH_PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['CITYOPS_BENCH_PROFILE']}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number }));
    child.once('exit', (code) => reject(new Error(`broker exited ${code}`)));
  });
  const stats = () =>
    new Promise<{ accepted: number; rss: number }>((resolve) => {
      child.once('message', (m) => resolve(m as { accepted: number; rss: number }));
      child.send({ type: 'stats' });
    });
  return {
    name: 'cityops (Aedes 1.2)',
    port: ready.port,
    handedOff: async () => (await stats()).accepted,
    rss: async () => (await stats()).rss,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

async function startMosquittoTarget(): Promise<Target & { sinkFor(qos: 0 | 1 | null): Promise<void> }> {
  const m = await startMosquitto();
  let accepted = 0;
  let sink: Device | undefined;
  return {
    name: 'mosquitto 2.0 (Debian)',
    port: m.port,
    async sinkFor(qos) {
      sink?.socket.destroy();
      sink = undefined;
      if (qos === null) return;
      sink = await connectDevice(m.port, `sink-${qos}`, 'sink');
      sink.onPublish = (p) => {
        try {
          if (Value.Check(FloodPayload, JSON.parse(p.payload.toString()))) accepted++;
        } catch {
          /* counted as not handed off */
        }
      };
      await subscribe(sink, 'city/hcmc/+/+/telemetry', qos);
    },
    handedOff: async () => accepted,
    rss: async () => m.rssBytes(),
    stop: async () => {
      sink?.socket.destroy();
      await m.stop();
    },
  };
}

async function waitFor(target: Target, count: number, timeoutMs: number): Promise<number> {
  const start = Date.now();
  let n = await target.handedOff();
  while (n < count && Date.now() - start < timeoutMs) {
    await sleep(20);
    n = await target.handedOff();
  }
  return n;
}

async function throughput(target: Target, devices: Device[], qos: 0 | 1) {
  const base = await target.handedOff();
  const total = devices.length * PER_DEVICE;
  const start = process.hrtime.bigint();
  await Promise.all(
    devices.map(async (d, di) => {
      const id = `dev-${String(di).padStart(5, '0')}`;
      if (qos === 1) {
        let sent = 0;
        const lane = async (): Promise<void> => {
          while (sent < PER_DEVICE) {
            sent++;
            await publish(d, topic(id), payload(sent), 1);
          }
        };
        await Promise.all(Array.from({ length: WINDOW }, lane));
      } else {
        for (let i = 0; i < PER_DEVICE; i++) {
          if (publish(d, topic(id), payload(i), 0) === false) await new Promise((r) => d.socket.once('drain', r));
        }
      }
    }),
  );
  const got = (await waitFor(target, base + total, 60_000)) - base;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { qos, sent: total, handedOff: got, seconds: +seconds.toFixed(2), perSecond: Math.round(got / seconds) };
}

async function latency(target: Target) {
  const devices = await connectMany(target.port, LATENCY_DEVICES, 'lat');
  const samples: number[] = [];
  const tickMs = 10;
  const perTick = (RATE * tickMs) / 1000;
  const ticks = (LATENCY_S * 1000) / tickMs;
  const pending: Promise<void>[] = [];
  const start = Date.now();
  for (let t = 0; t < ticks; t++) {
    // Paced against the wall clock, not setTimeout drift.
    const due = start + t * tickMs;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    for (let k = 0; k < perTick; k++) {
      const di = (t * perTick + k) % devices.length;
      const d = devices[di] as Device;
      const sentAt = process.hrtime.bigint();
      const ack = publish(d, topic(`lat-${String(di).padStart(5, '0')}`), payload(k), 1) as Promise<void>;
      pending.push(ack.then(() => void samples.push(Number(process.hrtime.bigint() - sentAt) / 1e6)));
    }
  }
  await Promise.all(pending);
  const elapsed = (Date.now() - start) / 1000;
  closeAll(devices);
  samples.sort((a, b) => a - b);
  return {
    targetPerSecond: RATE,
    achievedPerSecond: Math.round(samples.length / elapsed),
    samples: samples.length,
    p50ms: +percentile(samples, 50).toFixed(2),
    p99ms: +percentile(samples, 99).toFixed(2),
    maxms: +(samples.at(-1) ?? NaN).toFixed(2),
  };
}

async function idle(target: Target) {
  await sleep(500);
  const before = await target.rss();
  const started = Date.now();
  const devices = await connectMany(target.port, IDLE, 'idle', 500);
  const connectSeconds = (Date.now() - started) / 1000;
  await sleep(2_000);
  const after = await target.rss();
  const stillOpen = devices.filter((d) => !d.socket.destroyed).length;
  closeAll(devices);
  return {
    connections: IDLE,
    stillOpen,
    connectSeconds: +connectSeconds.toFixed(1),
    rssBeforeMB: +(before / 2 ** 20).toFixed(1),
    rssAfterMB: +(after / 2 ** 20).toFixed(1),
    bytesPerConnection: Math.round((after - before) / IDLE),
  };
}

async function measure(target: Target & { sinkFor?(qos: 0 | 1 | null): Promise<void> }) {
  const devices = await connectMany(target.port, DEVICES, 'dev');
  await target.sinkFor?.(1);
  const q1 = await throughput(target, devices, 1);
  await target.sinkFor?.(0);
  const q0 = await throughput(target, devices, 0);
  closeAll(devices);
  // The latency run is publish → PUBACK only: no subscriber load on either broker.
  await target.sinkFor?.(null);
  await sleep(500);
  await target.handedOff(); // (CityOps: a full GC before the paced run)
  await sleep(1_500);
  const lat = await latency(target);
  return { broker: target.name, devices: DEVICES, throughput: [q1, q0], latency: lat };
}

const results = [];
for (const start of [startCityOps, startMosquittoTarget]) {
  const target = await start();
  let measured;
  try {
    measured = await measure(target);
  } finally {
    await target.stop();
  }
  // Idle connections on a fresh instance, so the queues of the runs above do not blur the baseline.
  const fresh = await start();
  try {
    results.push({ ...measured, idle: await idle(fresh) });
  } finally {
    await fresh.stop();
  }
}
console.log(JSON.stringify({ machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, quick: QUICK, results }, null, 2));
process.exit(0);
