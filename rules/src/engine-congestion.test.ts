import { describe, expect, it } from 'vitest';
import { createRuleEngine } from './engine.ts';
import { HCMC_DEFAULT_RULES } from './hcmc-default-rules.ts';
import { MINUTE, T0, traffic, trafficSensor } from './test-fixtures.ts';
import { THRESHOLD_DEFAULTS } from './test-fixtures.ts';
import type { AlertChange, RuleSensor } from './types.ts';

const at = (min: number) => T0 + min * MINUTE;

function run(speeds: Array<[number, number]>, sensor: RuleSensor = trafficSensor): AlertChange[] {
  const engine = createRuleEngine({ rules: THRESHOLD_DEFAULTS });
  return speeds.flatMap(([min, kmh]) => engine.evaluate(traffic(at(min), kmh, sensor), sensor));
}

const kinds = (changes: AlertChange[]) => changes.map((c) => `${c.kind}@${(Date.parse(c.alert.updatedAt) - T0) / MINUTE}`);
const everyMinute = (from: number, to: number, kmh: number): Array<[number, number]> =>
  Array.from({ length: to - from + 1 }, (_, i) => [from + i, kmh] as [number, number]);

describe('traffic-congestion rule (relative to free-flow speed)', () => {
  it('raises major (LOS E) after 10 min below 0.4 × free flow, not before', () => {
    // free flow 50 km/h → threshold 20 km/h
    expect(run(everyMinute(0, 9, 18))).toEqual([]);
    const changes = run(everyMinute(0, 10, 18));
    expect(kinds(changes)).toEqual(['raised@10']);
    expect(changes[0]!.alert).toMatchObject({
      severity: 'major',
      value: 18,
      threshold: 20,
      message: {
        vi: 'Ùn tắc tại Điện Biên Phủ: tốc độ trung bình 18 km/h (ngưỡng 20 km/h) — mức phục vụ E',
        en: 'Congestion at Điện Biên Phủ: mean speed 18 km/h (threshold 20 km/h) — level of service E',
      },
    });
  });

  it('escalates to critical (LOS F) at 0.3 × free flow', () => {
    const changes = run([...everyMinute(0, 10, 18), [11, 14]]);
    expect(kinds(changes)).toEqual(['raised@10', 'updated@11']);
    expect(changes[1]!.alert).toMatchObject({ severity: 'critical', threshold: 15 });
    expect(changes[1]!.alert.message.en).toMatch(/level of service F$/);
  });

  it('scales the threshold with each road’s free-flow speed', () => {
    const street: RuleSensor = { ...trafficSensor, id: 'tr-hem-01', name: 'Hẻm 51', freeFlowKmh: 25 };
    expect(run(everyMinute(0, 10, 18), street)).toEqual([]); // 18 > 0.4 × 25 = 10: normal for a small street
    const changes = run(everyMinute(0, 10, 9), street);
    expect(changes.map((c) => c.alert.threshold)).toEqual([10]);
  });

  it('clears only above 0.5 × free flow held for 2 min (hysteresis band 20–25 km/h stays open)', () => {
    const changes = run([...everyMinute(0, 10, 18), ...everyMinute(11, 30, 23), [31, 26], [32, 27], [33, 30]]);
    expect(kinds(changes)).toEqual(['raised@10', 'resolved@33']);
  });

  it('skips traffic sensors without a usable free-flow speed', () => {
    const { freeFlowKmh: _omitted, ...withoutFreeFlow } = trafficSensor;
    expect(run(everyMinute(0, 20, 1), withoutFreeFlow)).toEqual([]);
    expect(run(everyMinute(0, 20, 1), { ...trafficSensor, freeFlowKmh: 0 })).toEqual([]);
  });
});
