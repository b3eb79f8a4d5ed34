import type { Alert, Domain, Reading } from '@cityops/contracts';
import type { RuleDefinition } from './rule-schema.ts';
import type { EngineSnapshot } from './snapshot.ts';
import type { RuleAreas } from './area-index.ts';

/** What the engine needs to know about a sensor (a projection of its registry feature). */
export interface RuleSensor {
  id: string;
  domain: Domain;
  name: string;
  district: string;
  location: [number, number];
  /** traffic: the road's free-flow speed, the base of relative congestion thresholds. */
  freeFlowKmh?: number;
  /** flood: per-sensor [minor, major, critical] depths in cm, replacing the rule's level values by position. */
  alertLevelsCm?: number[];
  /** Seconds between readings the sensor is configured for (absence rules). */
  reportingIntervalS?: number;
}

export interface AlertChange {
  kind: 'raised' | 'updated' | 'acknowledged' | 'resolved';
  /** A copy owned by the caller; later engine activity never mutates it. */
  alert: Alert;
}

export interface LateReadingCounts {
  /** Put in event-time order and re-run. */
  reordered: number;
  /** Older than anything kept for their (rule, sensor): not evaluated. */
  dropped: number;
  /** Alerts the in-order result never raised, resolved when the late reading showed it. */
  withdrawn: number;
  /** Alerts carried under another id than in order: an open incident keeps the id operators have, a resolved one goes on under a fresh id. */
  renamed: number;
  /** Short past alerts overlapping an open one, left out of the stream. */
  omitted: number;
  /** Resolved alerts already sent that in order would differ (another start, an earlier end): kept as sent. */
  keptAsSent: number;
}

export interface RuleEngine {
  readonly rules: readonly RuleDefinition[];
  /**
   * Event time = reading.ts. A threshold reading older than the newest one of
   * its (rule, sensor) but within the reorder window is put in event-time
   * order and the window re-run (event-order.ts); older still, it is dropped
   * and counted in lateReadings().
   */
  evaluate(reading: Reading, sensor: RuleSensor): AlertChange[];
  /** Late threshold readings since the engine started, and what re-running could not make as in order. */
  lateReadings(): LateReadingCounts;
  /**
   * Time-driven evaluation at `now` (epoch ms): resolves open alerts whose
   * clear condition has held for the rule's clear.for with no newer reading.
   */
  tick(now: number): AlertChange[];
  /**
   * A sensor's status message (contracts §1). `online: false` is its Last
   * Will (or an orderly offline): absence rules with `lastWill` raise at once;
   * `online: true` resolves an offline alert like a reading does.
   */
  status(sensor: RuleSensor, online: boolean, ts: number): AlertChange[];
  /** Throws CITYOPS_RULES_ALERT_NOT_FOUND / CITYOPS_RULES_ALERT_RESOLVED. Re-acknowledging is a no-op that returns the alert as it is. */
  acknowledge(alertId: string, by: string, at: number): AlertChange;
  openAlerts(): Alert[];
  /**
   * After a restart at `now`: absence windows restart from `now`, because a
   * center that was down cannot claim its sensors were silent meanwhile
   * (without this, every sensor would go "offline" at the first tick).
   */
  resume(now: number): void;
  /** JSON-serialisable: open alerts plus window state; createRuleEngine({ snapshot }) continues exactly where this left off. */
  snapshot(): EngineSnapshot;
}

export interface RuleEngineOptions {
  rules: readonly RuleDefinition[];
  snapshot?: EngineSnapshot;
  /**
   * How many resolved alert ids the engine remembers so that acknowledging
   * one reports "resolved" rather than "not found". Bounded so a long-running
   * engine does not grow without limit. Default 10,000.
   */
  resolvedAlertMemory?: number;
  /**
   * How far (event time) behind a sensor's newest reading a late reading is
   * still put in order for threshold rules. Default 10 minutes; at most 256
   * readings per (rule, sensor) are kept for it.
   */
  reorderWindowMs?: number;
  /**
   * District polygons (GeoJSON) for district rules: a sensor belongs to the
   * area its location falls in (turf point-in-polygon), falling back to its
   * registry `district` outside all areas. Without areas the registry decides.
   */
  areas?: RuleAreas;
}
