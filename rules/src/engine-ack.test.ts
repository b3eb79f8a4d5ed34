import type { ThresholdRule } from './rule-schema.ts';
import { describe, expect, it } from 'vitest';
import { createRuleEngine } from './engine.ts';
import { RULES_ERROR_CODES } from './errors.ts';
import { HCMC_DEFAULT_RULES } from './hcmc-default-rules.ts';
import { flood, floodSensor, SECOND, T0 } from './test-fixtures.ts';
import { THRESHOLD_DEFAULTS } from './test-fixtures.ts';
import type { RuleEngine } from './types.ts';

const at = (s: number) => T0 + s * SECOND;
const iso = (s: number) => new Date(at(s)).toISOString();

function raised(): { engine: RuleEngine; id: string } {
  const engine = createRuleEngine({ rules: THRESHOLD_DEFAULTS });
  engine.evaluate(flood(at(0), 12), floodSensor);
  const [change] = engine.evaluate(flood(at(30), 12), floodSensor);
  if (change === undefined) throw new Error('expected a raised alert');
  return { engine, id: change.alert.id };
}

describe('acknowledge', () => {
  it('marks the alert acknowledged with who and when, and keeps it open', () => {
    const { engine, id } = raised();
    const change = engine.acknowledge(id, 'operator.lan', at(45));
    expect(change.kind).toBe('acknowledged');
    expect(change.alert).toMatchObject({ id, state: 'acknowledged', acknowledgedBy: 'operator.lan', acknowledgedAt: iso(45), updatedAt: iso(45) });
    expect(engine.openAlerts()).toEqual([change.alert]);
  });

  it('is idempotent: a second ack returns the first acknowledgement unchanged', () => {
    const { engine, id } = raised();
    const first = engine.acknowledge(id, 'operator.lan', at(45));
    expect(engine.acknowledge(id, 'operator.minh', at(50)).alert).toEqual(first.alert);
  });

  it('never resolves: an acknowledged alert resolves only through the clear condition', () => {
    const { engine, id } = raised();
    engine.acknowledge(id, 'operator.lan', at(45));
    expect(engine.evaluate(flood(at(60), 12), floodSensor)).toEqual([]);
    engine.evaluate(flood(at(70), 2), floodSensor);
    const [resolved] = engine.evaluate(flood(at(130), 2), floodSensor);
    expect(resolved).toMatchObject({ kind: 'resolved', alert: { id, state: 'resolved', acknowledgedBy: 'operator.lan', resolvedAt: iso(130) } });
  });

  it('throws typed errors for unknown and resolved alerts', () => {
    const { engine, id } = raised();
    expect(() => engine.acknowledge('flood-depth.nope.1', 'x', at(40))).toThrow(expect.objectContaining({ code: RULES_ERROR_CODES.ALERT_NOT_FOUND }));
    engine.evaluate(flood(at(40), 1), floodSensor);
    engine.evaluate(flood(at(100), 1), floodSensor);
    expect(engine.openAlerts()).toEqual([]);
    expect(() => engine.acknowledge(id, 'x', at(110))).toThrow(expect.objectContaining({ code: RULES_ERROR_CODES.ALERT_RESOLVED }));
  });

  it('forgets the oldest resolved ids beyond resolvedAlertMemory', () => {
    const engine = createRuleEngine({ rules: THRESHOLD_DEFAULTS, resolvedAlertMemory: 1 });
    const ids: string[] = [];
    for (let cycle = 0; cycle < 2; cycle++) {
      const base = cycle * 1000;
      engine.evaluate(flood(at(base), 12), floodSensor);
      ids.push(engine.evaluate(flood(at(base + 30), 12), floodSensor)[0]!.alert.id);
      engine.evaluate(flood(at(base + 40), 1), floodSensor);
      engine.evaluate(flood(at(base + 100), 1), floodSensor);
    }
    expect(() => engine.acknowledge(ids[0]!, 'x', at(5000))).toThrow(expect.objectContaining({ code: RULES_ERROR_CODES.ALERT_NOT_FOUND }));
    expect(() => engine.acknowledge(ids[1]!, 'x', at(5000))).toThrow(expect.objectContaining({ code: RULES_ERROR_CODES.ALERT_RESOLVED }));
  });

  it('re-activates an acknowledged alert when it escalates, but not when it de-escalates', () => {
    const { engine, id } = raised();
    engine.acknowledge(id, 'operator.lan', at(45));
    const [escalated] = engine.evaluate(flood(at(50), 35), floodSensor);
    expect(escalated?.alert).toMatchObject({ id, severity: 'major', state: 'active' });
    expect(escalated?.alert.acknowledgedBy).toBeUndefined();
    engine.acknowledge(id, 'operator.minh', at(55));
    engine.evaluate(flood(at(60), 12), floodSensor);
    const [deescalated] = engine.evaluate(flood(at(120), 12), floodSensor);
    expect(deescalated?.alert).toMatchObject({ severity: 'minor', state: 'acknowledged', acknowledgedBy: 'operator.minh' });
  });
});

describe('re-firing', () => {
  it('a resolved alert that fires again is a new alert with a new id', () => {
    const { engine, id } = raised();
    engine.evaluate(flood(at(40), 1), floodSensor);
    engine.evaluate(flood(at(100), 1), floodSensor);
    engine.evaluate(flood(at(200), 40), floodSensor);
    const [again] = engine.evaluate(flood(at(230), 40), floodSensor);
    expect(again?.kind).toBe('raised');
    expect(again?.alert.id).not.toBe(id);
    expect(again?.alert.id).toBe(`flood-depth.${floodSensor.id}.${at(230)}`);
    expect(engine.openAlerts().map((a) => a.id)).toEqual([again?.alert.id]);
  });

  it('gives identical ids when the same readings are replayed', () => {
    const replay = () => raised().id;
    expect(replay()).toBe(replay());
  });
});

describe('returned alerts are the caller’s', () => {
  it('mutating a returned alert does not change engine state', () => {
    const { engine, id } = raised();
    const [open] = engine.openAlerts();
    open!.state = 'resolved';
    open!.location[0] = 0;
    open!.message.en = 'tampered';
    expect(engine.openAlerts()[0]).toMatchObject({ id, state: 'active', location: floodSensor.location });
    expect(engine.openAlerts()[0]!.message.en).not.toBe('tampered');
  });
});

describe('engine.rules', () => {
  it('exposes the validated rules, frozen so a running engine cannot be changed from outside', () => {
    const engine = createRuleEngine({ rules: THRESHOLD_DEFAULTS });
    expect(engine.rules).toEqual(THRESHOLD_DEFAULTS);
    expect(() => {
      ((engine.rules[0] as ThresholdRule).levels[0] as { value: number }).value = 1;
    }).toThrow(TypeError);
  });

  it('rejects invalid rules at construction', () => {
    expect(() => createRuleEngine({ rules: [{ ...(HCMC_DEFAULT_RULES[0] as ThresholdRule), field: 'pm25' }] })).toThrow(
      expect.objectContaining({ code: RULES_ERROR_CODES.INVALID_RULE }),
    );
  });
});
