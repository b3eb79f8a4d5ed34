import { describe, it, expect } from 'vitest';
import { MAX_READING_BYTES, type Reading } from '@cityops/contracts';
import { decodeGatewayBatch, decodeReading, type DecodeResult } from './decode-reading.ts';

const NOW = Date.UTC(2026, 10, 24, 3, 0, 0); // 10:00 in HCMC (+07:00)
const ISO_NOW = '2026-11-24T10:00:00+07:00';

const traffic = { ts: ISO_NOW, speedKmh: 32.5, volume: 120, occupancyPct: 41, intervalS: 60 };
const flood = { ts: NOW, waterLevelCm: 12, intervalS: 300 };
const air = { ts: ISO_NOW, pm25: 35, pm10: 60 };

function ok(result: DecodeResult): Reading {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.detail}`);
  return result.reading;
}

function rejected(result: DecodeResult): Extract<DecodeResult, { ok: false }> {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.reading)}`);
  return result;
}

const json = (v: unknown): string => JSON.stringify(v);

describe('decodeReading: accepted readings', () => {
  it('decodes a traffic reading from a Buffer with an ISO offset timestamp', () => {
    const r = ok(decodeReading('traffic', 'tr-q1-001', Buffer.from(json(traffic)), NOW));
    expect(r).toEqual({
      sensorId: 'tr-q1-001',
      domain: 'traffic',
      ts: NOW,
      receivedAt: NOW,
      fields: { speedKmh: 32.5, volume: 120, occupancyPct: 41, intervalS: 60 },
    });
  });

  it('flattens countsByClass into countsByClass_<class> fields', () => {
    const payload = { ...traffic, countsByClass: { motorbike: 90, car: 20, bus: 2 } };
    const r = ok(decodeReading('traffic', 'tr-1', json(payload), NOW));
    expect(r.fields).toEqual({
      speedKmh: 32.5,
      volume: 120,
      occupancyPct: 41,
      intervalS: 60,
      countsByClass_motorbike: 90,
      countsByClass_car: 20,
      countsByClass_bus: 2,
    });
  });

  it('decodes flood with epoch milliseconds and optional fields', () => {
    const r = ok(decodeReading('flood', 'fl-1', json({ ...flood, rainfallMm: 4.2, batteryV: 12.1 }), NOW));
    expect(r.ts).toBe(NOW);
    expect(r.fields).toEqual({ waterLevelCm: 12, intervalS: 300, rainfallMm: 4.2, batteryV: 12.1 });
  });

  it('accepts range boundaries inclusive (flood -100 and 500 cm)', () => {
    expect(ok(decodeReading('flood', 'fl-1', json({ ...flood, waterLevelCm: -100 }), NOW)).fields.waterLevelCm).toBe(-100);
    expect(ok(decodeReading('flood', 'fl-1', json({ ...flood, waterLevelCm: 500 }), NOW)).fields.waterLevelCm).toBe(500);
  });

  it('decodes air with all optional pollutants and weather', () => {
    const full = { ...air, no2: 40, so2: 5, o3: 80, co: 900, tempC: -5, humidityPct: 88 };
    const r = ok(decodeReading('air', 'air-1', json(full), NOW));
    expect(r.fields).toEqual({ pm25: 35, pm10: 60, no2: 40, so2: 5, o3: 80, co: 900, tempC: -5, humidityPct: 88 });
  });

  it('keeps unknown extra fields out of the reading', () => {
    const r = ok(decodeReading('air', 'air-1', json({ ...air, firmware: '1.2.3', aqi: 99, nested: { x: 1 } }), NOW));
    expect(Object.keys(r.fields).sort()).toEqual(['pm10', 'pm25']);
    expect(r).not.toHaveProperty('firmware');
  });

  it.each([
    ['2026-11-24T03:00:00Z', NOW],
    ['2026-11-24T03:00:00.250Z', NOW + 250],
    ['2026-11-24T03:00:00.123456789Z', NOW + 123],
    ['2026-11-24T10:00:00+0700', NOW],
    ['2026-11-24 03:00:00z', NOW],
    ['2026-11-23T22:00:00-05:00', NOW],
    ['2026-11-24T03:00Z', NOW],
  ])('parses the ISO timestamp %s', (ts, expected) => {
    expect(ok(decodeReading('air', 'air-1', json({ ...air, ts }), NOW)).ts).toBe(expected);
  });

  it('floors fractional epoch milliseconds', () => {
    expect(ok(decodeReading('air', 'air-1', json({ ...air, ts: NOW + 0.7 }), NOW)).ts).toBe(NOW);
  });

  it('accepts a timestamp up to exactly 5 minutes ahead, and old readings', () => {
    expect(ok(decodeReading('air', 'a-1', json({ ...air, ts: NOW + 300_000 }), NOW)).ts).toBe(NOW + 300_000);
    expect(ok(decodeReading('air', 'a-1', json({ ...air, ts: NOW - 86_400_000 * 30 }), NOW)).ts).toBe(NOW - 86_400_000 * 30);
  });

  it('tolerates a UTF-8 byte-order mark', () => {
    expect(ok(decodeReading('air', 'a-1', `\ufeff${json(air)}`, NOW)).fields.pm25).toBe(35);
  });
});

