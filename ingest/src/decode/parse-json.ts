import type { RejectReason } from '@cityops/contracts';

export type JsonResult = { ok: true; value: unknown } | { ok: false; reason: RejectReason; detail: string };

// Devices written in C or Python emit bare NaN/Infinity (json.dumps does by default).
// Report those as not_finite so operators look at the sensor, not the firmware's JSON encoder.
const NON_FINITE_MEMBER = /"((?:[^"\\]|\\.){1,64})"\s*:\s*(-?(?:NaN|Infinity))\b/;
const STRINGS = /"(?:[^"\\]|\\.)*"/g;
const NON_FINITE_LITERAL = /(?:^|[^\w.])(-?(?:NaN|Infinity))\b/;

export function parseJson(payload: Buffer | string): JsonResult {
  let text = typeof payload === 'string' ? payload : payload.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const member = NON_FINITE_MEMBER.exec(text);
    if (member) {
      return {
        ok: false,
        reason: 'not_finite',
        detail: `${member[1]} is ${member[2]}; JSON has no NaN/Infinity and values must be finite numbers`,
      };
    }
    const literal = NON_FINITE_LITERAL.exec(text.replace(STRINGS, '""'));
    if (literal) {
      return {
        ok: false,
        reason: 'not_finite',
        detail: `payload contains ${literal[1]}; JSON has no NaN/Infinity and values must be finite numbers`,
      };
    }
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: 'invalid_json', detail: `payload is not valid JSON: ${message.slice(0, 200)}` };
  }
}
