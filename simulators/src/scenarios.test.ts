import { describe, it, expect } from 'vitest';
import type { Domain } from '@cityops/contracts';
import { hcmcLikeSensors, hcmc } from './test-support/fixtures.ts';
import { SCENARIOS, getScenario, planScenario } from './scenarios.ts';
import { createRng } from './rng.ts';
import { planSimulation, runVirtual, type VirtualReading } from './sensor-program.ts';
import { checkPayload } from './simulation.ts';
import { SIM_ERROR_CODES } from './errors.ts';

type Condition = (r: VirtualReading) => boolean;

/**
 * Mimics the center's "value held for holdMs" rules on a reading series:
 * the first time the condition has held from one reading through a later
 * reading at least holdMs after it, or null.
 */
function firstHeld(readings: readonly VirtualReading[], cond: Condition, holdMs: number): number | null {
  let since: number | null = null;
  for (const r of readings) {
    if (!cond(r)) {
      since = null;
      continue;
    }
    since ??= r.tMs;
    if (r.tMs - since >= holdMs) return r.tMs;
  }
  return null;
}

function bySensor(readings: readonly VirtualReading[]): Map<string, VirtualReading[]> {
  const m = new Map<string, VirtualReading[]>();
  for (const r of readings) m.set(r.sensorId, [...(m.get(r.sensorId) ?? []), r]);
  return m;
}

const field = (r: VirtualReading, name: string): number => (r.payload as unknown as Record<string, number>)[name] ?? NaN;

function firesWithin(readings: readonly VirtualReading[], domain: Domain, cond: Condition, holdMs: number, deadline: number): string[] {
  const hits: string[] = [];
  for (const [id, rs] of bySensor(readings.filter((r) => r.domain === domain))) {
    const at = firstHeld(rs, cond, holdMs);
    if (at !== null && at <= deadline) hits.push(id);
  }
  return hits;
}

const START = hcmc('2026-11-24T14:00:00'); // a weekday afternoon, off-peak

describe('demo scenario on a virtual clock', () => {
  const sensors = hcmcLikeSensors();
  const freeFlow = new Map(sensors.map((s) => [s.id, s.freeFlowKmh ?? 0]));
  const plan = planSimulation(sensors, { seed: 7, scenario: 'demo', startMs: START });
  const readings = runVirtual(plan, START + 30 * 60_000);

  it('rains on ~10–15 % of the rain-cause flood sites and only on them', () => {
    const rainSites = new Set(plan.events.filter((e) => e.event.kind === 'rain').map((e) => e.sensorId));
    expect(rainSites.size).toBeGreaterThanOrEqual(7);
    expect(rainSites.size).toBeLessThanOrEqual(10);
    for (const id of rainSites) expect(id.startsWith('flood-r')).toBe(true);
  });

  it('holds a flood site ≥ 10 cm for 30 s within the first minute, reaching 10 cm within ~10 s', () => {
    const end = START + 60_000;
    expect(firesWithin(readings, 'flood', (r) => field(r, 'waterLevelCm') >= 10, 30_000, end).length).toBeGreaterThanOrEqual(5);
    const early = readings.filter((r) => r.domain === 'flood' && r.tMs <= START + 12_000 && field(r, 'waterLevelCm') >= 10);
    expect(early.length).toBeGreaterThan(0);
  });

  it('takes some sites past 30 cm and one past 50 cm within a few minutes, then recedes within ~20 min', () => {
    const within = START + 4 * 60_000;
    expect(firesWithin(readings, 'flood', (r) => field(r, 'waterLevelCm') >= 30, 30_000, within).length).toBeGreaterThanOrEqual(2);
    expect(firesWithin(readings, 'flood', (r) => field(r, 'waterLevelCm') >= 50, 30_000, within).length).toBeGreaterThanOrEqual(1);
    const late = readings.filter((r) => r.domain === 'flood' && r.tMs >= START + 25 * 60_000);
    expect(Math.max(...late.map((r) => field(r, 'waterLevelCm')))).toBeLessThan(10);
  });

  it('holds one air station ≥ 55.5 µg/m³ PM2.5 for 30 s within the first minute, peaking above 80', () => {
    const hits = firesWithin(readings, 'air', (r) => field(r, 'pm25') >= 55.5, 30_000, START + 60_000);
    expect(hits.length).toBeGreaterThanOrEqual(1);
    const peak = readings.filter((r) => r.domain === 'air' && r.tMs < START + 10 * 60_000);
    expect(Math.max(...peak.map((r) => field(r, 'pm25')))).toBeGreaterThan(80);
  });

  it('slows one road below 40 % of free flow for 5 min, as soon as the rule can fire', () => {
    const cond: Condition = (r) => field(r, 'speedKmh') < 0.4 * (freeFlow.get(r.sensorId) ?? 0);
    const hits = firesWithin(readings, 'traffic', cond, 5 * 60_000, START + 5 * 60_000 + 20_000);
    const incidentRoad = plan.events.find((e) => e.event.kind === 'incident')?.sensorId;
    expect(incidentRoad).toBeDefined();
    expect(hits).toContain(incidentRoad);
  });

  it('produces only contract-valid payloads', () => {
    for (const r of readings) expect(checkPayload(r.domain, r.payload)).toBeNull();
  });
});

