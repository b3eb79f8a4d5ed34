import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { READING_PAYLOAD_SCHEMAS, type SensorProperties } from '@cityops/contracts';
import { createRng } from '../rng.ts';
import { hcmc } from '../test-support/fixtures.ts';
import type { SensorEvent } from '../events.ts';
import { generateTraffic, initialTrafficState, type TrafficState } from './traffic.ts';
import { generateFlood, initialFloodState, M2_PERIOD_MS, type FloodState } from './flood.ts';
import { generateAir, initialAirState, type AirState } from './air.ts';
import type { Generator } from './types.ts';

const checks = {
  traffic: TypeCompiler.Compile(READING_PAYLOAD_SCHEMAS.traffic),
  flood: TypeCompiler.Compile(READING_PAYLOAD_SCHEMAS.flood),
  air: TypeCompiler.Compile(READING_PAYLOAD_SCHEMAS.air),
};

const road = (id: string, freeFlowKmh = 40): SensorProperties => ({ id, domain: 'traffic', name: id, district: 'Quận 1', roadName: id, freeFlowKmh });
const floodSite = (id: string, cause: 'rain' | 'tide'): SensorProperties =>
  ({ id, domain: 'flood', name: id, district: 'Quận 7', cause }) as SensorProperties;
const station = (id: string): SensorProperties => ({ id, domain: 'air', name: id, district: 'Quận 1' });

