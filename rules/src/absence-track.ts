import type { Alert, Domain } from '@cityops/contracts';
import { copyAlert, newAlert, resolveAlert } from './alert-build.ts';
import { renderTemplate } from './message-format.ts';
import type { AbsenceRule } from './rule-schema.ts';
import type { AlertChange, RuleSensor } from './types.ts';

/** Per (absence rule, sensor): when it last reported (event time) and its expected interval. */
export interface AbsenceTrack {
  readonly rule: AbsenceRule;
  sensor: RuleSensor;
  domain: Domain;
  lastTs: number;
  intervalMs: number;
  alert: Alert | null;
}

export function silenceLimitMs(track: AbsenceTrack): number {
  return track.rule.factor * track.intervalMs;
}

function raise(track: AbsenceTrack, at: number, silentMs: number): AlertChange {
  const { rule, sensor } = track;
  const ctx = { value: silentMs / 1000, unit: 's', threshold: silenceLimitMs(track) / 1000, sensorName: sensor.name, district: sensor.district };
  track.alert = newAlert({
    ruleId: rule.id,
    domain: track.domain,
    severity: rule.severity,
    subject: { kind: 'sensor', id: sensor.id },
    location: sensor.location,
    district: sensor.district,
    at,
    value: ctx.value,
    threshold: ctx.threshold,
    message: { vi: renderTemplate(rule.message.vi, 'vi', ctx), en: renderTemplate(rule.message.en, 'en', ctx) },
  });
  return { kind: 'raised', alert: copyAlert(track.alert) };
}

/**
 * A report at event time `ts`. Only a report from after the offline alert
 * was raised counts as "back": a gateway backfilling old readings has not
 * shown the sensor is alive now. Resolves at the report's time.
 */
export function reportAbsence(track: AbsenceTrack, ts: number, intervalMs: number, sensor: RuleSensor): AlertChange | null {
  track.sensor = sensor;
  track.intervalMs = intervalMs;
  if (ts <= track.lastTs) return null;
  track.lastTs = ts;
  // A report from before the silence was declared narrows the gap but does not prove the sensor is back.
  if (track.alert === null || ts < Date.parse(track.alert.raisedAt)) return null;
  const resolved = resolveAlert(track.alert, Math.max(ts, Date.parse(track.alert.raisedAt)));
  track.alert = null;
  return { kind: 'resolved', alert: resolved };
}

/**
 * Time-driven: silent longer than factor × interval → offline, raised at the
 * moment the limit passed (lastTs + limit), so the alert does not depend on
 * how often the caller ticks.
 */
export function tickAbsence(track: AbsenceTrack, now: number): AlertChange | null {
  if (track.alert !== null) return null;
  const limit = silenceLimitMs(track);
  if (now - track.lastTs <= limit) return null;
  return raise(track, track.lastTs + limit, limit);
}

/** Last Will (or an offline status) at `ts`: offline at once. */
export function lastWillAbsence(track: AbsenceTrack, ts: number): AlertChange | null {
  if (track.alert !== null || ts < track.lastTs) return null;
  return raise(track, ts, Number.isFinite(track.lastTs) ? ts - track.lastTs : 0);
}
