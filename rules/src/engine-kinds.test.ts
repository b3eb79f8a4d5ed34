import { describe, expect, it } from 'vitest';
import type { LiveReading, SensorAqi } from '@cityops/contracts';
import { createRuleEngine } from './engine.ts';
import { HCMC_DEFAULT_RULES } from './hcmc-default-rules.ts';
import { air, airSensor, flood, flood as floodAt, floodSensor, MINUTE, SECOND, T0 } from './test-fixtures.ts';
import type { AlertChange, RuleSensor } from './types.ts';

const only = (...ids: string[]) => HCMC_DEFAULT_RULES.filter((r) => ids.includes(r.id));
const summary = (changes: AlertChange[]) =>
  changes.map((c) => `${c.kind}:${c.alert.ruleId}:${c.alert.severity}@${(Date.parse(c.alert.updatedAt) - T0) / MINUTE}`);
const atMin = (m: number) => T0 + m * MINUTE;

describe('flood-rise (rate of change)', () => {
  it('raises when the water rose 10 cm within 15 min, with the change as value, and resolves after 15 calm minutes', () => {
    const engine = createRuleEngine({ rules: only('flood-rise') });
    const levels: Array<[number, number]> = [[0, 2], [5, 4], [10, 8], [14, 12.5], [20, 13], [30, 13], [34, 13], [40, 13]];
    const changes = levels.flatMap(([m, cm]) => engine.evaluate(flood(atMin(m), cm), floodSensor));
    // calm from 20 (13 − 4 = 9 < 10 within the window) → 15 min later the first reading at ≥ 35 resolves
    expect(summary(changes)).toEqual(['raised:flood-rise:major@14', 'resolved:flood-rise:major@40']);
    expect(changes[0]!.alert).toMatchObject({ value: 10.5, threshold: 10 });
    expect(changes[0]!.alert.message.vi).toBe('Nước dâng nhanh tại Nguyễn Hữu Cảnh: +10,5 cm trong 15 phút (ngưỡng 10 cm)');
  });

  it('a slow rise of 10 cm over 30 min does not raise', () => {
    const engine = createRuleEngine({ rules: only('flood-rise') });
    const changes = Array.from({ length: 31 }, (_, m) => engine.evaluate(flood(atMin(m), 2 + m / 3), floodSensor)).flat();
    expect(changes).toEqual([]);
  });

  it('a late reading is judged at its own event time: the same alert as in order', () => {
    const levels: Array<[number, number]> = [[0, 2], [5, 4], [10, 14], [12, 9], [15, 9], [20, 9], [27, 9], [30, 9]];
    const inOrder = createRuleEngine({ rules: only('flood-rise') });
    const a = levels.flatMap(([m, cm]) => inOrder.evaluate(flood(atMin(m), cm), floodSensor));
    expect(summary(a)).toEqual(['raised:flood-rise:major@10', 'resolved:flood-rise:major@27']);
    const late = createRuleEngine({ rules: only('flood-rise') });
    const swapped = [levels[0]!, levels[1]!, levels[3]!, levels[2]!, ...levels.slice(4)];
    const b = swapped.flatMap(([m, cm]) => late.evaluate(flood(atMin(m), cm), floodSensor));
    expect(summary(b)).toEqual(summary(a));
    expect(b.map((c) => c.alert.id)).toEqual(a.map((c) => c.alert.id));
  });
});

