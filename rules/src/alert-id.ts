/**
 * Alert ids are derived, not random, so replaying the same readings yields the
 * same ids (idempotent stores, comparable replays). They appear in URLs
 * (/api/alerts/:id/ack) and MQTT topics (city/…/alerts/{domain}/{alertId}), so
 * only [A-Za-z0-9._~-] may appear. Rule ids and contract sensor ids never
 * contain "." or "~", which keeps the three parts unambiguous; any other
 * character in a subject id is escaped as ~XXXX (UTF-16 code unit, hex).
 */
const SAFE_SUBJECT = /^[A-Za-z0-9_-]+$/;

export function escapeIdPart(part: string): string {
  if (SAFE_SUBJECT.test(part)) return part;
  let out = '';
  for (let i = 0; i < part.length; i++) {
    const ch = part[i]!;
    out += /[A-Za-z0-9_-]/.test(ch) ? ch : `~${part.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  return out;
}

export function buildAlertId(ruleId: string, subjectId: string, raisedAtMs: number): string {
  return `${ruleId}.${escapeIdPart(subjectId)}.${Math.trunc(raisedAtMs)}`;
}