/** Steps a generator over [fromMs, toMs) every stepMs. */
function series<P, S>(gen: Generator<P, S>, sensor: SensorProperties, state: S, seed: number, fromMs: number, toMs: number, stepMs: number) {
  const rng = createRng(seed);
  const out: { t: number; p: P }[] = [];
  let s = state;
  for (let t = fromMs; t < toMs; t += stepMs) {
    const r = gen(sensor, t, rng, s);
    s = r.state;
    out.push({ t, p: r.payload });
  }
  return out;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('traffic generator', () => {
  it('is clearly slower at the weekday 8:00 peak than at 3:00, and near free flow at night', () => {
    const morning: number[] = [];
    const night: number[] = [];
    // ten roads over the five weekdays of 2026-11-23 … 27
    for (let i = 0; i < 10; i++) {
      const sensor = road(`road-${i}`, 40);
      for (let day = 23; day <= 27; day++) {
        const state = initialTrafficState(sensor, createRng(i), { intervalS: 10 });
        const at8 = series(generateTraffic, sensor, state, i * 100 + day, hcmc(`2026-11-${day}T07:55:00`), hcmc(`2026-11-${day}T08:05:00`), 10_000);
        const at3 = series(generateTraffic, sensor, state, i * 100 + day, hcmc(`2026-11-${day}T02:55:00`), hcmc(`2026-11-${day}T03:05:00`), 10_000);
        morning.push(...at8.map((x) => x.p.speedKmh / 40));
        night.push(...at3.map((x) => x.p.speedKmh / 40));
      }
    }
    expect(mean(morning)).toBeGreaterThan(0.33);
    expect(mean(morning)).toBeLessThan(0.55);
    expect(mean(night)).toBeGreaterThan(0.88);
    expect(mean(morning)).toBeLessThan(0.6 * mean(night));
  });

  it('has lighter weekend peaks than weekday peaks', () => {
    const sensor = road('road-w');
    const state = initialTrafficState(sensor, createRng(3), { intervalS: 10 });
    const weekday = series(generateTraffic, sensor, state, 1, hcmc('2026-11-25T07:50:00'), hcmc('2026-11-25T08:10:00'), 10_000);
    const sunday = series(generateTraffic, sensor, state, 1, hcmc('2026-11-29T07:50:00'), hcmc('2026-11-29T08:10:00'), 10_000);
    expect(mean(sunday.map((x) => x.p.speedKmh))).toBeGreaterThan(1.3 * mean(weekday.map((x) => x.p.speedKmh)));
  });

  it('keeps volume, occupancy and counts consistent with speed, motorbike-dominated', () => {
    const sensor = road('road-c', 50);
    const state = initialTrafficState(sensor, createRng(4), { intervalS: 60 });
    const day = series(generateTraffic, sensor, state, 2, hcmc('2026-11-24T00:00:00'), hcmc('2026-11-25T00:00:00'), 60_000);
    let motorbikes = 0;
    let total = 0;
    for (const { p } of day) {
      const c = p.countsByClass;
      expect(c).toBeDefined();
      if (!c) continue;
      expect((c.motorbike ?? 0) + (c.car ?? 0) + (c.bus ?? 0) + (c.truck ?? 0)).toBe(p.volume);
      motorbikes += c.motorbike ?? 0;
      total += p.volume;
      expect(p.intervalS).toBe(60);
    }
    expect(motorbikes / total).toBeGreaterThan(0.84);
    expect(motorbikes / total).toBeLessThan(0.91);
    // slower traffic means a more occupied detector
    const slow = day.filter((x) => x.p.speedKmh < 0.5 * 50).map((x) => x.p.occupancyPct);
    const fast = day.filter((x) => x.p.speedKmh > 0.9 * 50).map((x) => x.p.occupancyPct);
    expect(slow.length).toBeGreaterThan(0);
    expect(fast.length).toBeGreaterThan(0);
    expect(mean(slow)).toBeGreaterThan(mean(fast) + 20);
    // night flow is light, peak flow heavy
    const nightVolume = mean(day.filter((x) => new Date(x.t).getUTCHours() === 20).map((x) => x.p.volume)); // 03 h local
    const peakVolume = mean(day.filter((x) => new Date(x.t).getUTCHours() === 1).map((x) => x.p.volume)); // 08 h local
    expect(peakVolume).toBeGreaterThan(2 * nightVolume);
  });

  it('caps speed to the incident ratio while it lasts and recovers after', () => {
    const sensor = road('road-i', 40);
    const t0 = hcmc('2026-11-24T03:00:00');
    const events: SensorEvent[] = [{ kind: 'incident', startMs: t0, endMs: t0 + 600_000, speedRatio: 0.2, recoveryTauS: 60 }];
    const state = initialTrafficState(sensor, createRng(5), { intervalS: 10, events });
    const run = series(generateTraffic, sensor, state, 5, t0, t0 + 30 * 60_000, 10_000);
    const during = run.filter((x) => x.t < t0 + 600_000).map((x) => x.p.speedKmh);
    const after = run.filter((x) => x.t > t0 + 20 * 60_000).map((x) => x.p.speedKmh);
    expect(Math.max(...during)).toBeLessThan(0.3 * 40);
    expect(mean(after)).toBeGreaterThan(0.85 * 40);
  });
});

describe('flood generator', () => {
  it('gives tide sites a semi-diurnal tide within 5 % of 12.42 h (zero crossings over 3 days)', () => {
    const sensor = floodSite('tide-1', 'tide');
    const state = initialFloodState(sensor, createRng(11), { intervalS: 300 });
    const t0 = hcmc('2026-11-24T00:00:00');
    const run = series(generateFlood, sensor, state, 11, t0, t0 + 3 * 86_400_000, 300_000);
    const levels = run.map((x) => x.p.waterLevelCm);
    const m = mean(levels);
    // upward crossings of the mean, with hysteresis so noise cannot double-count
    const ups: number[] = [];
    let below = (levels[0] ?? 0) < m;
    run.forEach(({ t, p }) => {
      if (below && p.waterLevelCm > m + 2) {
        ups.push(t);
        below = false;
      } else if (!below && p.waterLevelCm < m - 2) below = true;
    });
    expect(ups.length).toBeGreaterThanOrEqual(5);
    const period = ((ups.at(-1) ?? 0) - (ups[0] ?? 0)) / (ups.length - 1);
    expect(Math.abs(period - M2_PERIOD_MS) / M2_PERIOD_MS).toBeLessThan(0.05);
    // tides alone keep the road dry
    expect(Math.max(...levels)).toBeLessThan(0);
    expect(Math.max(...levels) - Math.min(...levels)).toBeGreaterThan(20);
  });

  it('keeps a rain site dry (≤ 0.5 cm) without rain', () => {
    const sensor = floodSite('rain-1', 'rain');
    const state = initialFloodState(sensor, createRng(12), { intervalS: 5 });
    const t0 = hcmc('2026-11-24T00:00:00');
    const run = series(generateFlood, sensor, state, 12, t0, t0 + 3_600_000, 5_000);
    expect(Math.max(...run.map((x) => x.p.waterLevelCm))).toBeLessThanOrEqual(0.5);
    expect(run.every((x) => x.p.rainfallMm === 0)).toBe(true);
  });

  it('rises with rain, reports rainfall, and recedes after the rain stops', () => {
    const sensor = floodSite('rain-2', 'rain');
    const t0 = hcmc('2026-09-15T16:00:00');
    const events: SensorEvent[] = [
      { kind: 'rain', startMs: t0, endMs: t0 + 20 * 60_000, intensityMmH: 36, depthCm: 35, riseTauS: 300, recessionTauS: 900 },
    ];
    const state = initialFloodState(sensor, createRng(13), { intervalS: 60, events, startMs: t0 });
    const run = series(generateFlood, sensor, state, 13, t0 + 60_000, t0 + 2 * 3_600_000, 60_000);
    const at = (min: number) => run.find((x) => x.t === t0 + min * 60_000)?.p;
    expect(at(1)?.rainfallMm).toBeCloseTo(0.6, 5); // 36 mm/h for one minute
    expect(at(5)?.waterLevelCm ?? 0).toBeLessThan(at(15)?.waterLevelCm ?? 0);
    expect(at(20)?.waterLevelCm ?? 0).toBeGreaterThan(25);
    expect(at(21)?.rainfallMm).toBe(0);
    expect(at(40)?.waterLevelCm ?? 99).toBeLessThan(at(20)?.waterLevelCm ?? 0);
    expect(at(119)?.waterLevelCm ?? 99).toBeLessThan(2);
  });

  it('drains the battery monotonically from ~12.6 V', () => {
    const sensor = floodSite('rain-3', 'rain');
    const state = initialFloodState(sensor, createRng(14), { intervalS: 5 });
    const t0 = hcmc('2026-11-24T00:00:00');
    const run = series(generateFlood, sensor, state, 14, t0, t0 + 7 * 86_400_000, 120_000);
    const volts = run.map((x) => x.p.batteryV ?? NaN);
    expect(volts[0]).toBeLessThanOrEqual(12.6);
    expect(volts[0]).toBeGreaterThan(12.4);
    for (let i = 1; i < volts.length; i++) expect(volts[i]).toBeLessThanOrEqual(volts[i - 1] as number);
    expect(volts.at(-1) ?? 99).toBeLessThan(volts[0] ?? 0);
  });
});

describe('air generator', () => {
  it('peaks in the morning rush above the small hours, and dips in the afternoon', () => {
    const at8: number[] = [];
    const at3: number[] = [];
    const at15: number[] = [];
    for (let i = 0; i < 7; i++) {
      const sensor = station(`air-${i}`);
      const state: AirState = initialAirState(sensor, createRng(i), { intervalS: 600 });
      const run = series(generateAir, sensor, state, i, hcmc('2026-03-02T00:00:00'), hcmc('2026-03-16T00:00:00'), 600_000);
      for (const { t, p } of run) {
        const h = (new Date(t).getUTCHours() + 7) % 24;
        if (h === 8) at8.push(p.pm25);
        if (h === 3) at3.push(p.pm25);
        if (h === 15) at15.push(p.pm25);
      }
    }
    expect(mean(at8)).toBeGreaterThan(1.25 * mean(at3));
    expect(mean(at15)).toBeLessThan(mean(at3));
  });

  it('stays at plausible HCMC levels with pm10 1.3–1.8 × pm25, tempC 26–35, humidity 60–90', () => {
    const sensor = station('air-x');
    const state = initialAirState(sensor, createRng(21), { intervalS: 300 });
    const wet = series(generateAir, sensor, state, 21, hcmc('2026-07-01T00:00:00'), hcmc('2026-07-15T00:00:00'), 300_000);
    const dry = series(generateAir, sensor, state, 21, hcmc('2026-01-05T00:00:00'), hcmc('2026-01-19T00:00:00'), 300_000);
    const wetMean = mean(wet.map((x) => x.p.pm25));
    expect(wetMean).toBeGreaterThan(12);
    expect(wetMean).toBeLessThan(35);
    expect(mean(dry.map((x) => x.p.pm25))).toBeGreaterThan(wetMean * 1.4);
    for (const { p } of [...wet, ...dry]) {
      expect(p.pm10 / p.pm25).toBeGreaterThanOrEqual(1.29);
      expect(p.pm10 / p.pm25).toBeLessThanOrEqual(1.81);
      expect(p.tempC).toBeGreaterThanOrEqual(26);
      expect(p.tempC).toBeLessThanOrEqual(35);
      expect(p.humidityPct).toBeGreaterThanOrEqual(60);
      expect(p.humidityPct).toBeLessThanOrEqual(90);
    }
  });

  it('adds a pollution episode on top of the background and lets it decay', () => {
    const sensor = station('air-e');
    const t0 = hcmc('2026-07-01T14:00:00');
    const events: SensorEvent[] = [{ kind: 'pollution', startMs: t0, endMs: t0 + 600_000, extraPm25: 90, decayTauS: 60 }];
    const state = initialAirState(sensor, createRng(22), { intervalS: 10, events });
    const run = series(generateAir, sensor, state, 22, t0, t0 + 30 * 60_000, 10_000);
    expect(Math.min(...run.filter((x) => x.t < t0 + 600_000).map((x) => x.p.pm25))).toBeGreaterThan(80);
    expect(Math.max(...run.filter((x) => x.t > t0 + 20 * 60_000).map((x) => x.p.pm25))).toBeLessThan(55.5);
  });
});

describe('every generated payload meets the contract', () => {
  const cases: { domain: 'traffic' | 'flood' | 'air'; sensor: SensorProperties }[] = [
    { domain: 'traffic', sensor: road('road-p', 60) },
    { domain: 'traffic', sensor: { id: 'road-nofreeflow', domain: 'traffic', name: 'x', district: 'y' } },
    { domain: 'flood', sensor: floodSite('flood-p', 'rain') },
    { domain: 'flood', sensor: floodSite('flood-q', 'tide') },
    { domain: 'air', sensor: station('air-p') },
  ];
  it('for arbitrary seeds, times, intervals and events', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.integer({ min: 1, max: 3600 }),
        fc.constantFrom(...cases),
        fc.boolean(),
        (seed, t0, intervalS, { domain, sensor }, withEvent) => {
          const events: SensorEvent[] = withEvent
            ? [
                { kind: 'rain', startMs: t0, endMs: t0 + 3_600_000, intensityMmH: 120, depthCm: 80, riseTauS: 5, recessionTauS: 300 },
                { kind: 'pollution', startMs: t0, endMs: t0 + 3_600_000, extraPm25: 400, decayTauS: 60 },
                { kind: 'incident', startMs: t0, endMs: t0 + 3_600_000, speedRatio: 0.1, recoveryTauS: 60 },
              ]
            : [];
          const opts = { intervalS, events };
          const rng = createRng(seed);
          const step = intervalS * 1000;
          const check = checks[domain];
          const run = (gen: Generator<unknown, unknown>, state: unknown) => {
            let s = state;
            for (let k = 0; k < 30; k++) {
              const r = gen(sensor, t0 + k * step, rng, s);
              s = r.state;
              if (!check.Check(r.payload)) {
                throw new Error(`${domain} ${JSON.stringify(r.payload)}: ${check.Errors(r.payload).First()?.message}`);
              }
              const ts = (r.payload as { ts: string }).ts;
              expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00$/);
              expect(Date.parse(ts)).toBe(t0 + k * step);
            }
          };
          if (domain === 'traffic') run(generateTraffic as Generator<unknown, unknown>, initialTrafficState(sensor, rng, opts) satisfies TrafficState);
          if (domain === 'flood') run(generateFlood as Generator<unknown, unknown>, initialFloodState(sensor, rng, opts) satisfies FloodState);
          if (domain === 'air') run(generateAir as Generator<unknown, unknown>, initialAirState(sensor, rng, opts));
        },
      ),
      { numRuns: 300 },
    );
  });
});
