import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { READING_FIELDS, REJECT_REASONS, type Domain } from '@cityops/contracts';
import { decodeGatewayBatch, decodeReading } from './decode-reading.ts';

const NOW = Date.UTC(2026, 10, 24, 3, 0, 0);

const num = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

// ts within the accepted window: from a year back to the 5-minute skew limit, both forms.
const tsArb = fc.integer({ min: NOW - 365 * 86_400_000, max: NOW + 300_000 }).chain((ms) =>
  fc.constantFrom<number | string>(ms, new Date(ms).toISOString()).map((ts) => ({ ts, ms })),
);

const payloads: Record<Domain, fc.Arbitrary<Record<string, unknown>>> = {
  traffic: fc.record(
    {
      speedKmh: num(0, 250),
      volume: fc.integer({ min: 0, max: 100000 }),
      occupancyPct: num(0, 100),
      intervalS: num(1, 3600),
      countsByClass: opt(
        fc.record(
          { motorbike: num(0, 1e6), car: num(0, 1e6), bus: num(0, 1e6), truck: num(0, 1e6) },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: ['speedKmh', 'volume', 'occupancyPct', 'intervalS'] },
  ),
  flood: fc.record(
    { waterLevelCm: num(-100, 500), rainfallMm: num(0, 500), intervalS: num(1, 3600), batteryV: num(0, 30) },
    { requiredKeys: ['waterLevelCm', 'intervalS'] },
  ),
  air: fc.record(
    {
      pm25: num(0, 2000),
      pm10: num(0, 2000),
      no2: num(0, 200000),
      so2: num(0, 200000),
      o3: num(0, 200000),
      co: num(0, 200000),
      tempC: num(-40, 70),
      humidityPct: num(0, 100),
    },
    { requiredKeys: ['pm25', 'pm10'] },
  ),
};

/** What JSON carries of `body` (-0 becomes 0), flattened like READING_FIELDS. */
function expectedFields(original: Record<string, unknown>): Record<string, number> {
  const body = JSON.parse(JSON.stringify(original)) as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined) continue;
    if (k === 'countsByClass') {
      for (const [c, n] of Object.entries(v as Record<string, number | undefined>)) {
        if (n !== undefined) out[`countsByClass_${c}`] = n;
      }
    } else out[k] = v as number;
  }
  return out;
}

const domainArb = fc.constantFrom<Domain>('traffic', 'flood', 'air');
const validReading = domainArb.chain((domain) =>
  fc.tuple(fc.constant(domain), payloads[domain], tsArb),
);

describe('decode properties', () => {
  it('accepts any in-range payload and round-trips its numbers', () => {
    fc.assert(
      fc.property(validReading, ([domain, body, { ts, ms }]) => {
        const result = decodeReading(domain, 's-1', Buffer.from(JSON.stringify({ ts, ...body })), NOW);
        if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
        expect(result.reading.ts).toBe(ms);
        expect(result.reading.fields).toEqual(expectedFields(body));
        for (const f of Object.keys(result.reading.fields)) {
          expect((READING_FIELDS[domain] as readonly string[]).includes(f)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('accepts the same readings inside a gateway batch', () => {
    fc.assert(
      fc.property(fc.array(validReading, { maxLength: 20 }), (items) => {
        const batch = items.map(([domain, body, { ts }], i) => ({ sensorId: `s-${i}`, domain, ts, ...body }));
        const results = decodeGatewayBatch(JSON.stringify(batch), NOW);
        expect(results).toHaveLength(items.length);
        results.forEach((r, i) => {
          expect(r.ok).toBe(true);
          if (r.ok) expect(r.reading.fields).toEqual(expectedFields(items[i]![1]));
        });
      }),
      { numRuns: 100 },
    );
  });

  it('rejects any single field pushed out of its range with out_of_range', () => {
    fc.assert(
      fc.property(validReading, fc.boolean(), fc.double({ min: 1e-6, max: 1e9, noNaN: true }), ([domain, body], above, by) => {
        const keys = Object.keys(body).filter((k) => k !== 'countsByClass' && body[k] !== undefined);
        const key = keys[0]!;
        const limits: Record<string, [number, number]> = {
          speedKmh: [0, 250], volume: [0, 100000], occupancyPct: [0, 100], intervalS: [1, 3600],
          waterLevelCm: [-100, 500], rainfallMm: [0, 500], batteryV: [0, 30], pm25: [0, 2000], pm10: [0, 2000],
          no2: [0, 200000], so2: [0, 200000], o3: [0, 200000], co: [0, 200000], tempC: [-40, 70], humidityPct: [0, 100],
        };
        const [min, max] = limits[key]!;
        const bad = above ? max + Math.max(by, max * 1e-9) : min - Math.max(by, Math.abs(min) * 1e-9);
        if (bad <= max && bad >= min) return; // rounding swallowed the nudge
        const result = decodeReading(domain, 's-1', JSON.stringify({ ts: NOW, ...body, [key]: bad }), NOW);
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.reason).toBe('out_of_range');
          expect(result.detail.startsWith(`${key}=`)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random bytes and always reports a known reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), domainArb, (bytes, domain) => {
        const buf = Buffer.from(bytes);
        const one = decodeReading(domain, 's-1', buf, NOW);
        if (!one.ok) expect(REJECT_REASONS).toContain(one.reason);
        for (const r of decodeGatewayBatch(buf, NOW)) if (!r.ok) expect(REJECT_REASONS).toContain(r.reason);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), domainArb, (value, domain) => {
        const text = JSON.stringify(value) ?? 'null';
        const one = decodeReading(domain, 's-1', text, NOW);
        if (!one.ok) expect(REJECT_REASONS).toContain(one.reason);
        expect(() => decodeGatewayBatch(`[${text}]`, NOW)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });
});
