import { describe, it, expect } from 'vitest';
import { createRng } from '../rng.ts';
import { checkPayload } from '../simulation.ts';
import { SIM_ERROR_CODES } from '../errors.ts';
import { formatHcmcTimestamp } from '../hcmc-time.ts';
import type { ReadingPayload } from '../sensor-program.ts';
import { createFaultInjector, type Outgoing } from './fault-injector.ts';
import { parseFaultSpec, type FaultOptions } from './fault-options.ts';

const TOPIC = 'city/hcmc/flood/flood-001/telemetry';
const FOREIGN = 'city/hcmc/flood/flood-002/telemetry';
const T0 = Date.parse('2026-11-24T08:00:00+07:00');

/** 1000 flood readings, water level = k, through an injector with the given faults. */
function run(faults: FaultOptions, n = 1000, seed = 1): { sent: Outgoing[][]; all: Outgoing[] } {
  const injector = createFaultInjector({ sensorId: 'flood-001', domain: 'flood', topic: TOPIC, foreignTopic: FOREIGN, faults, rng: createRng(seed) });
  const sent: Outgoing[][] = [];
  for (let k = 0; k < n; k++) {
    const t = T0 + k * 5000;
    const payload = { ts: formatHcmcTimestamp(t), waterLevelCm: k % 400, intervalS: 5 } as ReadingPayload;
    sent.push(injector.apply(payload, t));
  }
  sent.push(injector.flush());
  return { sent, all: sent.flat() };
}
const body = (o: Outgoing) => JSON.parse(o.payload) as { ts: string; waterLevelCm: number };

describe('fault injection', () => {
  it('with no faults sends every reading once, unchanged and valid', () => {
    const { all } = run({});
    expect(all).toHaveLength(1000);
    expect(all.every((o) => o.fault === 'none' && o.topic === TOPIC && checkPayload('flood', JSON.parse(o.payload)) === null)).toBe(true);
  });

  it('dropouts remove about the requested share of readings', () => {
    const { all } = run({ dropout: 0.1 });
    expect(all.length).toBeGreaterThan(850);
    expect(all.length).toBeLessThan(950);
  });

  it('stuck sensors repeat the same value for a stretch', () => {
    const { all } = run({ stuck: 0.01, stuckReadings: 20 });
    const stuck = all.filter((o) => o.fault === 'stuck');
    expect(stuck.length).toBeGreaterThanOrEqual(20);
    const values = new Set(stuck.slice(0, 20).map((o) => body(o).waterLevelCm));
    expect(values.size).toBe(1);
    // timestamps keep moving while the value is frozen
    expect(new Set(stuck.slice(0, 20).map((o) => body(o).ts)).size).toBe(20);
  });

  it('spikes jump far from the series but stay inside the contract range', () => {
    const { sent } = run({ spike: 0.05, spikeFactor: 10 });
    const spikes = sent.flatMap((os, k) => os.filter((o) => o.fault === 'spike').map((o) => ({ k, v: body(o).waterLevelCm })));
    expect(spikes.length).toBeGreaterThan(20);
    for (const s of spikes) {
      expect(s.v === 500 || s.v === 250 || s.v === (s.k % 400) * 10).toBe(true);
      expect(s.v).toBeLessThanOrEqual(500);
    }
    for (const o of sent.flat()) expect(checkPayload('flood', JSON.parse(o.payload))).toBeNull();
  });

  it('clock skew shifts every timestamp of an affected sensor by the same offset', () => {
    const { sent } = run({ clockSkew: 1, clockSkewMs: 90_000 }, 50);
    const offsets = new Set(sent.slice(0, 50).map((os, k) => Date.parse(body(os[0]!).ts) - (T0 + k * 5000)));
    expect(offsets.size).toBe(1);
    expect(Math.abs([...offsets][0]!)).toBe(90_000);
  });

  it('duplicates send the same payload twice in a row', () => {
    const { sent } = run({ duplicate: 0.1 });
    const dups = sent.filter((os) => os.length === 2);
    expect(dups.length).toBeGreaterThan(50);
    for (const [a, b] of dups) expect(b!.payload).toBe(a!.payload);
  });

  it('out-of-order delivery sends a held reading after its successor; nothing is lost', () => {
    const { all } = run({ outOfOrder: 0.1 });
    expect(all).toHaveLength(1000);
    const levels = all.map((o) => body(o).waterLevelCm);
    const inversions = levels.filter((v, i) => i > 0 && v < levels[i - 1]! && v !== 0).length;
    expect(inversions).toBeGreaterThan(30);
    expect(new Set(all.map((o) => body(o).ts)).size).toBe(1000);
  });

  it('malformed payloads break the contract in several ways', () => {
    const { all } = run({ malformed: 0.2 });
    const bad = all.filter((o) => o.fault === 'malformed');
    expect(bad.length).toBeGreaterThan(100);
    const invalid = (o: Outgoing) => {
      try {
        return checkPayload('flood', JSON.parse(o.payload)) !== null;
      } catch {
        return true;
      }
    };
    expect(bad.every(invalid)).toBe(true);
    const kind = (o: Outgoing): string => {
      try {
        return checkPayload('flood', JSON.parse(o.payload)) ?? 'valid';
      } catch {
        return 'not json';
      }
    };
    // not JSON, missing ts, out of range at least
    expect(new Set(bad.map(kind)).size).toBeGreaterThanOrEqual(3);
  });

  it('foreign-topic publishes go to another sensor topic, besides the reading itself', () => {
    const { all } = run({ foreignTopic: 0.05 });
    const foreign = all.filter((o) => o.fault === 'foreignTopic');
    expect(foreign.length).toBeGreaterThan(20);
    expect(foreign.every((o) => o.topic === FOREIGN)).toBe(true);
    expect(all.filter((o) => o.topic === TOPIC)).toHaveLength(1000);
  });

  it('repeats exactly for the same seed', () => {
    const faults = { dropout: 0.05, spike: 0.05, duplicate: 0.05, outOfOrder: 0.05, malformed: 0.05 };
    expect(run(faults, 300, 9).all).toEqual(run(faults, 300, 9).all);
    expect(run(faults, 300, 9).all).not.toEqual(run(faults, 300, 10).all);
  });

  it('parses a fault spec, with defaults for bare names, and rejects unknown faults', () => {
    expect(parseFaultSpec('dropout=0.1,duplicate,reconnectStorm=30000')).toEqual({ dropout: 0.1, duplicate: 0.05, reconnectStormEveryMs: 30_000 });
    expect(() => parseFaultSpec('gremlins=1')).toThrow(expect.objectContaining({ code: SIM_ERROR_CODES.INVALID_OPTIONS }));
    expect(() => parseFaultSpec('dropout=2')).toThrow(expect.objectContaining({ code: SIM_ERROR_CODES.INVALID_OPTIONS }));
  });
});
