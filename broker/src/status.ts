import { Value } from '@sinclair/typebox/value';
import { StatusPayload, type Domain } from '@cityops/contracts';
import type { SensorStatusEvent } from './types.ts';

export type StatusParse = { ok: true; event: SensorStatusEvent } | { ok: false; detail: string };

function eventTime(ts: string | number | undefined, receivedAt: number): number {
  if (typeof ts === 'number') return Number.isFinite(ts) ? ts : receivedAt;
  if (typeof ts === 'string') {
    const parsed = Date.parse(ts);
    return Number.isNaN(parsed) ? receivedAt : parsed;
  }
  // A Last Will is composed at CONNECT time, so devices usually leave `ts` out of it.
  return receivedAt;
}

/** Parses a status / Last Will payload (`{"online": bool, "ts"?: ...}`). */
export function parseStatus(
  domain: Domain,
  sensorId: string,
  payload: Buffer,
  source: SensorStatusEvent['source'],
  receivedAt: number,
): StatusParse {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, detail: 'status payload is not JSON' };
  }
  if (!Value.Check(StatusPayload, json)) {
    const first = Value.Errors(StatusPayload, json).First();
    return { ok: false, detail: `status payload invalid: ${first ? `${first.path} ${first.message}` : 'schema mismatch'}` };
  }
  return { ok: true, event: { domain, sensorId, online: json.online, ts: eventTime(json.ts, receivedAt), source } };
}
