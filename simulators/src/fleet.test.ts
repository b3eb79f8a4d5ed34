import { describe, expect, it } from 'vitest';
import { SENSOR_ID_PATTERN, type SensorFeature } from '@cityops/contracts';
import { expandFleet, parseFleetCounts } from './fleet.ts';

const site = (id: string, domain: SensorFeature['properties']['domain'], lon: number, lat: number): SensorFeature => ({
  type: 'Feature',
  properties: { id, domain, name: id, district: 'Quận 1', ...(domain === 'traffic' ? { freeFlowKmh: 50, roadName: 'Lê Lợi' } : {}) },
  geometry: { type: 'Point', coordinates: [lon, lat] },
});
const registry = [site('traffic-001', 'traffic', 106.7, 10.77), site('traffic-002', 'traffic', 106.71, 10.78), site('flood-001', 'flood', 106.69, 10.76), site('air-1', 'air', 106.68, 10.79)];

describe('simulated fleets of any size', () => {
  it('parses counts per domain and refuses anything else', () => {
    expect(parseFleetCounts('traffic=500, flood=0')).toEqual({ traffic: 500, flood: 0 });
    expect(() => parseFleetCounts('water=3')).toThrow(expect.objectContaining({ code: 'CITYOPS_SIM_INVALID_OPTIONS' }));
    expect(() => parseFleetCounts('air=-1')).toThrow(/air=-1/);
  });

  it('keeps the registry sites first and copies them nearby, in their district, with unique valid ids', () => {
    const fleet = expandFleet(registry, { traffic: 1000, flood: 3, air: 0 }, 7);
    expect(fleet.filter((f) => f.properties.domain === 'traffic')).toHaveLength(1000);
    expect(fleet.filter((f) => f.properties.domain === 'flood')).toHaveLength(3);
    expect(fleet.some((f) => f.properties.domain === 'air')).toBe(false);
    expect(fleet.slice(0, 2).map((f) => f.properties.id)).toEqual(['traffic-001', 'traffic-002']);
    expect(new Set(fleet.map((f) => f.properties.id)).size).toBe(fleet.length);
    for (const f of fleet) {
      expect(f.properties.id).toMatch(SENSOR_ID_PATTERN);
      const origin = registry.find((r) => f.properties.id.startsWith(r.properties.id))!;
      expect(f.properties.district).toBe(origin.properties.district);
      expect(f.properties.freeFlowKmh).toBe(origin.properties.freeFlowKmh);
      const [dx, dy] = [f.geometry.coordinates[0] - origin.geometry.coordinates[0], f.geometry.coordinates[1] - origin.geometry.coordinates[1]];
      const metres = Math.hypot(dx * 111_320 * Math.cos((10.77 * Math.PI) / 180), dy * 111_320);
      expect(metres).toBeLessThanOrEqual(301);
    }
  });

  it('is the same fleet for the same seed, and defaults to the registry itself', () => {
    expect(expandFleet(registry, { flood: 50 }, 3)).toEqual(expandFleet(registry, { flood: 50 }, 3));
    expect(expandFleet(registry, { flood: 50 }, 3)).not.toEqual(expandFleet(registry, { flood: 50 }, 4));
    expect(expandFleet(registry, {}).map((f) => f.properties.id)).toEqual(['traffic-001', 'traffic-002', 'flood-001', 'air-1']);
  });
});
