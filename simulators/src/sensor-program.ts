import type { AirPayload, Domain, FloodPayload, SensorProperties, TrafficPayload } from '@cityops/contracts';
import { createRng, deriveSeed, type Rng } from './rng.ts';
import type { SensorEvent } from './events.ts';
import { generateAir, initialAirState, type AirState } from './generators/air.ts';
import { generateFlood, initialFloodState, type FloodState } from './generators/flood.ts';
import { generateTraffic, initialTrafficState, type TrafficState } from './generators/traffic.ts';
import { eventsBySensor, getScenario, planScenario, type PlannedEvent, type ScenarioName } from './scenarios.ts';

export type ReadingPayload = TrafficPayload | FloodPayload | AirPayload;

/** Reporting intervals when neither the options nor the registry say otherwise. */
export const DEFAULT_INTERVAL_MS: Readonly<Record<Domain, number>> = { traffic: 10_000, flood: 5_000, air: 10_000 };

export const DEFAULT_SEED = 20_260_101;

export interface SensorProgram {
  readonly sensorId: string;
  readonly domain: Domain;
  readonly intervalMs: number;
  /** Offset of this sensor's first reading after the start, 0 ≤ phase < intervalMs. */
  readonly phaseMs: number;
  readonly events: readonly SensorEvent[];
  /** Nominal time of reading k (k = 0, 1, …). */
  timeOf(k: number): number;
  /** The next reading; times must not go backwards. */
  next(tMs: number): ReadingPayload;
}

export interface ProgramOptions {
  seed: number;
  startMs: number;
  intervalMs: number;
  events?: readonly SensorEvent[];
}

/**
 * One sensor's deterministic reading stream: its own rng (from the run seed
 * and its id), its phase, its events and the generator state. The MQTT
 * runtime and the virtual clock both step this same object, so a live run
 * and an offline replay with the same seed and start give the same payloads.
 */
export function createSensorProgram(sensor: SensorProperties, options: ProgramOptions): SensorProgram {
  const rng: Rng = createRng(deriveSeed(options.seed, `sensor:${sensor.id}`));
  const phaseMs = Math.floor(rng.next() * options.intervalMs);
  const intervalS = Math.max(1, Math.round(options.intervalMs / 1000));
  const events = options.events ?? [];
  const init = { intervalS, events, startMs: options.startMs };
  let step: (tMs: number) => ReadingPayload;
  switch (sensor.domain) {
    case 'traffic': {
      let s: TrafficState = initialTrafficState(sensor, rng, init);
      step = (t) => {
        const r = generateTraffic(sensor, t, rng, s);
        s = r.state;
        return r.payload;
      };
      break;
    }
    case 'flood': {
      let s: FloodState = initialFloodState(sensor, rng, init);
      step = (t) => {
        const r = generateFlood(sensor, t, rng, s);
        s = r.state;
        return r.payload;
      };
      break;
    }
    case 'air': {
      let s: AirState = initialAirState(sensor, rng, init);
      step = (t) => {
        const r = generateAir(sensor, t, rng, s);
        s = r.state;
        return r.payload;
      };
      break;
    }
  }
  return {
    sensorId: sensor.id,
    domain: sensor.domain,
    intervalMs: options.intervalMs,
    phaseMs,
    events,
    timeOf: (k) => options.startMs + phaseMs + k * options.intervalMs,
    next: step,
  };
}

/** intervalMs option > the feature's reportingIntervalS > the domain default. */
export function resolveIntervalMs(sensor: SensorProperties, overrides: Partial<Record<Domain, number>> = {}): number {
  return (
    overrides[sensor.domain] ??
    (sensor.reportingIntervalS !== undefined ? sensor.reportingIntervalS * 1000 : DEFAULT_INTERVAL_MS[sensor.domain])
  );
}

export interface PlanOptions {
  seed?: number;
  scenario?: ScenarioName;
  startMs: number;
  intervalMs?: Partial<Record<Domain, number>>;
}

export interface SimulationPlan {
  seed: number;
  startMs: number;
  events: PlannedEvent[];
  programs: SensorProgram[];
}

/** Plans a run: the scenario's events and one program per sensor. */
export function planSimulation(sensors: readonly SensorProperties[], options: PlanOptions): SimulationPlan {
  const seed = options.seed ?? DEFAULT_SEED;
  const scenario = getScenario(options.scenario ?? 'demo');
  const events = planScenario(scenario, sensors, options.startMs, createRng(deriveSeed(seed, 'scenario')));
  const bySensor = eventsBySensor(events);
  const programs = sensors.map((sensor) =>
    createSensorProgram(sensor, {
      seed,
      startMs: options.startMs,
      intervalMs: resolveIntervalMs(sensor, options.intervalMs),
      events: bySensor.get(sensor.id) ?? [],
    }),
  );
  return { seed, startMs: options.startMs, events, programs };
}

export interface VirtualReading {
  sensorId: string;
  domain: Domain;
  tMs: number;
  payload: ReadingPayload;
}

/**
 * Runs a plan on a virtual clock from its start up to (excluding) untilMs and
 * returns every reading in time order. No timers, no waiting.
 */
export function runVirtual(plan: SimulationPlan, untilMs: number): VirtualReading[] {
  const out: VirtualReading[] = [];
  for (const program of plan.programs) {
    for (let k = 0; ; k++) {
      const t = program.timeOf(k);
      if (t >= untilMs) break;
      out.push({ sensorId: program.sensorId, domain: program.domain, tMs: t, payload: program.next(t) });
    }
  }
  return out.sort((a, b) => a.tMs - b.tMs || (a.sensorId < b.sensorId ? -1 : 1));
}