describe('decodeReading: rejections name the field and the problem', () => {
  const cases: Array<[string, string, string | Buffer, string, RegExp]> = [
    ['invalid JSON', 'air', '{"ts": 1,', 'invalid_json', /not valid JSON/],
    ['empty payload', 'air', '', 'invalid_json', /not valid JSON/],
    ['a NaN literal', 'flood', '{"ts":1,"waterLevelCm":NaN,"intervalS":60}', 'not_finite', /^waterLevelCm is NaN/],
    ['an Infinity literal', 'air', '{"ts":1,"pm25":-Infinity,"pm10":1}', 'not_finite', /^pm25 is -Infinity/],
    ['a bare NaN document', 'air', 'NaN', 'not_finite', /contains NaN/],
    ['1e999 (parses to Infinity)', 'flood', `{"ts":${NOW},"waterLevelCm":1e999,"intervalS":60}`, 'not_finite', /^waterLevelCm must be a finite number; got Infinity/],
    ['an array', 'air', '[1,2]', 'not_an_object', /must be a JSON object; got an array/],
    ['null', 'air', 'null', 'not_an_object', /got null/],
    ['a number', 'air', '42', 'not_an_object', /got 42/],
    ['missing ts', 'air', json({ pm25: 1, pm10: 1 }), 'missing_field', /^ts is required/],
    ['missing a required field', 'flood', json({ ts: NOW, intervalS: 60 }), 'missing_field', /^waterLevelCm is required for flood readings/],
    ['a string number', 'traffic', json({ ...traffic, volume: '12' }), 'wrong_type', /^volume must be a number; got "12"/],
    ['a null optional field', 'flood', json({ ...flood, rainfallMm: null }), 'wrong_type', /^rainfallMm must be a number; got null/],
    ['countsByClass not an object', 'traffic', json({ ...traffic, countsByClass: [1] }), 'wrong_type', /^countsByClass must be an object/],
    ['ts as a boolean', 'air', json({ ...air, ts: true }), 'wrong_type', /^ts must be ISO-8601 .*got true/],
    ['above the maximum', 'flood', json({ ...flood, waterLevelCm: 612 }), 'out_of_range', /^waterLevelCm=612 is above the maximum 500 cm$/],
    ['below the minimum', 'flood', json({ ...flood, waterLevelCm: -101 }), 'out_of_range', /^waterLevelCm=-101 is below the minimum -100 cm$/],
    ['speed too high', 'traffic', json({ ...traffic, speedKmh: 251 }), 'out_of_range', /^speedKmh=251 is above the maximum 250 km\/h$/],
    ['intervalS zero', 'traffic', json({ ...traffic, intervalS: 0 }), 'out_of_range', /^intervalS=0 is below the minimum 1 s$/],
    ['a negative class count', 'traffic', json({ ...traffic, countsByClass: { car: -1 } }), 'out_of_range', /^countsByClass\.car=-1 is below the minimum 0$/],
    ['humidity over 100', 'air', json({ ...air, humidityPct: 101 }), 'out_of_range', /^humidityPct=101 is above the maximum 100%$/],
    ['epoch seconds', 'air', json({ ...air, ts: 1732470000 }), 'bad_timestamp', /ts must be ISO-8601 with an offset or epoch milliseconds; 1732470000 looks like epoch seconds/],
    ['ISO without offset', 'air', json({ ...air, ts: '2026-11-24T10:00:00' }), 'bad_timestamp', /has no offset/],
    ['an unparsable ts', 'air', json({ ...air, ts: 'yesterday at noon' }), 'bad_timestamp', /cannot parse "yesterday at noon"/],
    ['30 February', 'air', json({ ...air, ts: '2026-02-30T00:00:00Z' }), 'bad_timestamp', /not a valid date-time/],
    ['hour 24', 'air', json({ ...air, ts: '2026-02-03T24:00:00Z' }), 'bad_timestamp', /not a valid date-time/],
    ['a tiny epoch', 'air', json({ ...air, ts: 12 }), 'bad_timestamp', /not a plausible epoch milliseconds/],
    ['too far in the future', 'air', json({ ...air, ts: NOW + 300_001 }), 'future_timestamp', /ahead of the center's clock/],
    ['an ISO ts in the future', 'air', json({ ...air, ts: '2026-11-24T11:00:00+07:00' }), 'future_timestamp', /3600 s ahead/],
    ['too large', 'air', Buffer.alloc(MAX_READING_BYTES + 1, 0x20), 'too_large', /16385 bytes; the limit is 16384/],
  ];

  it.each(cases)('rejects %s', (_name, domain, payload, reason, detail) => {
    const r = rejected(decodeReading(domain as 'air', 'sensor-1', payload, NOW));
    expect(r.reason).toBe(reason);
    expect(r.detail).toMatch(detail);
    expect(r.sensorId).toBe('sensor-1');
  });

  it('counts multi-byte characters against the size limit', () => {
    const big = json({ ...air, note: 'ư'.repeat(MAX_READING_BYTES / 2) });
    expect(big.length).toBeLessThan(MAX_READING_BYTES);
    expect(rejected(decodeReading('air', 'a-1', big, NOW)).reason).toBe('too_large');
  });

  it('does not mistake NaN inside a string for a literal', () => {
    const r = rejected(decodeReading('air', 'a-1', '{"note":"NaN", "pm25": ', NOW));
    expect(r.reason).toBe('invalid_json');
  });

  it('reports ts problems before field problems', () => {
    const r = rejected(decodeReading('flood', 'f-1', json({ ts: 'x', waterLevelCm: 9999 }), NOW));
    expect(r.reason).toBe('bad_timestamp');
  });
});

describe('decodeGatewayBatch', () => {
  const el = (sensorId: string, domain: string, body: object) => ({ sensorId, domain, ...body });

  it('decodes every element independently; a bad one rejects only itself', () => {
    const batch = [
      el('tr-1', 'traffic', traffic),
      el('fl-1', 'flood', { ...flood, waterLevelCm: 612 }),
      el('air-1', 'air', air),
      42,
      { domain: 'air', ...air },
      el('fl-2', 'water', flood),
      el('fl-3', 'flood', { intervalS: 60, waterLevelCm: 1 }),
      el('Bad Id', 'air', air),
    ];
    const results = decodeGatewayBatch(Buffer.from(json(batch)), NOW);
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      'ok',
      'out_of_range',
      'ok',
      'not_an_object',
      'missing_field',
      'wrong_domain',
      'missing_field',
      'wrong_type',
    ]);
    expect(ok(results[0]!)).toMatchObject({ sensorId: 'tr-1', domain: 'traffic', ts: NOW });
    expect(ok(results[2]!)).toMatchObject({ sensorId: 'air-1', domain: 'air', fields: { pm25: 35, pm10: 60 } });
    const bad = rejected(results[1]!);
    expect(bad.sensorId).toBe('fl-1');
    expect(bad.detail).toBe('readings[1] (fl-1): waterLevelCm=612 is above the maximum 500 cm');
    expect(rejected(results[4]!).detail).toMatch(/^readings\[4\]\.sensorId is required/);
    expect(rejected(results[6]!).detail).toMatch(/^readings\[6\] \(fl-3\): ts is required/);
  });

  it('keeps sensorId and domain out of the stored fields', () => {
    const r = ok(decodeGatewayBatch(json([el('air-1', 'air', air)]), NOW)[0]!);
    expect(Object.keys(r.fields).sort()).toEqual(['pm10', 'pm25']);
  });

  it('returns one failure for a payload that is not a JSON array', () => {
    expect(decodeGatewayBatch(json(traffic), NOW)).toEqual([
      { ok: false, reason: 'not_an_object', detail: 'a gateway batch must be a JSON array of readings; got an object' },
    ]);
    const invalid = decodeGatewayBatch('[{"sensorId":', NOW);
    expect(invalid).toHaveLength(1);
    expect(rejected(invalid[0]!).reason).toBe('invalid_json');
    expect(rejected(decodeGatewayBatch('[{"sensorId":"a1","pm25":NaN}]', NOW)[0]!).reason).toBe('not_finite');
  });

  it('returns nothing for an empty array', () => {
    expect(decodeGatewayBatch('[]', NOW)).toEqual([]);
  });
});

describe('decodeReading: defensive', () => {
  it('reports an unknown domain from an untyped caller instead of throwing', () => {
    const r = rejected(decodeReading('water' as 'air', 'w-1', json(air), NOW));
    expect(r.reason).toBe('wrong_domain');
  });
});
