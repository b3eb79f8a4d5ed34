import fc from 'fast-check';
import { expect } from 'vitest';
import { isOpen } from '@cityops/contracts';
import type { Domain, Reading } from '@cityops/contracts';
import { airSensor, floodSensor, reading, SECOND, T0, trafficSensor } from './test-fixtures.ts';
import type { AlertChange, RuleEngine, RuleSensor } from './types.ts';

/** Random operation sequences for the engine's property tests. */

export const SENSORS: readonly RuleSensor[] = [
  floodSensor,
  { ...floodSensor, id: 'fl-low-road', alertLevelsCm: [5, 15, 25] },
  { ...floodSensor, id: 'fl-odd-levels', alertLevelsCm: [40, 20] },
  trafficSensor,
  { ...trafficSensor, id: 'tr-hem-01', freeFlowKmh: 30 },
  airSensor,
];

const FIELD: Record<Domain, string> = { flood: 'waterLevelCm', traffic: 'speedKmh', air: 'pm25' };

/** Values cluster around the thresholds, where the interesting transitions are. */
const VALUES: Record<Domain, fc.Arbitrary<number>> = {
  flood: fc.oneof(fc.integer({ min: -20, max: 80 }), fc.constantFrom(4.9, 5, 9.9, 10, 29.9, 30, 49.9, 50)),
  traffic: fc.oneof(fc.integer({ min: 0, max: 70 }), fc.constantFrom(11.9, 12, 15, 19.9, 20, 25, 25.1)),
  air: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(35.4, 35.5, 55.4, 55.5, 125.4, 125.5)),
};

export type Op =
  | { type: 'reading'; sensor: number; dtMs: number; value: number }
  | { type: 'ack'; pick: number; dtMs: number }
  | { type: 'tick'; dtMs: number }
  | { type: 'status'; sensor: number; online: boolean; dtMs: number };

const dt = fc.oneof(fc.integer({ min: 0, max: 20 * SECOND }), fc.integer({ min: 0, max: 400 * SECOND }));

const readingOp: fc.Arbitrary<Op> = fc
  .integer({ min: 0, max: SENSORS.length - 1 })
  .chain((sensor) =>
    fc.record({ type: fc.constant('reading' as const), sensor: fc.constant(sensor), dtMs: dt, value: VALUES[SENSORS[sensor]!.domain] }),
  );

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: readingOp },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('ack' as const), pick: fc.nat(), dtMs: dt }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('tick' as const), dtMs: dt }) },
);

export const opsArb = fc.array(opArb, { minLength: 1, maxLength: 300 });

/** With status messages (Last Will / back online), for the full rule set. */
export const fullOpsArb = fc.array(
  fc.oneof(
    { weight: 14, arbitrary: opArb },
    {
      weight: 1,
      arbitrary: fc.record({ type: fc.constant('status' as const), sensor: fc.integer({ min: 0, max: SENSORS.length - 1 }), online: fc.boolean(), dtMs: dt }),
    },
  ),
  { minLength: 1, maxLength: 300 },
);

/** Applies ops with a shared, non-decreasing clock, so every sensor's readings are monotonic. */
export function applyOps(engine: RuleEngine, ops: readonly Op[], startMs = T0): { changes: AlertChange[]; clock: number } {
  const changes: AlertChange[] = [];
  let clock = startMs;
  for (const op of ops) {
    clock += op.dtMs;
    if (op.type === 'reading') {
      const sensor = SENSORS[op.sensor]!;
      const r: Reading = reading(sensor, sensor.domain, clock, { [FIELD[sensor.domain]]: op.value });
      changes.push(...engine.evaluate(r, sensor));
    } else if (op.type === 'tick') {
      changes.push(...engine.tick(clock));
    } else if (op.type === 'status') {
      changes.push(...engine.status(SENSORS[op.sensor]!, op.online, clock));
    } else {
      const open = engine.openAlerts();
      const target = open[op.pick % Math.max(1, open.length)];
      if (target !== undefined) changes.push(engine.acknowledge(target.id, 'operator.prop', clock));
    }
  }
  return { changes, clock };
}

/**
 * Replays a change stream against the lifecycle of contracts §4 and returns
 * the alerts it says are open; throws on the first violation.
 */
export function checkLifecycle(changes: readonly AlertChange[]): Map<string, string> {
  const openByKey = new Map<string, string>(); // (rule, subject) → alert id
  const everRaised = new Set<string>();
  const resolved = new Set<string>();
  for (const { kind, alert } of changes) {
    const key = `${alert.ruleId}|${alert.subject.kind}:${alert.subject.id}`;
    if (kind === 'raised') {
      expect(openByKey.has(key), `second open alert for ${key}`).toBe(false);
      expect(everRaised.has(alert.id), `alert id ${alert.id} reused`).toBe(false);
      expect(alert.state).toBe('active');
      everRaised.add(alert.id);
      openByKey.set(key, alert.id);
      continue;
    }
    expect(everRaised.has(alert.id), `${kind} before raised for ${alert.id}`).toBe(true);
    expect(resolved.has(alert.id), `${kind} after resolved for ${alert.id}`).toBe(false);
    expect(openByKey.get(key)).toBe(alert.id);
    if (kind === 'resolved') {
      expect(alert.state).toBe('resolved');
      openByKey.delete(key);
      resolved.add(alert.id);
    } else {
      expect(isOpen(alert)).toBe(true);
    }
    expect(Date.parse(alert.updatedAt)).toBeGreaterThanOrEqual(Date.parse(alert.raisedAt));
  }
  return openByKey;
}


/**
 * Runs the operations on the engine and checks the lifecycle invariants: the
 * change log is consistent (checkLifecycle), at most one open alert per
 * (rule, subject) in the engine, and the engine's open alerts are exactly the
 * ones the change log left open.
 */
export function expectLifecycleInvariants(engine: RuleEngine, ops: readonly Op[]): void {
  const { changes } = applyOps(engine, ops);
  const open = checkLifecycle(changes);
  const engineOpen = engine.openAlerts();
  const keys = engineOpen.map((a) => `${a.ruleId}|${a.subject.kind}:${a.subject.id}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(new Set(engineOpen.map((a) => a.id))).toEqual(new Set(open.values()));
}