describe('sensor-offline (absence)', () => {
  const engine = () => createRuleEngine({ rules: only('sensor-offline') });
  // Absence counts arrival time; these readings arrive at their event time.
  const flood = (ts: number, cm: number, s: RuleSensor = floodSensor) => ({ ...floodAt(ts, cm, s), receivedAt: ts });
  const reportingSensor: RuleSensor = { ...floodSensor, reportingIntervalS: 60 };

  it('silent for more than 3 × its interval → one offline alert at the moment the limit passed; resolved by its next reading', () => {
    const e = engine();
    expect(e.evaluate(flood(atMin(0), 3), reportingSensor)).toEqual([]);
    expect(e.tick(atMin(3))).toEqual([]);
    const raised = e.tick(atMin(3) + SECOND);
    expect(summary(raised)).toEqual(['raised:sensor-offline:minor@3']);
    expect(raised[0]!.alert).toMatchObject({ value: 180, threshold: 180, subject: { kind: 'sensor', id: floodSensor.id } });
    expect(e.tick(atMin(10))).toEqual([]); // still one alert
    expect(e.evaluate(flood(atMin(1), 3), reportingSensor)).toEqual([]); // backfill from before the silence: not "back"
    expect(summary(e.evaluate(flood(atMin(11), 3), reportingSensor))).toEqual(['resolved:sensor-offline:minor@11']);
  });

  it('uses the reading’s intervalS when the registry gives none', () => {
    const e = engine();
    e.evaluate(flood(atMin(0), 3), floodSensor); // flood fixture: intervalS 10 → limit 30 s
    expect(summary(e.tick(atMin(0) + 31 * SECOND))).toEqual(['raised:sensor-offline:minor@0.5']);
  });

  it('a Last Will raises at once; an online status resolves', () => {
    const e = engine();
    e.evaluate(flood(atMin(0), 3), reportingSensor);
    expect(summary(e.status(reportingSensor, false, atMin(1)))).toEqual(['raised:sensor-offline:minor@1']);
    expect(e.status(reportingSensor, false, atMin(2))).toEqual([]);
    expect(summary(e.status(reportingSensor, true, atMin(4)))).toEqual(['resolved:sensor-offline:minor@4']);
  });

  it('survives a snapshot: the restored engine resolves the same alert', () => {
    const e = engine();
    e.evaluate(flood(atMin(0), 3), reportingSensor);
    const [raised] = e.tick(atMin(5));
    const restored = createRuleEngine({ rules: only('sensor-offline'), snapshot: JSON.parse(JSON.stringify(e.snapshot())) });
    expect(restored.openAlerts().map((a) => a.id)).toEqual([raised!.alert.id]);
    expect(restored.tick(atMin(6))).toEqual([]);
    expect(restored.evaluate(flood(atMin(7), 3), reportingSensor)[0]).toMatchObject({ kind: 'resolved', alert: { id: raised!.alert.id } });
  });

  it('counts arrival time, and a restart (resume) restarts the silence windows instead of declaring everyone offline', () => {
    const e = engine();
    e.evaluate({ ...floodAt(atMin(-60), 3), receivedAt: atMin(0) }, reportingSensor); // replayed: old event time, arrived now
    expect(e.tick(atMin(2))).toEqual([]);
    const restarted = createRuleEngine({ rules: only('sensor-offline'), snapshot: e.snapshot() });
    restarted.resume(atMin(30));
    expect(restarted.tick(atMin(32))).toEqual([]);
    expect(summary(restarted.tick(atMin(33) + SECOND))).toEqual(['raised:sensor-offline:minor@33']);
  });
});

describe('district-flood (area aggregation)', () => {
  const gauges: RuleSensor[] = [0, 1, 2, 3].map((i) => ({ ...floodSensor, id: `fl-bt-0${i}`, name: `Bình Thạnh ${i}`, location: [106.71 + i * 0.01, 10.8] }));
  const other: RuleSensor = { ...floodSensor, id: 'fl-q7-01', district: 'Quận 7' };
  const rules = only('flood-depth', 'district-flood');
  const flooded = (e: ReturnType<typeof createRuleEngine>, s: RuleSensor, fromMin: number, cm: number) => [
    ...e.evaluate(flood(atMin(fromMin), cm, s), s),
    ...e.evaluate(flood(atMin(fromMin + 1), cm, s), s),
  ];

  it('three gauges of one district in alert → one district incident; a fourth updates it; fewer than three resolve it', () => {
    const e = createRuleEngine({ rules });
    const changes = [
      ...flooded(e, gauges[0]!, 0, 20),
      ...flooded(e, other, 0, 20),
      ...flooded(e, gauges[1]!, 2, 20),
      ...flooded(e, gauges[2]!, 4, 35),
      ...flooded(e, gauges[3]!, 6, 12),
    ];
    const district = changes.filter((c) => c.alert.ruleId === 'district-flood');
    expect(summary(district)).toEqual(['raised:district-flood:critical@5', 'updated:district-flood:critical@7']);
    expect(district[0]!.alert).toMatchObject({ subject: { kind: 'district', id: 'Bình Thạnh' }, value: 3, threshold: 3, district: 'Bình Thạnh' });
    expect(district[0]!.alert.location[0]).toBeCloseTo(106.72, 6); // centroid of the three gauges
    expect(district[1]!.alert.value).toBe(4);
    expect(district[1]!.alert.id).toBe(district[0]!.alert.id);
    // two recede (clear below 5 cm for 60 s) → 2 remain → resolved
    const recede = [gauges[0]!, gauges[1]!].flatMap((s) => [
      ...e.evaluate(flood(atMin(20), 1, s), s),
      ...e.evaluate(flood(atMin(21), 1, s), s),
    ]);
    expect(summary(recede.filter((c) => c.alert.ruleId === 'district-flood'))).toEqual([
      'updated:district-flood:critical@21',
      'resolved:district-flood:critical@21',
    ]);
  });

  it('membership is rebuilt from open alerts after a snapshot: no duplicate incident', () => {
    const e = createRuleEngine({ rules });
    for (const [i, s] of gauges.slice(0, 3).entries()) flooded(e, s, i * 2, 20);
    const restored = createRuleEngine({ rules, snapshot: JSON.parse(JSON.stringify(e.snapshot())) });
    expect(restored.openAlerts().filter((a) => a.subject.kind === 'district')).toHaveLength(1);
    const more = flooded(restored, gauges[3]!, 10, 20).filter((c) => c.alert.ruleId === 'district-flood');
    expect(more.map((c) => [c.kind, c.alert.value])).toEqual([['updated', 4]]);
  });
});

