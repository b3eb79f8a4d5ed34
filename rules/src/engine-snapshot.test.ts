import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRuleEngine } from './engine.ts';
import { RULES_ERROR_CODES } from './errors.ts';
import { HCMC_DEFAULT_RULES } from './hcmc-default-rules.ts';
import { applyOps, opsArb, type Op } from './test-operations.ts';
import { flood, floodSensor, SECOND, T0 } from './test-fixtures.ts';
import { THRESHOLD_DEFAULTS } from './test-fixtures.ts';
import type { EngineSnapshot } from './snapshot.ts';

const viaJson = (snapshot: EngineSnapshot): EngineSnapshot => JSON.parse(JSON.stringify(snapshot)) as EngineSnapshot;

function compareSplitRun(ops: readonly Op[], split: number): void {
  const uninterrupted = createRuleEngine({ rules: THRESHOLD_DEFAULTS });
  const whole = applyOps(uninterrupted, ops);

  const first = createRuleEngine({ rules: THRESHOLD_DEFAULTS });
  const head = applyOps(first, ops.slice(0, split));
  const restored = createRuleEngine({ rules: THRESHOLD_DEFAULTS, snapshot: viaJson(first.snapshot()) });
  const tail = applyOps(restored, ops.slice(split), head.clock);

  expect([...head.changes, ...tail.changes]).toEqual(whole.changes);
  expect(restored.openAlerts()).toEqual(uninterrupted.openAlerts());
  expect(restored.snapshot()).toEqual(uninterrupted.snapshot());
}

describe('snapshot / restore', () => {
  it('restoring mid-way through a fixed flood sequence behaves like an uninterrupted run', () => {
    const values = [12, 12, 14, 35, 36, 60, 40, 38, 20, 12, 8, 4, 4, 3, 2, 2, 2, 15, 15, 15, 15];
    const ops: Op[] = values.map((value) => ({ type: 'reading', sensor: 0, dtMs: 10 * SECOND, value }));
    ops.splice(5, 0, { type: 'ack', pick: 0, dtMs: 0 });
    for (let split = 0; split <= ops.length; split++) compareSplitRun(ops, split);
  });

  it('restoring at any point of any sequence behaves like an uninterrupted run', () => {
    fc.assert(
      fc.property(opsArb.chain((ops) => fc.tuple(fc.constant(ops), fc.integer({ min: 0, max: ops.length }))), ([ops, split]) =>
        compareSplitRun(ops, split),
      ),
      { numRuns: 200 },
    );
  });

  it('is plain JSON data', () => {
    const engine = createRuleEngine({ rules: THRESHOLD_DEFAULTS });
    engine.evaluate(flood(T0, 40), floodSensor);
    engine.evaluate(flood(T0 + 30 * SECOND, 40), floodSensor);
    const snapshot = engine.snapshot();
    expect(viaJson(snapshot)).toEqual(snapshot);
    expect(snapshot).toMatchObject({ version: 1, resolvedAlertIds: [], tracks: [{ ruleId: 'flood-depth', sensorId: floodSensor.id, level: 1 }] });
  });

  it('rejects malformed snapshots with a typed error', () => {
    const bad = [
      { version: 2, tracks: [], resolvedAlertIds: [] },
      { version: 1, tracks: [{ ruleId: 'flood-depth' }], resolvedAlertIds: [] },
      { version: 1, tracks: [{ ruleId: 'flood-depth', sensorId: 's', lastTs: 0, pendingSince: null, clearSince: null, lowerSince: null, lowerLevel: -1, level: 1, alert: null }], resolvedAlertIds: [] },
      { version: 1, tracks: [{ ruleId: 'air-pm25', sensorId: 's', lastTs: 0, pendingSince: null, clearSince: null, lowerSince: null, lowerLevel: -1, level: 5, alert: null }], resolvedAlertIds: [] },
    ];
    for (const snapshot of bad) {
      expect(() => createRuleEngine({ rules: THRESHOLD_DEFAULTS, snapshot: snapshot as EngineSnapshot })).toThrow(
        expect.objectContaining({ code: RULES_ERROR_CODES.INVALID_SNAPSHOT }),
      );
    }
  });

  it('drops state of rules that are no longer configured', () => {
    const engine = createRuleEngine({ rules: THRESHOLD_DEFAULTS });
    engine.evaluate(flood(T0, 40), floodSensor);
    engine.evaluate(flood(T0 + 30 * SECOND, 40), floodSensor);
    const withoutFlood = createRuleEngine({ rules: THRESHOLD_DEFAULTS.filter((r) => r.id !== 'flood-depth'), snapshot: viaJson(engine.snapshot()) });
    expect(withoutFlood.openAlerts()).toEqual([]);
    expect(withoutFlood.snapshot().tracks).toEqual([]);
  });
});
