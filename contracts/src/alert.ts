import { Type, type Static } from '@sinclair/typebox';
import { DOMAINS } from './domains.ts';

export const SEVERITIES = ['info', 'minor', 'major', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export const ALERT_STATES = ['active', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const AlertSubject = Type.Object({
  kind: lit(['sensor', 'district'] as const),
  id: Type.String(),
});
export type AlertSubject = Static<typeof AlertSubject>;

/** contracts §4. Times are ISO-8601 strings (UTC). */
export const Alert = Type.Object({
  id: Type.String(),
  ruleId: Type.String(),
  domain: lit(DOMAINS),
  severity: lit(SEVERITIES),
  state: lit(ALERT_STATES),
  subject: AlertSubject,
  location: Type.Tuple([Type.Number(), Type.Number()]),
  district: Type.String(),
  raisedAt: Type.String(),
  updatedAt: Type.String(),
  acknowledgedAt: Type.Optional(Type.String()),
  acknowledgedBy: Type.Optional(Type.String()),
  resolvedAt: Type.Optional(Type.String()),
  value: Type.Number(),
  threshold: Type.Optional(Type.Number()),
  message: Type.Object({ vi: Type.String(), en: Type.String() }),
});
export type Alert = Static<typeof Alert>;

export const isOpen = (a: Pick<Alert, 'state'>): boolean => a.state !== 'resolved';

/** One entry of an alert's audit trail (`GET /api/alerts/:id/audit`): who did what, when. */
export interface AlertAuditEntry {
  alertId: string;
  /** ISO-8601 */
  at: string;
  /** an operator's username, or `system` for rule-driven changes */
  actor: string;
  /** raised | updated | acknowledged | commented | resolved */
  action: string;
  detail: Record<string, unknown>;
}
