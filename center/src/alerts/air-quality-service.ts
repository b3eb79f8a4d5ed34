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
  seed(options: { sensorIds: string[]; history: HistoryPort; now: number }): Promise<void>;
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
    async seed({ sensorIds, history, now }) {
      const from = Math.floor(now / HOUR) * HOUR - 24 * HOUR;
      for (const sensorId of sensorIds) {
        try {
          const series = await history({ sensorId, domain: 'air', from, to: now, everyMs: HOUR });
          for (const point of series.points) tracker.seedHour(sensorId, point.ts, point.fields);
        } catch (error) {
          options.logger.warn({ err: error, sensorId }, 'air quality history could not be restored');
        }
      }
    },
  };
}
