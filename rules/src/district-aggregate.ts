import type { Alert } from '@cityops/contracts';
import { severityRank } from '@cityops/contracts';
import { copyAlert, newAlert, resolveAlert, updateAlert } from './alert-build.ts';
import { renderTemplate } from './message-format.ts';
import type { DistrictRule } from './rule-schema.ts';
import type { AlertChange } from './types.ts';

/** Per (district rule, district): the member sensors in alert and the incident, if open. */
export interface DistrictTrack {
  readonly rule: DistrictRule;
  readonly district: string;
  /** source alert id → its sensor location */
  members: Map<string, [number, number]>;
  alert: Alert | null;
}

export const createDistrictTrack = (rule: DistrictRule, district: string): DistrictTrack => ({ rule, district, members: new Map(), alert: null });

/** Whether a source alert counts towards the rule (right source, open, severe enough). */
export function counts(rule: DistrictRule, alert: Alert): boolean {
  if (!rule.sourceRules.includes(alert.ruleId) || alert.state === 'resolved' || alert.subject.kind !== 'sensor') return false;
  return rule.minSeverity === undefined || severityRank(alert.severity) >= severityRank(rule.minSeverity);
}

function centroid(members: Map<string, [number, number]>): [number, number] {
  let lon = 0;
  let lat = 0;
  for (const [x, y] of members.values()) {
    lon += x;
    lat += y;
  }
  return [lon / members.size, lat / members.size];
}

function message(track: DistrictTrack): Alert['message'] {
  const ctx = { value: track.members.size, unit: '', threshold: track.rule.minSensors, sensorName: track.district, district: track.district };
  return { vi: renderTemplate(track.rule.message.vi, 'vi', ctx), en: renderTemplate(track.rule.message.en, 'en', ctx) };
}

/**
 * Re-judges the district after its member set changed at event time `at`:
 * ≥ minSensors → raise (or update the count), fewer → resolve. One incident
 * per district however many sensors join.
 */
export function judgeDistrict(track: DistrictTrack, at: number): AlertChange | null {
  const n = track.members.size;
  const { rule } = track;
  if (track.alert === null) {
    if (n < rule.minSensors) return null;
    track.alert = newAlert({
      ruleId: rule.id,
      domain: rule.domain,
      severity: rule.severity,
      subject: { kind: 'district', id: track.district },
      location: centroid(track.members),
      district: track.district,
      at,
      value: n,
      threshold: rule.minSensors,
      message: message(track),
    });
    return { kind: 'raised', alert: copyAlert(track.alert) };
  }
  const when = Math.max(at, Date.parse(track.alert.updatedAt));
  if (n < rule.minSensors) {
    const resolved = resolveAlert(track.alert, when);
    track.alert = null;
    return { kind: 'resolved', alert: resolved };
  }
  if (n === track.alert.value) return null;
  track.alert = { ...updateAlert(track.alert, when, n, message(track)), location: centroid(track.members) };
  return { kind: 'updated', alert: copyAlert(track.alert) };
}
