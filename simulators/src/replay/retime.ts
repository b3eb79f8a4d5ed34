import { formatHcmcTimestamp } from '../hcmc-time.ts';
import { readingTime } from './replay-item.ts';

const shiftTs = (reading: unknown, deltaMs: number): boolean => {
  if (typeof reading !== 'object' || reading === null || Array.isArray(reading)) return false;
  const r = reading as { ts?: unknown };
  const t = readingTime(r.ts);
  if (t === null) return false;
  // keep the device's own encoding: epoch ms stays a number, ISO stays ISO (in HCMC local time)
  r.ts = typeof r.ts === 'number' ? t + deltaMs : formatHcmcTimestamp(t + deltaMs);
  return true;
};

/**
 * Moves every reading's `ts` in a payload by `deltaMs` (a single reading or a
 * gateway batch). Payloads that are not JSON readings are returned untouched:
 * replaying garbage must stay garbage.
 */
export function retimePayload(payload: Buffer, deltaMs: number): Buffer {
  if (deltaMs === 0) return payload;
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return payload;
  }
  const changed = Array.isArray(body) ? body.map((r) => shiftTs(r, deltaMs)).some(Boolean) : shiftTs(body, deltaMs);
  return changed ? Buffer.from(JSON.stringify(body)) : payload;
}
