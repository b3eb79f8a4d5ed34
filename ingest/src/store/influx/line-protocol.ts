import type { Reading } from '@cityops/contracts';

/**
 * contracts §8 in line protocol: measurement = domain, tags sensorId and district,
 * every field a float (so a count never conflicts with a later non-integer value),
 * timestamp = the reading's event time in ms (write with precision=ms). Same
 * (measurement, tags, ts) overwrites in InfluxDB, so a re-sent reading replaces itself.
 * `receivedAt` is an extra float field: it round-trips the Reading and gives
 * count() one field every point has.
 */
export const RECEIVED_AT_FIELD = 'receivedAt';

// Tag keys/values and measurements escape comma, space and '='; backslashes pass through.
export const escapeTag = (s: string): string => s.replace(/[,= ]/g, (c) => `\\${c}`);

const floatText = (v: number): string => {
  // Line protocol reads "1" as a float too, but "1e+21" needs no special care either:
  // InfluxDB parses exponent floats. Only non-finite values are invalid (decode rejects them).
  return String(v);
};

export function readingToLine(r: Reading): string {
  let line = r.domain;
  line += `,sensorId=${escapeTag(r.sensorId)}`;
  if (r.district !== undefined && r.district !== '') line += `,district=${escapeTag(r.district)}`;
  let first = true;
  const fields = r.fields as Record<string, number | undefined>;
  for (const key in fields) {
    const v = fields[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    line += `${first ? ' ' : ','}${escapeTag(key)}=${floatText(v)}`;
    first = false;
  }
  line += `${first ? ' ' : ','}${RECEIVED_AT_FIELD}=${floatText(r.receivedAt)}`;
  return `${line} ${Math.trunc(r.ts)}`;
}

export function readingsToLines(readings: readonly Reading[]): string[] {
  const out = new Array<string>(readings.length);
  for (let i = 0; i < readings.length; i++) out[i] = readingToLine(readings[i]!);
  return out;
}
