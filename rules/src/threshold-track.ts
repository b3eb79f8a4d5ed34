import type { Alert } from '@cityops/contracts';
import { changeSeverity, copyAlert, raiseAlert, resolveAlert } from './alert-build.ts';
import { clearHolds, levelOf, levelThreshold, type CompiledThresholdRule } from './compiled-rule.ts';
import { emptyLog, type ReadingLog, type TrackKind } from './event-order.ts';
import type { AlertChange, RuleSensor } from './types.ts';

/**
 * The window state of one (rule, sensor) pair, and where a re-run starts. A
 * condition that holds but has not held for `for` yet is `pendingSince`, not
 * an alert. All fields are plain numbers/null so the object keeps one shape
 * and snapshots are trivial.
 */
export interface ThresholdState {
  /** Since when the raise condition has held while no alert is open. */
  pendingSince: number | null;
  /** Since when the clear condition has held while an alert is open. */
  clearSince: number | null;
  /** Since when readings have stayed below the open alert's level. */
  lowerSince: number | null;
  /** The most severe level seen since `lowerSince` (-1: none reached). */
  lowerLevel: number;
  /** Level index of the open alert, -1 when none is open. */
  level: number;
  alert: Alert | null;
}

export interface ThresholdTrack extends ThresholdState {
  readonly rule: CompiledThresholdRule;
  readonly sensorId: string;
  /** Latest event time applied (−∞ before the first reading). */
  lastTs: number;
  /** Arrival time of the reading at `lastTs`: how far event time lags the clock, for tick(). */
  lastHeard: number;
  /** Recent readings and checkpoints, so a late reading can be put in its place (event-order.ts). */
  log: ReadingLog<ThresholdState>;
}

export function createTrack(rule: CompiledThresholdRule, sensorId: string, ts = -Infinity, heard = ts): ThresholdTrack {
  return {
    rule,
    sensorId,
    lastTs: ts,
    lastHeard: heard,
    pendingSince: null,
    clearSince: null,
    lowerSince: null,
    lowerLevel: -1,
    level: -1,
    alert: null,
    log: emptyLog(),
  };
}

export function resolveTrack(track: ThresholdTrack, at: number): AlertChange {
  const resolved = resolveAlert(track.alert!, at);
  track.alert = null;
  track.level = -1;
  track.pendingSince = null;
  track.clearSince = null;
  track.lowerSince = null;
  track.lowerLevel = -1;
  return { kind: 'resolved', alert: resolved };
}

/**
 * Applies one reading value at event time `ts`. Escalation is immediate (a
 * rising flood must not wait); de-escalation needs the milder levels to have
 * held for the rule's clear.for, to the most severe of them, so a value
 * wobbling across a level boundary updates at most once per clear window.
 */
export function stepThreshold(track: ThresholdTrack, value: number, ts: number, sensor: RuleSensor, factor: number): AlertChange | null {
  const rule = track.rule;
  const level = levelOf(rule, value, sensor, factor);
  const open = track.alert;

  if (open === null) {
    if (level < 0) {
      track.pendingSince = null;
      return null;
    }
    if (track.pendingSince === null) track.pendingSince = ts;
    if (ts - track.pendingSince < rule.forMs) return null;
    track.pendingSince = null;
    track.level = level;
    track.alert = raiseAlert(rule, sensor, level, value, levelThreshold(rule, level, sensor, factor), ts);
    return { kind: 'raised', alert: copyAlert(track.alert) };
  }

  if (clearHolds(rule, value, sensor, factor)) {
    if (track.clearSince === null) track.clearSince = ts;
    if (ts - track.clearSince >= rule.clearForMs) return resolveTrack(track, ts);
  } else {
    track.clearSince = null;
  }

  if (level > track.level) {
    track.lowerSince = null;
    return setLevel(track, level, value, ts, sensor, factor, true);
  }
  if (level === track.level || track.level === 0) {
    // Below the mildest level only the clear condition can end the alert.
    track.lowerSince = null;
    return null;
  }
  if (track.lowerSince === null) {
    track.lowerSince = ts;
    track.lowerLevel = level;
  } else if (level > track.lowerLevel) {
    track.lowerLevel = level;
  }
  if (ts - track.lowerSince < rule.clearForMs) return null;
  const target = track.lowerLevel < 0 ? 0 : track.lowerLevel;
  if (level < target) {
    track.lowerSince = ts;
    track.lowerLevel = level;
  } else {
    track.lowerSince = null;
  }
  return setLevel(track, target, value, ts, sensor, factor, false);
}

function setLevel(
  track: ThresholdTrack,
  level: number,
  value: number,
  ts: number,
  sensor: RuleSensor,
  factor: number,
  escalating: boolean,
): AlertChange {
  const rule = track.rule;
  track.level = level;
  track.alert = changeSeverity(track.alert!, rule, sensor, level, value, levelThreshold(rule, level, sensor, factor), ts, escalating);
  return { kind: 'updated', alert: copyAlert(track.alert) };
}

/** Threshold tracks for the event-order re-run: `context` is the sensor and its level factor. */
export const THRESHOLD_KIND: TrackKind<ThresholdTrack, ThresholdState, { sensor: RuleSensor; factor: number }> = {
  lastTs: (track) => track.lastTs,
  save: (t) => ({ pendingSince: t.pendingSince, clearSince: t.clearSince, lowerSince: t.lowerSince, lowerLevel: t.lowerLevel, level: t.level, alert: t.alert }),
  load(t, s) {
    t.pendingSince = s.pendingSince;
    t.clearSince = s.clearSince;
    t.lowerSince = s.lowerSince;
    t.lowerLevel = s.lowerLevel;
    t.level = s.level;
    t.alert = s.alert;
  },
  scratch: (t) => createTrack(t.rule, t.sensorId),
  step(track, value, ts, { sensor, factor }) {
    if (ts > track.lastTs) track.lastTs = ts;
    return stepThreshold(track, value, ts, sensor, factor);
  },
};
