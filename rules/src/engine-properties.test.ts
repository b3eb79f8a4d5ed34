import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isOpen } from '@cityops/contracts';
import { createRuleEngine } from './engine.ts';
import { HCMC_DEFAULT_RULES } from './hcmc-default-rules.ts';
import { applyOps, checkLifecycle, expectLifecycleInvariants, opsArb, SENSORS } from './test-operations.ts';
import { floodSensor, flood, SECOND, T0 } from './test-fixtures.ts';
import { THRESHOLD_DEFAULTS } from './test-fixtures.ts';
import type { AlertChange } from './types.ts';

describe('engine properties', () => {
  it('never more than one open alert per (rule, subject); every resolve follows its raise', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        expectLifecycleInvariants(createRuleEngine({ rules: THRESHOLD_DEFAULTS }), ops);
      }),
      { numRuns: 300 },
    );
  });

  it('every alert carries the reading value and the active level’s threshold on the right side', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const { changes } = applyOps(createRuleEngine({ rules: THRESHOLD_DEFAULTS }), ops);
        for (const { kind, alert } of changes) {
          if (kind !== 'raised') continue;
          const below = alert.ruleId === 'traffic-congestion';
          expect(below ? alert.value <= alert.threshold! : alert.value >= alert.threshold!).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('replaying the same operations gives identical changes (deterministic ids and times)', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const a = applyOps(createRuleEngine({ rules: THRESHOLD_DEFAULTS }), ops);
        const b = applyOps(createRuleEngine({ rules: THRESHOLD_DEFAULTS }), ops);
        expect(b.changes).toEqual(a.changes);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps the lifecycle invariants even with out-of-order readings', () => {
    const sensorIdx = fc.integer({ min: 0, max: SENSORS.length - 1 });
    const arb = fc.array(fc.record({ sensor: sensorIdx, offsetS: fc.integer({ min: 0, max: 900 }), cm: fc.integer({ min: 0, max: 60 }) }), { maxLength: 200 });
    fc.assert(
      fc.property(arb, (items) => {
        const engine = createRuleEngine({ rules: THRESHOLD_DEFAULTS });
        const changes = items.flatMap(({ offsetS, cm }) => engine.evaluate(flood(T0 + offsetS * SECOND, cm), floodSensor));
        checkLifecycle(changes);
        expect(engine.openAlerts().length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });
});
