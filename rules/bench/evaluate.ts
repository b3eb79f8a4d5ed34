/**
 * Micro-benchmark: rule evaluations per second of the full HCMC default rule
 * set (threshold, rate-of-change, index-category, absence, district) over
 * 10,000 sensors, and the latency each reading adds (p50/p99 of one
 * engine.evaluate call). Run: npx tsx rules/bench/evaluate.ts [rounds]
 *
 * A rule evaluation is one (reading, rule that applies to its domain) pair;
 * district rules run only when a source alert changes and are not counted.
 * Readings are pre-built and updated in place between rounds so the figure
 * measures the engine, not the benchmark's own allocations. About 5% of the
 * sensors sit in alert territory, so raises, updates and resolves happen.
 */
import type { Domain, LiveReading, SensorAqi } from '@cityops/contracts';
import { createRuleEngine, HCMC_DEFAULT_RULES, vnHourlyAqi, summarizeAqi, type RuleSensor } from '../src/index.ts';

const SENSOR_COUNT = 10_000;
const ROUNDS = Number(process.argv[2] ?? 100);
const STEP_MS = 10_000;

// Deterministic PRNG (mulberry32) so runs are comparable.
let seed = 0x5eed;
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const DOMAINS: Domain[] = ['traffic', 'flood', 'air'];
const FIELD = { traffic: 'speedKmh', flood: 'waterLevelCm', air: 'pm25' } as const;

const sensors: RuleSensor[] = [];
const readings: LiveReading[] = [];
const hot: boolean[] = [];
for (let i = 0; i < SENSOR_COUNT; i++) {
  const domain = DOMAINS[i % 3]!;
  const id = `${domain.slice(0, 2)}-bench-${i}`;
  sensors.push({
    id,
    domain,
    name: `Bench ${i}`,
    district: `Quận ${1 + (i % 12)}`,
    location: [106.6 + random() * 0.2, 10.7 + random() * 0.2],
    ...(domain === 'traffic' ? { freeFlowKmh: 30 + Math.round(random() * 30) } : {}),
  });
  const fields = domain === 'flood' ? { waterLevelCm: 0, intervalS: 10 } : { [FIELD[domain]]: 0 };
  readings.push({ sensorId: id, domain, ts: 0, receivedAt: 0, fields });
  hot.push(random() < 0.05);
}

function valueFor(i: number): number {
  const domain = sensors[i]!.domain;
  const r = random();
  if (domain === 'traffic') return hot[i] ? r * 15 : 25 + r * 30;
  if (domain === 'flood') return hot[i] ? 5 + r * 50 : r * 4;
  return hot[i] ? 40 + r * 120 : 10 + r * 20;
}

const engine = createRuleEngine({ rules: HCMC_DEFAULT_RULES });

/** Index values cycle through these precomputed results (the tracker is measured separately by the center). */
const AQI: SensorAqi[] = [20, 60, 120, 160, 220].map((pm25) => ({ hour: 0, vn: summarizeAqi(vnHourlyAqi({ pm25: [pm25, pm25, pm25] })), us: null }));

const rulesPerReading: Record<Domain, number> = { traffic: 0, flood: 0, air: 0 };
for (const rule of engine.rules) {
  for (const domain of DOMAINS) {
    const applies =
      rule.kind === 'absence' ? rule.domain === undefined || rule.domain === domain : rule.kind === 'index-category' ? domain === 'air' : rule.kind !== 'district' && rule.domain === domain;
    if (applies) rulesPerReading[domain]++;
  }
}
const start = Date.UTC(2025, 8, 15);

let evaluations = 0;
function round(r: number, latencies?: Float64Array): number {
  let changes = 0;
  const ts = start + r * STEP_MS;
  for (let i = 0; i < SENSOR_COUNT; i++) {
    const reading = readings[i]!;
    reading.ts = ts;
    reading.receivedAt = ts;
    (reading.fields as Record<string, number>)[FIELD[reading.domain]] = valueFor(i);
    if (reading.domain === 'air') reading.aqi = AQI[(i + (r >> 4)) % AQI.length]!;
    evaluations += rulesPerReading[reading.domain];
    if (latencies) {
      const t = process.hrtime.bigint();
      changes += engine.evaluate(reading, sensors[i]!).length;
      latencies[i] = Number(process.hrtime.bigint() - t);
    } else {
      changes += engine.evaluate(reading, sensors[i]!).length;
    }
  }
  if (r % 10 === 0) changes += engine.tick(ts).length;
  return changes;
}

for (let r = 0; r < 20; r++) round(r); // warm-up: JIT and initial window state

// Throughput: no timers inside the loop.
evaluations = 0;
let changes = 0;
const t0 = process.hrtime.bigint();
for (let r = 20; r < 20 + ROUNDS; r++) changes += round(r);
const elapsedNs = Number(process.hrtime.bigint() - t0);
const throughputEvaluations = evaluations;
const perSecond = throughputEvaluations / (elapsedNs / 1e9);
const readingsPerSecond = (ROUNDS * SENSOR_COUNT) / (elapsedNs / 1e9);

// Latency: each evaluate() timed on its own over 10 more rounds.
const all: number[] = [];
const lat = new Float64Array(SENSOR_COUNT);
for (let r = 20 + ROUNDS; r < 30 + ROUNDS; r++) {
  round(r, lat);
  for (const v of lat) all.push(v);
}
all.sort((a, b) => a - b);
const pct = (p: number) => all[Math.min(all.length - 1, Math.floor((p / 100) * all.length))]! / 1000;

console.log(
  `rules evaluate (full HCMC rule set, ${engine.rules.length} rules): ${throughputEvaluations.toLocaleString('en')} rule evaluations (${(ROUNDS * SENSOR_COUNT).toLocaleString('en')} readings) over ${SENSOR_COUNT.toLocaleString('en')} sensors in ${(elapsedNs / 1e6).toFixed(0)} ms → ${Math.round(perSecond).toLocaleString('en')} rule evaluations/s, ${Math.round(readingsPerSecond).toLocaleString('en')} readings/s (${changes} alert changes, ${engine.openAlerts().length} open)`,
);
console.log(`added latency per reading: p50 ${pct(50).toFixed(2)} µs, p99 ${pct(99).toFixed(2)} µs, max ${pct(100).toFixed(0)} µs`);
