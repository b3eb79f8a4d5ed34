import { describe, expect, it } from 'vitest';
import { createRuleEngine } from './engine.ts';
import { HCMC_DEFAULT_RULES } from './hcmc-default-rules.ts';
import { flood, floodSensor, SECOND, T0 } from './test-fixtures.ts';
import { THRESHOLD_DEFAULTS } from './test-fixtures.ts';
import type { AlertChange, RuleSensor } from './types.ts';

const at = (s: number) => T0 + s * SECOND;

/** Feeds (seconds, cm) pairs and returns every change in order. */
function run(levels: Array<[number, number]>, sensor: RuleSensor = floodSensor, engine = createRuleEngine({ rules: THRESHOLD_DEFAULTS })): AlertChange[] {
  return levels.flatMap(([s, cm]) => engine.evaluate(flood(at(s), cm, sensor), sensor));
}

const summary = (changes: AlertChange[]) => changes.map((c) => `${c.kind}:${c.alert.severity}@${(Date.parse(c.alert.updatedAt) - T0) / SECOND}`);

describe('flood-depth rule', () => {
  it('does not raise before the depth has held for 30 s', () => {
    expect(run([[0, 12], [10, 12], [20, 14], [29, 14]])).toEqual([]);
  });

  it('raises once the depth has held for 30 s, with value, threshold, place and bilingual message', () => {
    const changes = run([[0, 12], [10, 12], [20, 20], [30, 34], [40, 34]]);
    expect(changes).toHaveLength(1);
    const alert = changes[0]!.alert;
    expect(changes[0]!.kind).toBe('raised');
    expect(alert).toEqual({
      id: `flood-depth.${floodSensor.id}.${at(30)}`,
      ruleId: 'flood-depth',
      domain: 'flood',
      severity: 'major',
      state: 'active',
      subject: { kind: 'sensor', id: floodSensor.id },
      location: floodSensor.location,
      district: 'Bình Thạnh',
      raisedAt: new Date(at(30)).toISOString(),
      updatedAt: new Date(at(30)).toISOString(),
      value: 34,
      threshold: 30,
      message: {
        vi: 'Ngập 34 cm tại Nguyễn Hữu Cảnh — xe máy dễ chết máy',
        en: 'Flooding 34 cm at Nguyễn Hữu Cảnh — motorbikes stall',
      },
    });
  });

  it('restarts the 30 s window when the depth drops below 10 cm in between', () => {
    expect(run([[0, 12], [20, 9], [30, 12], [50, 12]])).toEqual([]);
    expect(summary(run([[0, 12], [20, 9], [30, 12], [60, 12]]))).toEqual(['raised:minor@60']);
  });

  it('escalates immediately and de-escalates only after lower levels held for 60 s', () => {
    const changes = run([
      [0, 12], [30, 12], // raise minor
      [40, 35], // major
      [50, 60], // critical
      [60, 40], [90, 45], [119, 38], // below critical for 59 s: still critical
      [120, 36], // 60 s: down to major (the worst of the window)
      [130, 12], [189, 14], [190, 12], // 60 s below major: minor
    ]);
    expect(summary(changes)).toEqual(['raised:minor@30', 'updated:major@40', 'updated:critical@50', 'updated:major@120', 'updated:minor@190']);
    const last = changes.at(-1)!.alert;
    expect(last.id).toBe(changes[0]!.alert.id);
    expect(last.message.en).toBe('Flooding 12 cm at Nguyễn Hữu Cảnh — drive with care');
    expect(last.threshold).toBe(10);
  });

  it('de-escalates to the most severe level seen during the window, not the latest', () => {
    const changes = run([[0, 55], [30, 55], [40, 35], [70, 12], [100, 12]]);
    expect(summary(changes)).toEqual(['raised:critical@30', 'updated:major@100']);
  });

  it('clears with hysteresis: stays open between 5 and 10 cm, resolves after 60 s below 5 cm', () => {
    const changes = run([[0, 12], [30, 12], [40, 7], [200, 7], [210, 4], [269, 3], [270, 2]]);
    expect(summary(changes)).toEqual(['raised:minor@30', 'resolved:minor@270']);
    const resolved = changes[1]!.alert;
    expect(resolved.state).toBe('resolved');
    expect(resolved.resolvedAt).toBe(new Date(at(270)).toISOString());
    expect(resolved.id).toBe(changes[0]!.alert.id);
  });

  it('restarts the clear window when the depth rises to 5 cm or more again', () => {
    expect(summary(run([[0, 12], [30, 12], [40, 4], [90, 6], [100, 4], [150, 4], [160, 4]]))).toEqual(['raised:minor@30', 'resolved:minor@160']);
  });

  it('uses the sensor’s own alertLevelsCm in place of the rule levels', () => {
    const lowRoad: RuleSensor = { ...floodSensor, id: 'fl-low-road', alertLevelsCm: [5, 15, 25] };
    const changes = run([[0, 6], [30, 6], [40, 16], [50, 26]], lowRoad);
    expect(summary(changes)).toEqual(['raised:minor@30', 'updated:major@40', 'updated:critical@50']);
    expect(changes.map((c) => c.alert.threshold)).toEqual([5, 15, 25]);
    // The clear threshold never sits above the lowest raise level: 4 cm clears only below 5 → still raised at 5 cm.
    const withLowMinor: RuleSensor = { ...floodSensor, id: 'fl-low-minor', alertLevelsCm: [3] };
    const low = run([[0, 4], [30, 4], [40, 3], [100, 3], [110, 2], [170, 2]], withLowMinor);
    expect(summary(low)).toEqual(['raised:minor@30', 'resolved:minor@170']);
  });

  it('keeps rule values for levels the sensor does not override', () => {
    const partial: RuleSensor = { ...floodSensor, id: 'fl-partial', alertLevelsCm: [20] };
    expect(summary(run([[0, 15], [30, 15]], partial))).toEqual([]);
    expect(run([[0, 35], [30, 35]], partial).map((c) => [c.alert.severity, c.alert.threshold])).toEqual([['major', 30]]);
  });

  describe('flapping', () => {
    const oscillate = (n: number, low: number, high: number, start = 0, stepS = 10): Array<[number, number]> =>
      Array.from({ length: n }, (_, i) => [start + i * stepS, i % 2 === 0 ? high : low] as [number, number]);

    it('a depth oscillating around the 10 cm raise threshold every reading never raises', () => {
      expect(run(oscillate(500, 9.5, 10.5))).toEqual([]);
    });

    it('a depth oscillating around the 5 cm clear threshold never resolves an open alert', () => {
      const changes = run([[0, 12], [30, 12], ...oscillate(500, 4.5, 5.5, 40)]);
      expect(summary(changes)).toEqual(['raised:minor@30']);
    });

    it('a depth oscillating around the 30 cm level boundary escalates once and does not storm updates', () => {
      const changes = run([[0, 12], [30, 12], ...oscillate(500, 29.5, 30.5, 40)]);
      expect(summary(changes)).toEqual(['raised:minor@30', 'updated:major@40']);
    });
  });

  it('treats a reading with the same ts as the latest as new information', () => {
    expect(summary(run([[0, 12], [30, 12], [30, 60]]))).toEqual(['raised:minor@30', 'updated:critical@30']);
  });

  it('keeps sensors independent', () => {
    const engine = createRuleEngine({ rules: THRESHOLD_DEFAULTS });
    const other: RuleSensor = { ...floodSensor, id: 'fl-other', name: 'Huỳnh Tấn Phát' };
    engine.evaluate(flood(at(0), 20), floodSensor);
    engine.evaluate(flood(at(10), 20, other), other);
    expect(engine.evaluate(flood(at(30), 20), floodSensor)).toHaveLength(1);
    expect(engine.evaluate(flood(at(30), 20, other), other)).toEqual([]);
    expect(engine.openAlerts().map((a) => a.subject.id)).toEqual([floodSensor.id]);
  });

  it('ignores readings without the rule field and rejects a reading/sensor mismatch', () => {
    const engine = createRuleEngine({ rules: THRESHOLD_DEFAULTS });
    expect(engine.evaluate({ sensorId: floodSensor.id, domain: 'flood', ts: at(0), receivedAt: at(0), fields: { rainfallMm: 40 } }, floodSensor)).toEqual([]);
    expect(engine.snapshot().tracks).toEqual([]);
    expect(() => engine.evaluate(flood(at(0), 20), { ...floodSensor, id: 'fl-someone-else' })).toThrow(
      expect.objectContaining({ code: 'CITYOPS_RULES_SENSOR_MISMATCH' }),
    );
  });
});
