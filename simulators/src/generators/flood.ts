import type { FloodPayload, SensorProperties } from '@cityops/contracts';
import type { Rng } from '../rng.ts';
import type { RainEvent, SensorEvent } from '../events.ts';
import { formatHcmcTimestamp } from '../hcmc-time.ts';
import { clamp, round, type Generator, type InitialStateOptions } from './types.ts';

/** Principal lunar semi-diurnal constituent (M2), the dominant tide on the Saigon river. */
export const M2_PERIOD_MS = 12.4206 * 3_600_000;
/** Spring–neap cycle: amplitude swells and shrinks over ~14.77 days. */
export const SPRING_NEAP_PERIOD_MS = 14.7653 * 86_400_000;
/** Reference high water for the tide phase (arbitrary but fixed, so runs agree). */
const TIDE_EPOCH_MS = Date.UTC(2026, 0, 1, 3, 0, 0);

const DEFAULT_RECESSION_TAU_S = 600;
const BATTERY_FULL_V = 12.6;
const BATTERY_FLOOR_V = 10.8;

export interface FloodState {
  /** Time of the previous reading (epoch ms), null before the first. */
  tMs: number | null;
  intervalS: number;
  events: readonly SensorEvent[];
  /** Dry level relative to the road surface (cm): 0 or slightly below for street sites, well below for tidal gauges. */
  baselineCm: number;
  /** Tidal forcing, only for `cause: 'tide'` sites. */
  tide: { amplitudeCm: number; lagMs: number } | null;
  /** Ponding from runoff above the dry level, cm (≥ 0). */
  excessCm: number;
  batteryV: number;
  drainVPerDay: number;
}

export function initialFloodState(sensor: SensorProperties, rng: Rng, options: InitialStateOptions = {}): FloodState {
  const tidal = (sensor as { cause?: unknown }).cause === 'tide';
  return {
    tMs: options.startMs ?? null,
    intervalS: options.intervalS ?? 5,
    events: options.events ?? [],
    // a tidal low point sits below the road at normal tides; the road floods only when rain or an event adds on top
    baselineCm: tidal ? rng.float(-42, -32) : rng.float(-2, 0),
    tide: tidal ? { amplitudeCm: rng.float(16, 24), lagMs: rng.float(0, 90) * 60_000 } : null,
    excessCm: 0,
    batteryV: BATTERY_FULL_V - rng.float(0, 0.12),
    drainVPerDay: rng.float(0.01, 0.03),
  };
}

/** Water level (cm, relative to gauge zero) driven by the tide alone. */
export function tideLevelCm(tide: { amplitudeCm: number; lagMs: number }, tMs: number): number {
  const springNeap = 1 + 0.2 * Math.cos((2 * Math.PI * (tMs - TIDE_EPOCH_MS)) / SPRING_NEAP_PERIOD_MS);
  return tide.amplitudeCm * springNeap * Math.cos((2 * Math.PI * (tMs - TIDE_EPOCH_MS - tide.lagMs)) / M2_PERIOD_MS);
}

/**
 * Advances the runoff reservoir from `fromMs` to `toMs`. Between event
 * boundaries the ponding relaxes exponentially towards the deepest active
 * rain's depth (rise) or towards zero (recession); splitting at the
 * boundaries keeps the result exact for any reporting interval.
 */
export function advanceRunoff(
  excessCm: number,
  fromMs: number,
  toMs: number,
  events: readonly SensorEvent[],
): { excessCm: number; rainfallMm: number } {
  const rains = events.filter((e): e is RainEvent => e.kind === 'rain');
  if (toMs <= fromMs) return { excessCm, rainfallMm: 0 };
  const cuts = new Set<number>([fromMs, toMs]);
  for (const e of rains) {
    if (e.startMs > fromMs && e.startMs < toMs) cuts.add(e.startMs);
    if (e.endMs > fromMs && e.endMs < toMs) cuts.add(e.endMs);
  }
  const points = [...cuts].sort((a, b) => a - b);
  let h = excessCm;
  let rainfallMm = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i] as number;
    const b = points[i + 1] as number;
    const mid = (a + b) / 2;
    const active = rains.filter((e) => e.startMs <= mid && mid < e.endMs);
    let target = 0;
    let riseTauS = 1;
    let intensity = 0;
    for (const e of active) {
      intensity = Math.max(intensity, e.intensityMmH);
      if (e.depthCm > target) {
        target = e.depthCm;
        riseTauS = e.riseTauS;
      }
    }
    rainfallMm += (intensity * (b - a)) / 3_600_000;
    let tauS: number;
    if (target > h) tauS = riseTauS;
    else {
      // drain at the pace of the most recent rain that has started (the basin it filled)
      const past = rains.filter((e) => e.startMs <= mid).sort((x, y) => y.startMs - x.startMs)[0];
      tauS = past?.recessionTauS ?? DEFAULT_RECESSION_TAU_S;
    }
    h = target + (h - target) * Math.exp(-(b - a) / 1000 / Math.max(tauS, 0.001));
  }
  return { excessCm: Math.max(0, h), rainfallMm };
}

export const generateFlood: Generator<FloodPayload, FloodState> = (_sensor, tMs, rng, state) => {
  const fromMs = state.tMs ?? tMs - state.intervalS * 1000;
  const dtMs = Math.max(0, tMs - fromMs);
  const { excessCm, rainfallMm } = advanceRunoff(state.excessCm, fromMs, tMs, state.events);
  const tide = state.tide ? tideLevelCm(state.tide, tMs) : 0;
  const noise = rng.normal(0, 0.15);
  const level = clamp(state.baselineCm + tide + excessCm + noise, -100, 500);
  // drain never reverses: the battery is only charged by a field visit, which is out of scope here
  const batteryV = Math.max(BATTERY_FLOOR_V, state.batteryV - (state.drainVPerDay * dtMs) / 86_400_000);
  const payload: FloodPayload = {
    ts: formatHcmcTimestamp(tMs),
    waterLevelCm: round(level, 1),
    rainfallMm: round(clamp(rainfallMm, 0, 500), 2),
    intervalS: state.intervalS,
    batteryV: round(batteryV, 2),
  };
  return { payload, state: { ...state, tMs, excessCm, batteryV } };
};