describe('demo guarantees hold for any seed', () => {
  it('fires the flood and air rules within a minute and takes one site past 50 cm, for 40 seeds', () => {
    const sensors = hcmcLikeSensors();
    for (let seed = 0; seed < 40; seed++) {
      const start = START + seed * 3_600_000; // also walk through the day
      const readings = runVirtual(planSimulation(sensors, { seed, startMs: start }), start + 4 * 60_000);
      const minute = start + 60_000;
      expect(firesWithin(readings, 'flood', (r) => field(r, 'waterLevelCm') >= 10, 30_000, minute).length).toBeGreaterThan(0);
      expect(firesWithin(readings, 'air', (r) => field(r, 'pm25') >= 55.5, 30_000, minute).length).toBeGreaterThan(0);
      expect(firesWithin(readings, 'flood', (r) => field(r, 'waterLevelCm') >= 30, 30_000, start + 4 * 60_000).length).toBeGreaterThanOrEqual(2);
      expect(firesWithin(readings, 'flood', (r) => field(r, 'waterLevelCm') >= 50, 30_000, start + 4 * 60_000).length).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('repeatability', () => {
  const sensors = hcmcLikeSensors();
  it('gives identical payload sequences for the same seed and start', () => {
    const a = runVirtual(planSimulation(sensors, { seed: 99, startMs: START }), START + 5 * 60_000);
    const b = runVirtual(planSimulation([...sensors].reverse(), { seed: 99, startMs: START }), START + 5 * 60_000);
    expect(a.length).toBeGreaterThan(1000);
    expect(b).toEqual(a);
  });

  it('differs for another seed', () => {
    const a = runVirtual(planSimulation(sensors, { seed: 1, startMs: START }), START + 60_000);
    const b = runVirtual(planSimulation(sensors, { seed: 2, startMs: START }), START + 60_000);
    expect(b).not.toEqual(a);
  });

  it('gives a sensor the same readings whatever other sensors are simulated', () => {
    const all = runVirtual(planSimulation(sensors, { seed: 5, scenario: 'calm', startMs: START }), START + 60_000);
    const one = runVirtual(planSimulation(sensors.filter((s) => s.id === 'air-3'), { seed: 5, scenario: 'calm', startMs: START }), START + 60_000);
    expect(one).toEqual(all.filter((r) => r.sensorId === 'air-3'));
  });

  it('spreads sensors over the interval with a seeded phase', () => {
    const plan = planSimulation(sensors, { seed: 3, startMs: START });
    const phases = new Set(plan.programs.map((p) => p.phaseMs));
    expect(phases.size).toBeGreaterThan(plan.programs.length * 0.9);
    for (const p of plan.programs) {
      expect(p.phaseMs).toBeGreaterThanOrEqual(0);
      expect(p.phaseMs).toBeLessThan(p.intervalMs);
    }
  });
});

describe('scenarios as data', () => {
  it('calm plans no events and keeps rain sites dry', () => {
    const sensors = hcmcLikeSensors();
    const plan = planSimulation(sensors, { seed: 7, scenario: 'calm', startMs: START });
    expect(plan.events).toEqual([]);
    const readings = runVirtual(plan, START + 10 * 60_000);
    const flood = readings.filter((r) => r.domain === 'flood');
    expect(Math.max(...flood.map((r) => field(r, 'waterLevelCm')))).toBeLessThan(1);
  });

  it('uses the defaults per domain and honours intervalMs overrides', () => {
    const sensors = hcmcLikeSensors();
    const plan = planSimulation(sensors, { seed: 1, startMs: START });
    const byDomain = (d: Domain) => plan.programs.find((p) => p.domain === d)?.intervalMs;
    expect([byDomain('flood'), byDomain('air'), byDomain('traffic')]).toEqual([5000, 10_000, 10_000]);
    const fast = planSimulation(sensors, { seed: 1, startMs: START, intervalMs: { air: 2000 } });
    expect(fast.programs.find((p) => p.domain === 'air')?.intervalMs).toBe(2000);
  });

  it('skips timeline entries that match no sensor', () => {
    const planned = planScenario(SCENARIOS.demo, [{ id: 'air-1', domain: 'air', name: 'a', district: 'b' }], START, createRng(1));
    expect(planned.map((p) => p.event.kind)).toEqual(['pollution']);
    expect(planned[0]?.event.startMs).toBe(START);
    expect(planned[0]?.event.endMs).toBe(START + 600_000);
  });

  it('rejects an unknown scenario with a stable code', () => {
    expect(() => getScenario('hurricane')).toThrow(expect.objectContaining({ code: SIM_ERROR_CODES.UNKNOWN_SCENARIO }));
  });
});
