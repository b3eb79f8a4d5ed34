/**
 * End-to-end ingest throughput without the broker: Buffer payloads through
 * createIngest().handle() (decode → validate → enrich → group commit into the
 * embedded SQLite store) until durable.
 *
 *   npx tsx ingest/bench/ingest-throughput.ts [--messages 200000] [--inflight 2000] [--dir path]
 *
 * `inflight` models the broker: each connected sensor has about one QoS 1 message
 * waiting for its PUBACK, so in-flight handle() calls ≈ publishing sensors.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import Database from '@cityops/sqlite';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Domain } from '@cityops/contracts';
import {
  createEmbeddedTelemetryStore,
  createIngest,
  createSqliteDeadLetterStore,
  type InboundPublishLike,
  type SensorInfo,
} from '../src/index.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};

const MESSAGES = Number(arg('messages', '200000'));
const INFLIGHT = Number(arg('inflight', '2000'));
const SENSORS = 1000;
const dir = arg('dir', fileURLToPath(new URL('../.bench-tmp-throughput', import.meta.url)));
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const logger = pino({ level: 'warn' });
const store = await createEmbeddedTelemetryStore({ dataDir: dir, logger });
const centerDb = new Database(join(dir, 'center.db'));
centerDb.pragma('journal_mode = WAL');
const sensors = new Map<string, SensorInfo>();
const domains: Domain[] = ['traffic', 'flood', 'air'];
for (let i = 0; i < SENSORS; i++) sensors.set(`s-${i}`, { domain: domains[i % 3]!, district: `Quận ${(i % 12) + 1}` });
const ingest = createIngest({
  store,
  deadLetters: createSqliteDeadLetterStore(centerDb),
  sensors,
  metrics: new Registry(),
  logger,
});

const t0 = Date.now() - 86_400_000;
function message(n: number): InboundPublishLike {
  const i = n % SENSORS;
  const domain = domains[i % 3]!;
  const ts = t0 + Math.floor(n / SENSORS) * 1000;
  const body =
    domain === 'traffic'
      ? `{"ts":${ts},"speedKmh":${(n % 90) + 0.5},"volume":${n % 300},"occupancyPct":${n % 100},"intervalS":60}`
      : domain === 'flood'
        ? `{"ts":"${new Date(ts).toISOString()}","waterLevelCm":${n % 120},"intervalS":60,"batteryV":12.4}`
        : `{"ts":${ts},"pm25":${n % 200},"pm10":${n % 300},"tempC":31.5,"humidityPct":78}`;
  return {
    topic: `city/hcmc/${domain}/s-${i}/telemetry`,
    parsed: { kind: 'telemetry', domain, sensorId: `s-${i}` },
    payload: Buffer.from(body),
    clientId: `s-${i}`,
    principal: { id: `s-${i}`, kind: 'sensor', domain },
    receivedAt: Date.now(),
    qos: 1,
  };
}

// Payloads are built before timing, as the broker hands ingest ready Buffers.
const messages = Array.from({ length: MESSAGES }, (_, n) => message(n));
let next = 0;
let accepted = 0;
const latencies: number[] = [];
const started = performance.now();
async function worker(): Promise<void> {
  while (next < messages.length) {
    const m = messages[next++]!;
    const t = performance.now();
    const result = await ingest.handle(m);
    accepted += result.accepted;
    latencies.push(performance.now() - t);
  }
}
await Promise.all(Array.from({ length: INFLIGHT }, worker));
const seconds = (performance.now() - started) / 1000;
await ingest.close();
latencies.sort((a, b) => a - b);
const pct = (p: number): string => latencies[Math.floor((p / 100) * (latencies.length - 1))]!.toFixed(1);
console.log(
  JSON.stringify({
    messages: MESSAGES,
    inflight: INFLIGHT,
    accepted,
    stored: await store.count(),
    'readings/s': Math.round(accepted / seconds),
    'handle p50 ms': pct(50),
    'handle p99 ms': pct(99),
  }),
);
await store.close();
centerDb.close();
rmSync(dir, { recursive: true, force: true });
