import type { Domain, SensorProperties } from '@cityops/contracts';
import type { IncidentEvent, PollutionEvent, RainEvent, SensorEvent } from './events.ts';
import { shuffled, type Rng } from './rng.ts';
import { unknownScenario } from './errors.ts';

/** Which sensors an entry of a timeline applies to; the pick is seeded. */
export interface SensorSelector {
  domain: Domain;
  /** flood only: restrict to sites of this cause. */
  cause?: 'rain' | 'tide';
  /** Share of the matching sensors to pick (0–1). */
  fraction?: number;
  /** Exact number to pick (wins over fraction). */
  count?: number;
  /** At least this many (when that many match). Default 1. */
  min?: number;
}

/** Event parameters without the absolute times; depths may be a range spread over the picked sites. */
export type EventSpec =
  | (Omit<RainEvent, 'startMs' | 'endMs' | 'depthCm'> & { depthCm: number | readonly [number, number] })
  | Omit<PollutionEvent, 'startMs' | 'endMs'>
  | (Omit<IncidentEvent, 'startMs' | 'endMs'> & { spill?: IncidentSpill });

/**
 * A jam spreads: queues back up into the roads that feed the blocked one. The
 * registry has no road graph, so neighbours are the other detectors on the same
 * road, then those of the same district (by id): what a control room would see.
 */
export interface IncidentSpill {
  /** How many neighbouring roads slow down. */
  neighbours: number;
  /** Their speed cap (milder than the incident's). */
  speedRatio: number;
  /** How long after the incident the queue reaches them, s. */
  delayS: number;
}

/** Neighbours of a traffic sensor: same road first, then same district, each by id. */
export function trafficNeighbours(sensor: SensorProperties, sensors: readonly SensorProperties[], count: number): SensorProperties[] {
  const others = sensors.filter((s) => s.domain === 'traffic' && s.id !== sensor.id).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const sameRoad = others.filter((s) => sensor.roadName !== undefined && s.roadName === sensor.roadName);
  const sameDistrict = others.filter((s) => s.district === sensor.district && !sameRoad.includes(s));
  return [...sameRoad, ...sameDistrict].slice(0, count);
}

export interface TimelineEntry {
  /** What this entry stands for, for logs and docs. */
  label: string;
  /** Start, seconds after the simulation starts. */
  atS: number;
  durationS: number;
  select: SensorSelector;
  event: EventSpec;
}

export interface Scenario {
  name: string;
  description: string;
  timeline: readonly TimelineEntry[];
}

export const SCENARIO_NAMES = ['demo', 'calm'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/**
 * `demo` makes each default rule of the center fire within a minute of the
 * start (flood ≥10/30/50 cm held 30 s, PM2.5 ≥55.5 held 30 s) or, for
 * traffic, as soon as its 5-minute hold allows, then lets things recover.
 */
export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  demo: {
    name: 'demo',
    description:
      'A downpour over ~11 % of the rain-prone flood sites from the start (10 cm within seconds, several past 30 cm, ' +
      'one cloudburst site past 50 cm), receding over ~15–20 min; a 10-min pollution episode at one air station; ' +
      'a 10-min incident slowing one road to ~20 % of free flow, spilling over to two neighbouring roads (capped at 45 %, just above the congestion rule) 90 s later.',
    timeline: [
      {
        label: 'downpour',
        atS: 0,
        durationS: 300,
        select: { domain: 'flood', cause: 'rain', fraction: 0.11, min: 2 },
        event: { kind: 'rain', intensityMmH: 60, depthCm: [15, 46], riseTauS: 6, recessionTauS: 300 },
      },
      {
        label: 'cloudburst',
        atS: 0,
        durationS: 300,
        select: { domain: 'flood', cause: 'rain', count: 1 },
        event: { kind: 'rain', intensityMmH: 95, depthCm: 62, riseTauS: 8, recessionTauS: 300 },
      },
      {
        label: 'pollution episode',
        atS: 0,
        durationS: 600,
        select: { domain: 'air', count: 1 },
        event: { kind: 'pollution', extraPm25: 90, decayTauS: 90 },
      },
      {
        label: 'road incident',
        atS: 0,
        durationS: 600,
        select: { domain: 'traffic', count: 1 },
        event: { kind: 'incident', speedRatio: 0.2, recoveryTauS: 120, spill: { neighbours: 2, speedRatio: 0.45, delayS: 90 } },
      },
    ],
  },
  calm: { name: 'calm', description: 'Ordinary conditions, no events.', timeline: [] },
};

