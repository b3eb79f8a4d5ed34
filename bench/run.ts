/**
 * `npm run bench`: end-to-end throughput (MQTT publish at QoS 1 → stored
 * reading) next to a bare Aedes relay of the same load in the same run, and
 * publish → alert latency on a Socket.IO client under steady background load.
 * The load generator runs in a child process; the system under test here.
 *   npm run bench -- [--total 200000] [--devices 200] [--window 10] [--rate 5000] [--only relay,center,latency]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Aedes } from 'aedes';
import { pino } from 'pino';
import { telemetryTopic } from '@cityops/contracts';
import { createSqliteOperatorAccounts } from '@cityops/dashboard';
import { loadConfig, openCenterDatabase, startCenter, type Center } from '@cityops/center';
import type { LoadCommand, LoadDevice, LoadResult } from './load-generator.ts';

const { values: args } = parseArgs({
  options: {
    total: { type: 'string', default: '200000' },
    devices: { type: 'string', default: '200' },
    window: { type: 'string', default: '10' },
    rate: { type: 'string', default: '5000' },
    probes: { type: 'string', default: '300' },
    only: { type: 'string', default: 'relay,center,latency' },
  },
});
const total = Number(args.total);
const deviceCount = Number(args.devices);
const windowSize = Number(args.window);
const only = new Set(args.only.split(','));

function runLoad(command: LoadCommand): Promise<LoadResult> {
  const child: ChildProcess = fork(join(import.meta.dirname, 'load-generator.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (result) => resolve(result as LoadResult));
    child.once('exit', (code) => reject(new Error(`load generator exited (${code}) without a result`)));
    child.send(command);
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function benchRelay(): Promise<number> {
  const aedes = await Aedes.createBroker();
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    aedes.handle(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const devices: LoadDevice[] = Array.from({ length: deviceCount }, (_, i) => ({ topic: telemetryTopic('hcmc', 'traffic', `bench-${i}`), domain: 'traffic' }));
  const result = await runLoad({ kind: 'throughput', url: `mqtt://127.0.0.1:${port}`, devices, total, window: windowSize, qos: 1, sinkTopic: 'city/hcmc/#' });
  await new Promise<void>((r) => aedes.close(() => r()));
  server.close();
  if (result.kind !== 'throughput') throw new Error('unexpected result');
  if (result.received !== total) throw new Error(`relay delivered ${result.received} of ${total}`);
  return total / ((result.receivedAt - result.startedAt) / 1000);
}

async function withCenter<T>(fn: (center: Center, dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cityops-bench-'));
  // The per-device publish rate limit is an abuse policy, not pipeline capacity: lift it so the
  // benchmark's devices (far faster than field sensors) are not disconnected for flooding.
  const config = loadConfig({ env: {}, overrides: { httpPort: 0, mqttPort: 0, host: '127.0.0.1', dataDir, logLevel: 'silent', mqttPublishRate: 65_535 } });
  const center = await startCenter(config, { logger: pino({ level: 'silent' }) });
  try {
    return await fn(center, dataDir);
  } finally {
    await center.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchDevices(center: Center, count: number): Promise<LoadDevice[]> {
  const devices: LoadDevice[] = [];
  for (let i = 0; i < count; i++) {
    const id = `bench-${String(i).padStart(4, '0')}`;
    center.sensors.register({
      type: 'Feature',
      properties: { id, domain: 'traffic', name: `Bench ${i}`, district: 'Quận 1', freeFlowKmh: 50 },
      geometry: { type: 'Point', coordinates: [106.7 + i * 1e-4, 10.78] },
    });
    const credentials = await center.devices.add({ id, kind: 'sensor', domain: 'traffic' });
    devices.push({ username: credentials.username, password: credentials.password, topic: telemetryTopic('hcmc', 'traffic', id), domain: 'traffic' });
  }
  return devices;
}

async function benchCenter(): Promise<number> {
  return withCenter(async (center) => {
    const devices = await benchDevices(center, deviceCount);
    const result = await runLoad({ kind: 'throughput', url: `mqtt://127.0.0.1:${center.mqttPort}`, devices, total, window: windowSize, qos: 1 });
    if (result.kind !== 'throughput') throw new Error('unexpected result');
    const stored = await center.store.count();
    if (stored !== total) throw new Error(`stored ${stored} of ${total} acknowledged readings`);
    return total / ((result.ackedAt - result.startedAt) / 1000);
  });
}

async function benchAlertLatency(): Promise<{ samples: number[]; bgRate: number }> {
  return withCenter(async (center, dataDir) => {
    const background = await benchDevices(center, Math.min(deviceCount, 100));
    // One flood gauge per probe: each raises exactly one flood-depth alert (one open alert per rule and subject).
    const probes: LoadDevice[] = [];
    for (let i = 0; i < Number(args.probes); i++) {
      const id = `probe-${String(i).padStart(4, '0')}`;
      center.sensors.register({
        type: 'Feature',
        properties: { id, domain: 'flood', name: `Probe ${i}`, district: 'Quận 1' },
        geometry: { type: 'Point', coordinates: [106.7 + i * 1e-4, 10.77] },
      });
      const c = await center.devices.add({ id, kind: 'sensor', domain: 'flood' });
      probes.push({ username: c.username, password: c.password, topic: telemetryTopic('hcmc', 'flood', id), domain: 'flood' });
    }
    const db = openCenterDatabase(dataDir);
    const operator = await createSqliteOperatorAccounts(db).add('bench', 'viewer');
    db.close();
    const httpUrl = `http://127.0.0.1:${center.httpPort}`;
    const session = await fetch(`${httpUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: operator.username, password: operator.password }),
    });
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0]!;
    const result = await runLoad({
      kind: 'alert-latency',
      url: `mqtt://127.0.0.1:${center.mqttPort}`,
      httpUrl,
      cookie,
      background,
      ratePerS: Number(args.rate),
      probes,
      probeEveryMs: 100,
    });
    if (result.kind !== 'alert-latency') throw new Error('unexpected result');
    return { samples: result.samples, bgRate: result.backgroundAcked / (result.durationMs / 1000) };
  });
}

console.log(`CityOps benchmarks — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
console.log(`load: ${deviceCount} devices, QoS 1, window ${windowSize} in flight per device, ${fmt(total)} readings\n`);
let relay: number | undefined;
if (only.has('relay')) {
  relay = await benchRelay();
  console.log(`bare Aedes relay (publish → subscriber):        ${fmt(relay)} msg/s`);
}
if (only.has('center')) {
  const center = await benchCenter();
  console.log(`CityOps end to end (publish → stored, PUBACK):  ${fmt(center)} readings/s${relay ? `  (${(center / relay).toFixed(2)}× the relay)` : ''}`);
}
if (only.has('latency')) {
  const { samples, bgRate } = await benchAlertLatency();
  console.log(
    `publish → alert on Socket.IO under ${fmt(bgRate)} readings/s background: n=${samples.length} ` +
      `p50 ${percentile(samples, 50).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms, p99 ${percentile(samples, 99).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms`,
  );
}
