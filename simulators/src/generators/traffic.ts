import type { CountsByClass, SensorProperties, TrafficPayload } from '@cityops/contracts';
import type { Rng } from '../rng.ts';
import type { SensorEvent } from '../events.ts';
import { envelope } from '../events.ts';
import { formatHcmcTimestamp, hcmcLocalTime, hourlyProfile } from '../hcmc-time.ts';
import { clamp, ouStep, round, type Generator, type InitialStateOptions } from './types.ts';

/** Used when a traffic feature lacks `freeFlowKmh` (the registry should always set it). */
export const DEFAULT_FREE_FLOW_KMH = 40;

/**
 * Mean speed as a fraction of free flow by HCMC local hour. Weekdays: the
 * 7–9 h and 16–19 h peaks fall to ~40–45 %, midday ~65 %, night near free
 * flow. Weekends: no commute peaks, busier evenings.
 */
export const WEEKDAY_SPEED_RATIO: readonly number[] = [
  0.96, 0.97, 0.98, 0.98, 0.95, 0.86, 0.68, 0.5, 0.42, 0.52, 0.64, 0.64,
  0.68, 0.68, 0.65, 0.6, 0.52, 0.44, 0.42, 0.5, 0.64, 0.76, 0.86, 0.92,
];
export const WEEKEND_SPEED_RATIO: readonly number[] = [
  0.92, 0.94, 0.96, 0.97, 0.97, 0.93, 0.86, 0.78, 0.72, 0.7, 0.7, 0.7,
  0.72, 0.74, 0.74, 0.72, 0.68, 0.64, 0.62, 0.62, 0.66, 0.72, 0.8, 0.88,
];

/** Occupancy at standstill (jam density), %. */
const JAM_OCCUPANCY_PCT = 85;

export interface TrafficState {
  tMs: number | null;
  intervalS: number;
  events: readonly SensorEvent[];
  /** Capacity of the road section, vehicles/h (motorbike-dominated mixed flow). */
  capacityVph: number;
  /** This road's congestion relative to the city profile (1 = typical). */
  severity: number;
  /** Share of motorbikes in the flow, 0.85–0.90. */
  motorbikeShare: number;
  /** Slowly varying relative speed noise (OU process). */
  noise: number;
}

export function initialTrafficState(sensor: SensorProperties, rng: Rng, options: InitialStateOptions = {}): TrafficState {
  void sensor;
  return {
    tMs: options.startMs ?? null,
    intervalS: options.intervalS ?? 10,
    events: options.events ?? [],
    capacityVph: rng.float(5000, 9000),
    severity: rng.float(0.9, 1.1),
    motorbikeShare: rng.float(0.85, 0.9),
    noise: rng.normal(0, 0.04),
  };
}

/** Expected speed ratio (of free flow) at tMs for a road of the given severity, before noise and incidents. */
export function typicalSpeedRatio(tMs: number, severity = 1): number {
  const local = hcmcLocalTime(tMs);
  const base = hourlyProfile(local.weekend ? WEEKEND_SPEED_RATIO : WEEKDAY_SPEED_RATIO, local.hour);
  return clamp(1 - (1 - base) * severity, 0.05, 1);
}

/** The tightest speed cap of the incidents affecting the road at tMs (1 = none). */
export function incidentCap(events: readonly SensorEvent[], tMs: number): number {
  let cap = 1;
  for (const e of events) {
    if (e.kind !== 'incident') continue;
    const w = envelope(e, tMs, e.recoveryTauS);
    cap = Math.min(cap, 1 - (1 - e.speedRatio) * w);
  }
  return cap;
}

function splitCounts(volume: number, motorbikeShare: number, night: boolean): CountsByClass {
  // HCMC keeps heavy trucks out of the inner city by day; they run at night
  const truckShare = night ? 0.035 : 0.01;
  const busShare = night ? 0.004 : 0.012;
  const motorbike = Math.round(volume * motorbikeShare);
  const truck = Math.min(volume - motorbike, Math.round(volume * truckShare));
  const bus = Math.min(volume - motorbike - truck, Math.round(volume * busShare));
  const car = volume - motorbike - truck - bus;
  return { motorbike, car, bus, truck };
}

export const generateTraffic: Generator<TrafficPayload, TrafficState> = (sensor, tMs, rng, state) => {
  const fromMs = state.tMs ?? tMs - state.intervalS * 1000;
  const freeFlow = sensor.freeFlowKmh ?? DEFAULT_FREE_FLOW_KMH;
  const noise = clamp(ouStep(state.noise, tMs - fromMs, 300, 0.05, rng), -0.15, 0.15);
  const ratio = clamp(Math.min(typicalSpeedRatio(tMs, state.severity), incidentCap(state.events, tMs)) * (1 + noise), 0.03, 1.05);
  const speedKmh = clamp(freeFlow * ratio, 0, 250);
  // Greenshields: flow peaks at half free-flow speed; fewer vehicles both when the road is empty and when it is jammed
  const flowVph = state.capacityVph * 4 * Math.min(ratio, 1) * (1 - Math.min(ratio, 1));
  const expected = (flowVph * state.intervalS) / 3600;
  const volume = Math.max(0, Math.round(expected + rng.normal(0, Math.sqrt(Math.max(expected, 1)))));
  const occupancyPct = clamp(JAM_OCCUPANCY_PCT * (1 - Math.min(ratio, 1)) + rng.normal(0, 1.5), 0, 100);
  const hour = hcmcLocalTime(tMs).hour;
  const payload: TrafficPayload = {
    ts: formatHcmcTimestamp(tMs),
    speedKmh: round(speedKmh, 1),
    volume: Math.min(volume, 100000),
    occupancyPct: round(occupancyPct, 1),
    intervalS: state.intervalS,
    countsByClass: splitCounts(Math.min(volume, 100000), state.motorbikeShare, hour >= 22 || hour < 6),
  };
  return { payload, state: { ...state, tMs, noise } };
};
