import { invalidOptions } from '../errors.ts';

/**
 * Switchable field faults. Probabilities are per reading and per sensor; each
 * sensor draws from its own seeded stream, so a faulty run repeats exactly.
 */
export interface FaultOptions {
  /** Reading silently not sent. */
  dropout?: number;
  /** Chance that a sensor freezes: it repeats its last measured values for `stuckReadings` readings. */
  stuck?: number;
  stuckReadings?: number;
  /** One measured value multiplied by `spikeFactor` (clamped to the contract range, so it stays valid). */
  spike?: number;
  spikeFactor?: number;
  /** Fraction of sensors whose clock is off by `clockSkewMs` (±, seeded per sensor). */
  clockSkew?: number;
  clockSkewMs?: number;
  /** Reading sent twice. */
  duplicate?: number;
  /** Reading held back and sent after the next one. */
  outOfOrder?: number;
  /** Payload replaced by bytes that are not a valid reading (bad JSON, NaN, missing field, out of range). */
  malformed?: number;
  /** Reading (also) published to another sensor's topic, which the broker must refuse. */
  foreignTopic?: number;
  /** Every this many ms, `reconnectStormFraction` of the fleet loses its connection at once. */
  reconnectStormEveryMs?: number;
  reconnectStormFraction?: number;
}

export const FAULT_NAMES = ['dropout', 'stuck', 'spike', 'clockSkew', 'duplicate', 'outOfOrder', 'malformed', 'foreignTopic', 'reconnectStormEveryMs'] as const;

const PROBABILITIES = ['dropout', 'stuck', 'spike', 'clockSkew', 'duplicate', 'outOfOrder', 'malformed', 'foreignTopic', 'reconnectStormFraction'] as const;

export function validateFaults(faults: FaultOptions): Readonly<FaultOptions> {
  for (const key of PROBABILITIES) {
    const p = faults[key];
    if (p !== undefined && !(typeof p === 'number' && p >= 0 && p <= 1)) throw invalidOptions(`faults.${key} must be a probability 0…1`);
  }
  for (const key of ['stuckReadings', 'spikeFactor', 'clockSkewMs', 'reconnectStormEveryMs'] as const) {
    const v = faults[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw invalidOptions(`faults.${key} must be a positive number`);
  }
  return Object.freeze({ ...faults });
}

/**
 * `dropout=0.05,spike=0.01,clockSkewMs=120000` → FaultOptions. A bare name
 * switches a fault on with a sensible default (e.g. `duplicate` → 0.05).
 */
export function parseFaultSpec(spec: string): FaultOptions {
  const defaults: Record<string, number> = { dropout: 0.05, stuck: 0.01, spike: 0.02, clockSkew: 0.2, duplicate: 0.05, outOfOrder: 0.05, malformed: 0.02, foreignTopic: 0.01, reconnectStorm: 60_000 };
  const out: Record<string, number> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, raw] = part.split('=') as [string, string | undefined];
    const key = name === 'reconnectStorm' ? 'reconnectStormEveryMs' : name;
    const known = new Set<string>([...PROBABILITIES, 'stuckReadings', 'spikeFactor', 'clockSkewMs', 'reconnectStormEveryMs']);
    if (!known.has(key)) throw invalidOptions(`unknown fault "${name}" (known: ${[...FAULT_NAMES, 'reconnectStorm'].join(', ')})`);
    const value = raw === undefined ? defaults[name] : Number(raw);
    if (value === undefined || !Number.isFinite(value)) throw invalidOptions(`fault "${name}" needs a number`);
    out[key] = value;
  }
  return validateFaults(out as FaultOptions);
}
