import type { LiveSensorFeature } from '@cityops/contracts';
import { describe, expect, it } from 'vitest';
import { NO_DATA_COLOR, aqiClass } from './sensor-classes.ts';
import { SensorState } from './sensor-state.ts';

const category = (level: number, hex: string) => ({ key: 'k', level, hex, name: { vi: 'x', en: 'y' } });
const station = (id: string, aqi?: unknown): LiveSensorFeature =>
  ({
    type: 'Feature',
    properties: { id, domain: 'air', name: id, district: 'Quận 1', online: true, latest: { ts: 1, receivedAt: 1, fields: { pm25: 40 } }, ...(aqi ? { aqi } : {}) },
    geometry: { type: 'Point', coordinates: [106.7, 10.78] },
  }) as LiveSensorFeature;

describe('air layer colouring by AQI scheme', () => {
  const aqi = { hour: 0, vn: { value: 104, color: '#FF7E00', dominant: 'pm25', subIndices: {}, category: category(3, '#FF7E00') }, us: { value: 160, color: '#FF0000', dominant: 'pm25', subIndices: {}, category: category(4, '#FF0000') } };

  it('takes the category colour and level of the chosen index', () => {
    expect(aqiClass({ aqi }, 'vn')).toEqual({ color: '#FF7E00', cls: 2 });
    expect(aqiClass({ aqi }, 'us')).toEqual({ color: '#FF0000', cls: 3 });
    expect(aqiClass({ aqi: { hour: 0, vn: null, us: null } }, 'vn')).toBeNull();
  });

  it('recolours the air features; stations without an index show as no data', () => {
    const state = new SensorState();
    state.replace({ type: 'FeatureCollection', features: [station('air-a', aqi), station('air-b')] });
    const colors = () => Object.fromEntries(state.toGeoJSON().features.map((f) => [f.properties.id, f.properties.color]));
    expect(colors()).toEqual({ 'air-a': '#f08a24', 'air-b': '#f08a24' }); // PM2.5 40 µg/m³ by default
    state.airScheme = 'us';
    expect(colors()).toEqual({ 'air-a': '#FF0000', 'air-b': NO_DATA_COLOR });
    state.airScheme = 'vn';
    expect(colors()['air-a']).toBe('#FF7E00');
  });
});
