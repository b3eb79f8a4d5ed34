/**
 * Micro-benchmark: evaluations per second of the default HCMC rules over
 * 10,000 sensors. Run: npx tsx rules/bench/evaluate.ts [rounds]
 *
 * Readings are pre-built and updated in place between rounds so the figure
 * measures the engine, not the benchmark's own allocations. About 5% of the
 * sensors sit in alert territory, so raises, updates and resolves happen.
 */
import type { Domain, Reading } from '@cityops/contracts';
import { createRuleEngine, HCMC_DEFAULT_RULES, type RuleSensor } from '../src/index.ts';

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
const readings: Reading[] = [];
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
  readings.push({ sensorId: id, domain, ts: 0, receivedAt: 0, fields: { [FIELD[domain]]: 0 } });
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
const start = Date.UTC(2025, 8, 15);

function round(r: number): number {
  let changes = 0;
  const ts = start + r * STEP_MS;
  for (let i = 0; i < SENSOR_COUNT; i++) {
    const reading = readings[i]!;
    reading.ts = ts;
    reading.receivedAt = ts;
    (reading.fields as Record<string, number>)[FIELD[reading.domain]] = valueFor(i);
    changes += engine.evaluate(reading, sensors[i]!).length;
  }
  return changes;
}

for (let r = 0; r < 20; r++) round(r); // warm-up: JIT and initial window state

let changes = 0;
const t0 = process.hrtime.bigint();
for (let r = 20; r < 20 + ROUNDS; r++) changes += round(r);
const elapsedNs = Number(process.hrtime.bigint() - t0);
const evaluations = ROUNDS * SENSOR_COUNT;
const perSecond = evaluations / (elapsedNs / 1e9);

console.log(
  `rules evaluate: ${evaluations.toLocaleString('en')} evaluations over ${SENSOR_COUNT.toLocaleString('en')} sensors in ${(elapsedNs / 1e6).toFixed(0)} ms → ${Math.round(perSecond).toLocaleString('en')} evaluations/s (${changes} alert changes, ${engine.openAlerts().length} open)`,
);
