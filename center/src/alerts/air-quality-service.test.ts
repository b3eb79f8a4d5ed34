import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { LiveSensorCollection } from '@cityops/contracts';
import { createAirQualityService } from './air-quality-service.ts';

const HOUR = 3_600_000;
const now = Date.UTC(2025, 8, 15, 9, 30);
const logger = pino({ level: 'silent' });

describe('air quality service', () => {
  it('seeds hourly means from the store, and does not wait for a store that never answers', async () => {
    const aq = createAirQualityService({ logger });
    await aq.seed({
      sensorIds: ['air-a', 'air-b', 'air-c'],
      now,
      timeoutMs: 200,
      history: async ({ sensorId }) => {
        if (sensorId === 'air-b') return new Promise(() => {}); // hangs
        if (sensorId === 'air-c') throw new Error('store down');
        return { points: [{ ts: now - HOUR - 1800_000, fields: { pm25: 30 } }, { ts: now - 1800_000, fields: { pm25: 30 } }] };
      },
    });
    expect(aq.current('air-a')?.vn?.value).toBe(60);
    expect(aq.current('air-b')).toBeUndefined();
    expect(aq.current('air-c')).toBeUndefined();
  });

  it('adds aqi to air features and air readings only', () => {
    const aq = createAirQualityService({ logger });
    const live = aq.record({ sensorId: 'air-a', domain: 'air', ts: now, receivedAt: now, fields: { pm25: 30 } });
    expect(live.aqi?.hour).toBe(Math.floor(now / HOUR) * HOUR);
    const flood = { sensorId: 'fl-a', domain: 'flood' as const, ts: now, receivedAt: now, fields: { waterLevelCm: 3 } };
    expect(aq.record(flood)).toBe(flood);
    const collection: LiveSensorCollection = {
      type: 'FeatureCollection',
      features: ['air-a', 'fl-a'].map((id) => ({
        type: 'Feature' as const,
        properties: { id, domain: id.startsWith('air') ? ('air' as const) : ('flood' as const), name: id, district: 'Quận 1', online: true, latest: null },
        geometry: { type: 'Point' as const, coordinates: [106.7, 10.78] as [number, number] },
      })),
    };
    const decorated = aq.decorate(collection);
    expect(decorated.features[0]!.properties.aqi).toBeDefined();
    expect(decorated.features[1]!.properties.aqi).toBeUndefined();
    expect(collection.features[0]!.properties.aqi).toBeUndefined(); // input untouched
  });
});
