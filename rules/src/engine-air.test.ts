import { describe, expect, it } from 'vitest';
import { createRuleEngine } from './engine.ts';
import { HCMC_DEFAULT_RULES } from './hcmc-default-rules.ts';
import { air, airSensor, SECOND, T0 } from './test-fixtures.ts';
import { THRESHOLD_DEFAULTS } from './test-fixtures.ts';
import type { AlertChange } from './types.ts';

const at = (s: number) => T0 + s * SECOND;

function run(values: Array<[number, number]>): AlertChange[] {
  const engine = createRuleEngine({ rules: THRESHOLD_DEFAULTS });
  return values.flatMap(([s, pm25]) => engine.evaluate(air(at(s), pm25), airSensor));
}

const summary = (changes: AlertChange[]) => changes.map((c) => `${c.kind}:${c.alert.severity}@${(Date.parse(c.alert.updatedAt) - T0) / SECOND}`);

describe('air-pm25 rule', () => {
  it('raises major at 55.5 µg/m³ held for 30 s, not at 55.4 and not before 30 s', () => {
    expect(run([[0, 55.4], [30, 55.4], [60, 55.4]])).toEqual([]);
    expect(run([[0, 55.5], [29, 70]])).toEqual([]);
    const changes = run([[0, 55.5], [15, 60], [30, 62.3]]);
    expect(summary(changes)).toEqual(['raised:major@30']);
    expect(changes[0]!.alert.message).toEqual({
      vi: 'Bụi mịn PM2.5 62,3 µg/m³ tại Tân Sơn Nhất — có hại cho sức khỏe',
      en: 'PM2.5 62.3 µg/m³ at Tân Sơn Nhất — unhealthy',
    });
  });

  it('escalates to critical at 125.5 µg/m³ and clears below 35.5 held for 2 min', () => {
    const changes = run([[0, 80], [30, 80], [40, 130], [50, 36], [300, 35.4], [419, 20], [420, 20]]);
    expect(summary(changes)).toEqual(['raised:major@30', 'updated:critical@40', 'updated:major@300', 'resolved:major@420']);
  });
});