export function getScenario(name: string): Scenario {
  if (!(SCENARIO_NAMES as readonly string[]).includes(name)) throw unknownScenario(name);
  return SCENARIOS[name as ScenarioName];
}

export interface PlannedEvent {
  sensorId: string;
  label: string;
  event: SensorEvent;
}

function matches(sensor: SensorProperties, select: SensorSelector): boolean {
  if (sensor.domain !== select.domain) return false;
  if (select.cause !== undefined && (sensor as { cause?: unknown }).cause !== select.cause) return false;
  return true;
}

/**
 * Turns a scenario's timeline into concrete events per sensor. The pick is
 * made from the matching sensors sorted by id, so it depends on the seed and
 * the registry, not on the order the sensors were listed in. A depth range
 * is spread evenly (stratified) over the picked sites, so a run always has
 * shallow and deep sites.
 */
export function planScenario(
  scenario: Scenario,
  sensors: readonly SensorProperties[],
  startMs: number,
  rng: Rng,
): PlannedEvent[] {
  const planned: PlannedEvent[] = [];
  scenario.timeline.forEach((entry, index) => {
    const pool = sensors.filter((s) => matches(s, entry.select)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (pool.length === 0) return;
    const entryRng = rng.fork(`${index}:${entry.label}`);
    const wanted =
      entry.select.count ??
      Math.max(entry.select.min ?? 1, Math.round((entry.select.fraction ?? 1) * pool.length));
    const picked = shuffled(pool, entryRng).slice(0, Math.min(wanted, pool.length));
    const startAt = startMs + entry.atS * 1000;
    const endAt = startAt + entry.durationS * 1000;
    picked.forEach((sensor, i) => {
      const spec = entry.event;
      let event: SensorEvent;
      if (spec.kind === 'rain') {
        const depth = spec.depthCm;
        const depthCm =
          typeof depth === 'number' ? depth : depth[0] + ((depth[1] - depth[0]) * (i + entryRng.next())) / picked.length;
        event = { ...spec, depthCm, startMs: startAt, endMs: endAt };
      } else if (spec.kind === 'incident') {
        const { spill, ...incident } = spec;
        event = { ...incident, startMs: startAt, endMs: endAt };
        planned.push({ sensorId: sensor.id, label: entry.label, event });
        for (const neighbour of spill ? trafficNeighbours(sensor, sensors, spill.neighbours) : []) {
          const delay = (spill?.delayS ?? 0) * 1000;
          planned.push({
            sensorId: neighbour.id,
            label: `${entry.label} (spill-over)`,
            event: { kind: 'incident', speedRatio: spill?.speedRatio ?? 1, recoveryTauS: incident.recoveryTauS, startMs: startAt + delay, endMs: endAt + delay },
          });
        }
        return;
      } else {
        event = { ...spec, startMs: startAt, endMs: endAt };
      }
      planned.push({ sensorId: sensor.id, label: entry.label, event });
    });
  });
  return planned;
}

/** The planned events grouped by sensor id. */
export function eventsBySensor(planned: readonly PlannedEvent[]): Map<string, SensorEvent[]> {
  const out = new Map<string, SensorEvent[]>();
  for (const p of planned) {
    const list = out.get(p.sensorId) ?? [];
    list.push(p.event);
    out.set(p.sensorId, list);
  }
  return out;
}