describe('air-quality-vn (index category)', () => {
  const withAqi = (ts: number, vn: number | null): LiveReading => {
    const aqi: SensorAqi = {
      hour: ts,
      vn: vn === null ? null : { value: vn, category: { key: 'x', level: 0, name: { vi: '', en: '' }, hex: '#000000' }, color: '#000000', dominant: 'pm25', subIndices: {} },
      us: null,
    };
    return { ...air(ts, 20), aqi };
  };

  it('raises by category after 10 min, escalates with the category, ignores readings without an index', () => {
    const e = createRuleEngine({ rules: only('air-quality-vn') });
    const series: Array<[number, number | null]> = [[0, 100], [1, 101], [6, null], [11, 120], [12, 151], [13, 210]];
    const changes = series.flatMap(([m, v]) => e.evaluate(withAqi(atMin(m), v), airSensor));
    expect(summary(changes)).toEqual(['raised:air-quality-vn:minor@11', 'updated:air-quality-vn:major@12', 'updated:air-quality-vn:critical@13']);
    expect(changes[0]!.alert.message).toEqual({ vi: 'VN_AQI 120 tại Tân Sơn Nhất — Kém', en: 'VN_AQI 120 at Tân Sơn Nhất — poor' });
    expect(changes[0]!.alert.threshold).toBe(101);
  });

  it('clears only at Trung bình or better (≤ 100) held for 30 min', () => {
    const e = createRuleEngine({ rules: only('air-quality-vn') });
    const series: Array<[number, number]> = [[0, 130], [10, 130], [20, 100], [30, 101], [31, 90], [60, 90], [61, 50]];
    const changes = series.flatMap(([m, v]) => e.evaluate(withAqi(atMin(m), v), airSensor));
    expect(summary(changes)).toEqual(['raised:air-quality-vn:minor@10', 'resolved:air-quality-vn:minor@61']);
  });
});

describe('the full HCMC rule set', () => {
  it('validates and runs all kinds together', () => {
    const e = createRuleEngine({ rules: HCMC_DEFAULT_RULES });
    expect(e.rules.map((r) => r.kind)).toContain('district');
    const changes = [[0, 2], [5, 20], [6, 40]].flatMap(([m, cm]) => e.evaluate(flood(atMin(m!), cm!), floodSensor));
    expect(changes.map((c) => `${c.kind}:${c.alert.ruleId}`)).toEqual(['raised:flood-rise', 'updated:flood-rise', 'raised:flood-depth']);
  });
});

describe('district areas by point-in-polygon (turf)', () => {
  // Two square "districts" side by side; the registry says every gauge is in "Quận cũ".
  const square = (name: string, x0: number) => ({
    type: 'Feature' as const,
    properties: { name_vi: name },
    geometry: { type: 'Polygon' as const, coordinates: [[[x0, 10], [x0 + 1, 10], [x0 + 1, 11], [x0, 11], [x0, 10]]] },
  });
  const areas = { features: [square('Quận Tây', 106), square('Quận Đông', 107)], nameProperty: 'name_vi' };
  const at = (id: string, lon: number): RuleSensor => ({ ...floodSensor, id, district: 'Quận cũ', location: [lon, 10.5] });
  const rules = HCMC_DEFAULT_RULES.filter((r) => ['flood-depth', 'district-flood'].includes(r.id));
  const flooded = (e: ReturnType<typeof createRuleEngine>, s: RuleSensor) => [
    ...e.evaluate(flood(atMin(0), 20, s), s),
    ...e.evaluate(flood(atMin(1), 20, s), s),
  ];

  it('groups gauges by the polygon they stand in, not by their registry district', () => {
    const e = createRuleEngine({ rules, areas });
    const west = ['w1', 'w2'].map((id, i) => at(id, 106.2 + i * 0.1));
    const east = ['e1', 'e2', 'e3'].map((id, i) => at(id, 107.2 + i * 0.1));
    const changes = [...west, ...east].flatMap((s) => flooded(e, s)).filter((c) => c.alert.ruleId === 'district-flood');
    expect(changes.map((c) => [c.kind, c.alert.subject.id, c.alert.value])).toEqual([['raised', 'Quận Đông', 3]]);
    // Without areas all five share the registry district and one incident counts five.
    const plain = createRuleEngine({ rules });
    const byRegistry = [...west, ...east].flatMap((s) => flooded(plain, s)).filter((c) => c.alert.ruleId === 'district-flood');
    expect(byRegistry.map((c) => [c.kind, c.alert.subject.id, c.alert.value])).toEqual([['raised', 'Quận cũ', 3], ['updated', 'Quận cũ', 4], ['updated', 'Quận cũ', 5]]);
  });
});
