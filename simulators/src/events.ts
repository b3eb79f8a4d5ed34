/**
 * Events a sensor lives through, in absolute epoch ms. Scenarios (data, see
 * scenarios.ts) are planned into these; the generators only know how each
 * kind of event acts on a measurement, never which scenario asked for it.
 */
export interface RainEvent {
  kind: 'rain';
  startMs: number;
  endMs: number;
  /** Rain rate at the site while it rains, mm/h. */
  intensityMmH: number;
  /** Ponding depth above the site's dry level the runoff drives towards, cm. */
  depthCm: number;
  /** Time constant of the rise towards depthCm, s. */
  riseTauS: number;
  /** Time constant of the recession once the rain stops, s. */
  recessionTauS: number;
}

export interface PollutionEvent {
  kind: 'pollution';
  startMs: number;
  endMs: number;
  /** PM2.5 added on top of the background while the episode lasts, µg/m³. */
  extraPm25: number;
  /** Time constant of the clean-up after the episode ends, s. */
  decayTauS: number;
}

export interface IncidentEvent {
  kind: 'incident';
  startMs: number;
  endMs: number;
  /** Speed cap as a fraction of free flow while the incident lasts. */
  speedRatio: number;
  /** Time constant of the recovery to normal flow after clearance, s. */
  recoveryTauS: number;
}

export type SensorEvent = RainEvent | PollutionEvent | IncidentEvent;
export type SensorEventKind = SensorEvent['kind'];

export const isActive = (e: SensorEvent, tMs: number): boolean => e.startMs <= tMs && tMs < e.endMs;

/**
 * How much of an event's effect remains at tMs: 0 before it starts, 1 while
 * it lasts, then an exponential tail with the given time constant.
 */
export function envelope(e: SensorEvent, tMs: number, tailTauS: number): number {
  if (tMs < e.startMs) return 0;
  if (tMs < e.endMs) return 1;
  return tailTauS > 0 ? Math.exp(-(tMs - e.endMs) / 1000 / tailTauS) : 0;
}
