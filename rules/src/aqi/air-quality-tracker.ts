import type { AqiSummary, SensorAqi } from '@cityops/contracts';
import type { AqiResult, HourlySeries } from './aqi-types.ts';
import { usCurrentAqi } from './us-aqi.ts';
import { vnHourlyAqi } from './vn-aqi.ts';

const HOUR = 3_600_000;
/** Hours of history kept per sensor: 24 covers the SO2 24-hour mean; NowCast needs 12. */
const KEEP_HOURS = 24;
const POLLUTANTS = ['pm25', 'pm10', 'o3', 'no2', 'so2', 'co'] as const;
type Pollutant = (typeof POLLUTANTS)[number];

/** The contract form (contracts AqiSummary): plain JSON, a fresh object per call. */
export const summarizeAqi = (r: AqiResult | null): AqiSummary | null =>
  r === null
    ? null
    : {
        value: r.value,
        category: { key: r.category.key, level: r.category.level, name: { vi: r.category.name.vi, en: r.category.name.en }, hex: r.category.hex },
        color: r.category.hex,
        dominant: r.dominant,
        subIndices: { ...r.subIndices },
      };

interface Bucket {
  sum: number;
  count: number;
}
interface SensorHistory {
  latestHour: number;
  /** hour start → pollutant → running mean parts */
  hours: Map<number, Partial<Record<Pollutant, Bucket>>>;
}

export interface AirQualityTracker {
  /** Adds one air reading (event time `ts`) and returns the sensor's index for the hour of its latest reading. */
  add(sensorId: string, ts: number, fields: Partial<Record<string, number>>): SensorAqi;
  current(sensorId: string): SensorAqi | undefined;
  /** Hourly means, most recent first, for the sensor's latest hour (exposed for tests and diagnostics). */
  series(sensorId: string, pollutant: Pollutant): Array<number | null>;
  /** Restores one hour's means (e.g. from the telemetry store after a restart); hours already seen are left alone. */
  seedHour(sensorId: string, hourStart: number, means: Partial<Record<string, number>>): void;
}

/**
 * Per-sensor hourly means of the last 24 hours, bucketed by event time, so
 * late and out-of-order readings land in the hour they belong to. The
 * current hour's partial mean is c1 — a live control room wants the index
 * now, not at the end of the hour (AirNow likewise reports the running hour).
 */
export function createAirQualityTracker(): AirQualityTracker {
  const sensors = new Map<string, SensorHistory>();

  const series = (h: SensorHistory, p: Pollutant): Array<number | null> => {
    const out: Array<number | null> = [];
    for (let i = 0; i < KEEP_HOURS; i++) {
      const b = h.hours.get(h.latestHour - i * HOUR)?.[p];
      out.push(b === undefined || b.count === 0 ? null : b.sum / b.count);
    }
    return out;
  };

  const compute = (h: SensorHistory): SensorAqi => {
    const s = Object.fromEntries(POLLUTANTS.map((p) => [p, series(h, p)])) as unknown as Record<Pollutant, HourlySeries>;
    const vn = vnHourlyAqi({ pm25: s.pm25, pm10: s.pm10, o3: s.o3[0], co: s.co[0], so2: s.so2[0], no2: s.no2[0] });
    const us = usCurrentAqi(s);
    return { hour: h.latestHour, vn: summarizeAqi(vn), us: summarizeAqi(us) };
  };

  return {
    add(sensorId, ts, fields) {
      const hour = Math.floor(ts / HOUR) * HOUR;
      let h = sensors.get(sensorId);
      if (h === undefined) {
        h = { latestHour: hour, hours: new Map() };
        sensors.set(sensorId, h);
      }
      if (hour > h.latestHour) {
        h.latestHour = hour;
        for (const key of h.hours.keys()) if (key <= hour - KEEP_HOURS * HOUR) h.hours.delete(key);
      }
      if (hour > h.latestHour - KEEP_HOURS * HOUR) {
        let bucket = h.hours.get(hour);
        if (bucket === undefined) h.hours.set(hour, (bucket = {}));
        for (const p of POLLUTANTS) {
          const v = fields[p];
          if (v === undefined || !Number.isFinite(v)) continue;
          const b = (bucket[p] ??= { sum: 0, count: 0 });
          b.sum += v;
          b.count += 1;
        }
      }
      return compute(h);
    },
    current(sensorId) {
      const h = sensors.get(sensorId);
      return h === undefined ? undefined : compute(h);
    },
    seedHour(sensorId, hourStart, means) {
      const hour = Math.floor(hourStart / HOUR) * HOUR;
      let h = sensors.get(sensorId);
      if (h === undefined) sensors.set(sensorId, (h = { latestHour: hour, hours: new Map() }));
      if (hour > h.latestHour) h.latestHour = hour;
      if (h.hours.has(hour) || hour <= h.latestHour - KEEP_HOURS * HOUR) return;
      const bucket: Partial<Record<Pollutant, Bucket>> = {};
      // A stored hourly mean counts as one sample: readings arriving later in that hour still move it.
      for (const p of POLLUTANTS) {
        const v = means[p];
        if (v !== undefined && Number.isFinite(v)) bucket[p] = { sum: v, count: 1 };
      }
      h.hours.set(hour, bucket);
    },
    series(sensorId, pollutant) {
      const h = sensors.get(sensorId);
      return h === undefined ? [] : series(h, pollutant);
    },
  };
}
