import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRuleEngine } from './engine.ts';
import { HCMC_DEFAULT_RULES } from './hcmc-default-rules.ts';
import { applyOps, expectLifecycleInvariants, fullOpsArb, type Op } from './test-operations.ts';
import { flood, floodSensor, SECOND, T0 } from './test-fixtures.ts';

/** The lifecycle invariants with every rule kind running together (rise, offline, district, thresholds). */
describe('engine properties under the full HCMC rule set', () => {
  it('one open alert per (rule, subject), sensor or district; resolves follow raises; ids never reused', () => {
    fc.assert(
      fc.property(fullOpsArb, (ops) => {
        expectLifecycleInvariants(createRuleEngine({ rules: HCMC_DEFAULT_RULES }), ops);
      }),
      { numRuns: 200 },
    );
  });

  it('a snapshot taken anywhere continues exactly like the uninterrupted engine (restart mid-incident)', () => {
    fc.assert(
      fc.property(fullOpsArb, fc.nat(), (ops, cut) => {
        const at = cut % (ops.length + 1);
        const uninterrupted = applyOps(createRuleEngine({ rules: HCMC_DEFAULT_RULES }), ops);
        const first = createRuleEngine({ rules: HCMC_DEFAULT_RULES });
        const head = applyOps(first, ops.slice(0, at));
        const second = createRuleEngine({ rules: HCMC_DEFAULT_RULES, snapshot: JSON.parse(JSON.stringify(first.snapshot())) });
        const tail = applyOps(second, ops.slice(at) as Op[], head.clock);
        expect([...head.changes, ...tail.changes]).toEqual(uninterrupted.changes);
      }),
      { numRuns: 150 },
    );
  });

  it('storms are bounded: a depth oscillating across the 10 cm threshold and rising 11 cm a minute gives one alert per rule', () => {
    fc.assert(
      fc.property(fc.integer({ min: 30, max: 360 }), fc.double({ min: 0.1, max: 3, noNaN: true }), (n, amplitude) => {
        const engine = createRuleEngine({ rules: HCMC_DEFAULT_RULES });
        const changes = Array.from({ length: n }, (_, i) => {
          const cm = i % 6 < 3 ? 10 + amplitude : 10 - amplitude;
          const spike = i % 6 === 5 ? 11 : 0; // a jump of ≥ 10 cm every minute keeps flood-rise hot
          return engine.evaluate(flood(T0 + i * 10 * SECOND, cm + spike), floodSensor);
        }).flat();
        const raised = changes.filter((c) => c.kind === 'raised');
        expect(raised.filter((c) => c.alert.ruleId === 'flood-depth').length).toBeLessThanOrEqual(1);
        expect(raised.filter((c) => c.alert.ruleId === 'flood-rise').length).toBeLessThanOrEqual(1);
        expect(changes.filter((c) => c.kind === 'resolved')).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
