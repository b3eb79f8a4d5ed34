import type { SensorProperties } from '@cityops/contracts';
import type { Rng } from '../rng.ts';
import type { SensorEvent } from '../events.ts';

export interface GeneratorResult<P, S> {
  payload: P;
  state: S;
}

/**
 * A generator is pure apart from drawing from `rng`: the same sensor, times,
 * rng seed and initial state give the same payloads. States are plain data
 * and are never mutated (a new state is returned).
 */
export type Generator<P, S> = (sensor: SensorProperties, tMs: number, rng: Rng, state: S) => GeneratorResult<P, S>;

export interface InitialStateOptions {
  /** Seconds between readings, reported as `intervalS` (≥ 1). */
  intervalS?: number;
  /** Events this sensor lives through (absolute times). */
  events?: readonly SensorEvent[];
  /** Time of the reading before the first one, epoch ms; defaults to one interval before it. */
  startMs?: number;
}

export const round = (x: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
};

export const clamp = (x: number, min: number, max: number): number => Math.min(max, Math.max(min, x));

/**
 * One step of an Ornstein–Uhlenbeck process (AR(1) in continuous time) with
 * stationary standard deviation `sd` and time constant `tauS`; exact for any
 * step, so the statistics do not depend on the reporting interval.
 */
export function ouStep(x: number, dtMs: number, tauS: number, sd: number, rng: Rng): number {
  const rho = Math.exp(-Math.max(0, dtMs) / 1000 / tauS);
  return rho * x + Math.sqrt(1 - rho * rho) * sd * rng.normal();
}
