import type { AqiResult, HourlySeries } from './aqi-types.ts';
import { usCurrentAqi } from './us-aqi.ts';
import { vnHourlyAqi } from './vn-aqi.ts';

const HOUR = 3_600_000;
/** Hours of history kept per sensor: 24 covers the SO2 24-hour mean; NowCast needs 12. */
const KEEP_HOURS = 24;
const POLLUTANTS = ['pm25', 'pm10', 'o3', 'no2', 'so2', 'co'] as const;
type Pollutant = (typeof POLLUTANTS)[number];

/** The compact form shown on the map and in the API: value, category key, colour, dominant pollutant. */
export interface AqiSummary {
  value: number;
  category: string;
  level: number;
  color: string;
  dominant: string;
}
export interface SensorAqi {
  /** Hour (epoch ms of its start) the index is for: the hour of the sensor's latest reading. */
  hour: number;
  vn: AqiSummary | null;
  us: AqiSummary | null;
}

export const summarizeAqi = (r: AqiResult | null): AqiSummary | null =>
  r === null ? null : { value: r.value, category: r.category.key, level: r.category.level, color: r.category.hex, dominant: r.dominant };

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
    series(sensorId, pollutant) {
      const h = sensors.get(sensorId);
      return h === undefined ? [] : series(h, pollutant);
    },
  };
}
