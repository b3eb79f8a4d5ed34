import type { LiveSensorCollection } from '@cityops/contracts';
import { describe, expect, it } from 'vitest';
import { OFFLINE_COLOR, PALETTES } from './sensor-classes.ts';
import { SensorState } from './sensor-state.ts';

const collection = (): LiveSensorCollection => ({
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { id: 'fld-a', domain: 'flood', name: 'A', district: 'Quận 1', online: true, latest: { ts: 100, receivedAt: 100, fields: { waterLevelCm: 5 } } },
      geometry: { type: 'Point', coordinates: [106.7, 10.78] },
    },
  ],
});

describe('SensorState', () => {
  it('applies newer readings and status changes, ignoring stale and unknown ones', () => {
    const state = new SensorState();
    state.replace(collection());
    expect(state.toGeoJSON().features[0]?.properties.color).toBe(PALETTES.flood[0]);
    expect(state.applyReadings([{ sensorId: 'fld-a', domain: 'flood', ts: 200, receivedAt: 201, fields: { waterLevelCm: 55 } }])).toBe(true);
    expect(state.toGeoJSON().features[0]?.properties.color).toBe(PALETTES.flood[3]);
    expect(state.applyReadings([{ sensorId: 'fld-a', domain: 'flood', ts: 150, receivedAt: 300, fields: { waterLevelCm: 1 } }])).toBe(false);
    expect(state.applyReadings([{ sensorId: 'ghost', domain: 'flood', ts: 400, receivedAt: 400, fields: {} }])).toBe(false);
    expect(state.get('fld-a')?.properties.latest?.fields.waterLevelCm).toBe(55);
    expect(state.applyStatus({ sensorId: 'fld-a', domain: 'flood', online: false, since: 500 })).toBe(true);
    expect(state.toGeoJSON().features[0]?.properties).toMatchObject({ online: false, color: OFFLINE_COLOR });
    expect(state.applyStatus({ sensorId: 'fld-a', domain: 'flood', online: false, since: 600 })).toBe(false);
  });

  it('collects only the sensors whose drawing changed (colour, class, online), so the map re-tiles for those alone', () => {
    const state = new SensorState();
    state.replace(collection());
    const redrawn = new Set<string>();
    // 5 cm → 7 cm: same class, same colour; the state changes but nothing drawn does.
    expect(state.applyReadings([{ sensorId: 'fld-a', domain: 'flood', ts: 200, receivedAt: 200, fields: { waterLevelCm: 7 } }], redrawn)).toBe(true);
    expect([...redrawn]).toEqual([]);
    expect(state.applyReadings([{ sensorId: 'fld-a', domain: 'flood', ts: 300, receivedAt: 300, fields: { waterLevelCm: 55 } }], redrawn)).toBe(true);
    expect([...redrawn]).toEqual(['fld-a']);
    expect(state.painted('fld-a')).toEqual({ domain: 'flood', color: PALETTES.flood[3], cls: 3, online: true });
  });
});
