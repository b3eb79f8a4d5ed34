import { describe, expect, it } from 'vitest';
import { createRuleEngine } from './engine.ts';
import { HCMC_DEFAULT_RULES } from './hcmc-default-rules.ts';
import { flood, floodSensor, SECOND, T0 } from './test-fixtures.ts';
import { THRESHOLD_DEFAULTS } from './test-fixtures.ts';

const at = (s: number) => T0 + s * SECOND;

function openThenClearing() {
  const engine = createRuleEngine({ rules: THRESHOLD_DEFAULTS });
  engine.evaluate(flood(at(0), 12), floodSensor);
  const id = engine.evaluate(flood(at(30), 12), floodSensor)[0]!.alert.id;
  engine.evaluate(flood(at(40), 2), floodSensor); // clear condition starts holding at 40 s
  return { engine, id };
}

describe('tick', () => {
  it('does nothing before the clear condition has held for clear.for', () => {
    const { engine } = openThenClearing();
    expect(engine.tick(at(99))).toEqual([]);
    expect(engine.openAlerts()).toHaveLength(1);
  });

  it('resolves when no newer reading contradicts the clear condition, at the time the window completed', () => {
    const { engine, id } = openThenClearing();
    const changes = engine.tick(at(400));
    expect(changes).toEqual([expect.objectContaining({ kind: 'resolved', alert: expect.objectContaining({ id, resolvedAt: new Date(at(100)).toISOString() }) })]);
    expect(engine.openAlerts()).toEqual([]);
    expect(engine.tick(at(500))).toEqual([]);
  });

  it('gives the same resolution time however often it is called', () => {
    const a = openThenClearing();
    const b = openThenClearing();
    for (let s = 41; s <= 130; s++) a.engine.tick(at(s));
    const fromFine = a.engine.snapshot();
    b.engine.tick(at(130));
    expect(b.engine.snapshot()).toEqual(fromFine);
  });

  it('does not resolve when a newer reading broke the clear condition', () => {
    const { engine } = openThenClearing();
    engine.evaluate(flood(at(50), 8), floodSensor);
    expect(engine.tick(at(400))).toEqual([]);
  });

  it('treats readings older than a tick resolution as out of order', () => {
    const { engine } = openThenClearing();
    engine.tick(at(400));
    expect(engine.evaluate(flood(at(90), 60), floodSensor)).toEqual([]);
    expect(engine.snapshot().tracks[0]).toMatchObject({ lastTs: at(100), pendingSince: null });
  });

  it('never raises: a pending condition needs a confirming reading', () => {
    const engine = createRuleEngine({ rules: THRESHOLD_DEFAULTS });
    engine.evaluate(flood(at(0), 40), floodSensor);
    expect(engine.tick(at(3600))).toEqual([]);
  });
});
