import type { Logger } from 'pino';
import type { LiveReading, LiveSensorCollection, Reading, SensorAqi } from '@cityops/contracts';
import { createAirQualityTracker } from '@cityops/rules';

const HOUR = 3_600_000;

export interface AirQualityService {
  /** Adds an air reading; returns it with the sensor's current index attached (other domains unchanged). */
  record(reading: Reading): LiveReading;
  current(sensorId: string): SensorAqi | undefined;
  /** GET /api/sensors: air features gain `aqi` (a new collection; the input is not modified). */
  decorate(collection: LiveSensorCollection): LiveSensorCollection;
  /** Restores the last 24 hourly means per air sensor from the telemetry store, so a restart shows an index at once. */
  seed(options: { sensorIds: string[]; history: HistoryPort; now: number; timeoutMs?: number }): Promise<void>;
}

/** The slice of the telemetry store's history query that seeding needs. */
export type HistoryPort = (query: { sensorId: string; domain: 'air'; from: number; to: number; everyMs: number }) => Promise<{
  points: Array<{ ts: number; fields: Partial<Record<string, number>> }>;
}>;

/** Thin adapter over the pure tracker in @cityops/rules. */
export function createAirQualityService(options: { logger: Logger }): AirQualityService {
  const tracker = createAirQualityTracker();
  return {
    record(reading) {
      if (reading.domain !== 'air') return reading;
      return { ...reading, aqi: tracker.add(reading.sensorId, reading.ts, reading.fields) };
    },
    current: (sensorId) => tracker.current(sensorId),
    decorate(collection) {
      return {
        ...collection,
        features: collection.features.map((f) => {
          if (f.properties.domain !== 'air') return f;
          const aqi = tracker.current(f.properties.id);
          return aqi === undefined ? f : { ...f, properties: { ...f.properties, aqi } };
        }),
      };
    },
    async seed({ sensorIds, history, now, timeoutMs = 5000 }) {
      const from = Math.floor(now / HOUR) * HOUR - 24 * HOUR;
      const all = Promise.allSettled(
        sensorIds.map(async (sensorId) => {
          const series = await history({ sensorId, domain: 'air', from, to: now, everyMs: HOUR });
          for (const point of series.points) tracker.seedHour(sensorId, point.ts, point.fields);
        }),
      ).then((results) => {
        const failed = results.filter((r) => r.status === 'rejected').length;
        if (failed > 0) options.logger.warn({ failed, reason: (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason }, 'air quality history could not be restored for some sensors');
      });
      // Bounded: a telemetry store that is down at start must not hold the center up; the index
      // then fills from live readings (late seeds never overwrite hours already seen).
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          options.logger.warn({ timeoutMs }, 'air quality history restore is slow; continuing without waiting');
          resolve();
        }, timeoutMs);
        timer.unref();
      });
      await Promise.race([all, deadline]);
      clearTimeout(timer);
    },
  };
}
