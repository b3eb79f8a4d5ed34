import type { Alert, Severity } from '@cityops/contracts';
import { buildAlertId } from './alert-id.ts';
import type { CompiledThresholdRule } from './compiled-rule.ts';
import { buildMessage } from './message-format.ts';
import type { RuleSensor } from './types.ts';

/**
 * Alerts are replaced, never mutated: each transition builds a new object,
 * so a copy handed out earlier stays a faithful record of that change.
 */

export const isoTime = (ms: number): string => new Date(ms).toISOString();

export function copyAlert(alert: Alert): Alert {
  const copy: Alert = {
    ...alert,
    subject: { kind: alert.subject.kind, id: alert.subject.id },
    location: [alert.location[0], alert.location[1]],
    message: { vi: alert.message.vi, en: alert.message.en },
  };
  return copy;
}

interface LevelFacts {
  severity: Severity;
  threshold: number;
  value: number;
  message: Alert['message'];
}

function levelFacts(rule: CompiledThresholdRule, level: number, value: number, threshold: number, sensor: RuleSensor): LevelFacts {
  const def = rule.levels[level]!;
  return {
    severity: def.severity,
    threshold,
    value,
    message: buildMessage(rule.def.message, def, {
      value,
      unit: rule.def.unit,
      threshold,
      sensorName: sensor.name,
      district: sensor.district,
    }),
  };
}

export function raiseAlert(
  rule: CompiledThresholdRule,
  sensor: RuleSensor,
  level: number,
  value: number,
  threshold: number,
  at: number,
): Alert {
  const facts = levelFacts(rule, level, value, threshold, sensor);
  const time = isoTime(at);
  return {
    id: buildAlertId(rule.id, sensor.id, at),
    ruleId: rule.id,
    domain: rule.def.domain,
    severity: facts.severity,
    state: 'active',
    subject: { kind: 'sensor', id: sensor.id },
    location: [sensor.location[0], sensor.location[1]],
    district: sensor.district,
    raisedAt: time,
    updatedAt: time,
    value: facts.value,
    threshold: facts.threshold,
    message: facts.message,
  };
}

/**
 * A severity change on the open alert. Escalating an acknowledged alert
 * makes it active again: the operator acknowledged a milder situation, and a
 * worse one must reach someone (the audit trail keeps the earlier ack).
 */
export function changeSeverity(
  alert: Alert,
  rule: CompiledThresholdRule,
  sensor: RuleSensor,
  level: number,
  value: number,
  threshold: number,
  at: number,
  escalating: boolean,
): Alert {
  const facts = levelFacts(rule, level, value, threshold, sensor);
  const next: Alert = {
    ...alert,
    severity: facts.severity,
    value: facts.value,
    threshold: facts.threshold,
    message: facts.message,
    updatedAt: isoTime(at),
  };
  if (escalating && next.state === 'acknowledged') {
    next.state = 'active';
    delete next.acknowledgedAt;
    delete next.acknowledgedBy;
  }
  return next;
}

export function acknowledgeAlert(alert: Alert, by: string, at: number): Alert {
  const time = isoTime(at);
  return { ...alert, state: 'acknowledged', acknowledgedAt: time, acknowledgedBy: by, updatedAt: time };
}

export function resolveAlert(alert: Alert, at: number): Alert {
  const time = isoTime(at);
  return { ...alert, state: 'resolved', resolvedAt: time, updatedAt: time };
}

/** A new active alert for the rule kinds that are not per-level thresholds. */
export function newAlert(p: {
  ruleId: string;
  domain: Alert['domain'];
  severity: Severity;
  subject: Alert['subject'];
  location: readonly [number, number];
  district: string;
  at: number;
  value: number;
  threshold?: number;
  message: Alert['message'];
}): Alert {
  const time = isoTime(p.at);
  return {
    id: buildAlertId(p.ruleId, p.subject.id, p.at),
    ruleId: p.ruleId,
    domain: p.domain,
    severity: p.severity,
    state: 'active',
    subject: { kind: p.subject.kind, id: p.subject.id },
    location: [p.location[0], p.location[1]],
    district: p.district,
    raisedAt: time,
    updatedAt: time,
    value: p.value,
    ...(p.threshold !== undefined ? { threshold: p.threshold } : {}),
    message: p.message,
  };
}

/** Same alert, new value/message (e.g. a district incident whose sensor count changed). */
export function updateAlert(alert: Alert, at: number, value: number, message: Alert['message']): Alert {
  return { ...alert, value, message, updatedAt: isoTime(at) };
}
