import { describe, expect, it } from 'vitest';
import { HCMC_DEFAULT_RULES } from './hcmc-default-rules.ts';
import { parseRuleDefinitions } from './validate-rules.ts';
import type { ThresholdRule } from './rule-schema.ts';

const rule = (id: string) => {
  const found = HCMC_DEFAULT_RULES.find((r) => r.id === id);
  if (found === undefined || found.kind !== 'threshold') throw new Error(`missing threshold rule ${id}`);
  return found as ThresholdRule;
};

describe('HCMC_DEFAULT_RULES', () => {
  it('validates against the rule schema', () => {
    expect(parseRuleDefinitions(HCMC_DEFAULT_RULES)).toEqual(HCMC_DEFAULT_RULES);
  });

  it('ships flood depth and rise, congestion, air quality, offline and district flood rules', () => {
    expect(HCMC_DEFAULT_RULES.map((r) => `${r.id}:${r.kind}`)).toEqual([
      'flood-depth:threshold',
      'flood-rise:rate-of-change',
      'traffic-congestion:threshold',
      'air-pm25:threshold',
      'air-quality-vn:index-category',
      'sensor-offline:absence',
      'district-flood:district',
    ]);
  });

  it('flood: 10/30/50 cm for 30 s, clear below 5 cm for 60 s, sensor overrides allowed', () => {
    const flood = rule('flood-depth');
    expect(flood.levels.map((l) => [l.severity, l.value])).toEqual([
      ['minor', 10],
      ['major', 30],
      ['critical', 50],
    ]);
    expect([flood.for, flood.clear.value, flood.clear.for, flood.levelsFrom]).toEqual([30_000, 5, 60_000, 'alertLevelsCm']);
  });

  it('traffic: below 0.4 × free flow for 10 min (LOS E), 0.3 × LOS F, clear above 0.5 × for 2 min', () => {
    const congestion = rule('traffic-congestion');
    expect(congestion).toMatchObject({ comparison: 'below', relativeTo: 'freeFlowKmh', for: 600_000, clear: { value: 0.5, for: 120_000 } });
    expect(congestion.levels.map((l) => [l.severity, l.value, l.note?.en])).toEqual([
      ['major', 0.4, 'level of service E'],
      ['critical', 0.3, 'level of service F'],
    ]);
  });

  it('air: EPA 2024 "Unhealthy" 55.5 and "Very unhealthy" 125.5 µg/m³, clear below 35.5 for 2 min', () => {
    const pm25 = rule('air-pm25');
    expect(pm25.levels.map((l) => [l.severity, l.value])).toEqual([
      ['major', 55.5],
      ['critical', 125.5],
    ]);
    expect([pm25.for, pm25.clear.value, pm25.clear.for, pm25.unit]).toEqual([30_000, 35.5, 120_000, 'µg/m³']);
  });

  it('is frozen so no consumer can change the defaults for everyone', () => {
    expect(Object.isFrozen(HCMC_DEFAULT_RULES)).toBe(true);
    expect(Object.isFrozen(rule('flood-depth').levels[0])).toBe(true);
  });
});
