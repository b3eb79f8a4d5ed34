import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { openCenterDatabase } from '../database.ts';
import { createSensorDirectory, readRegistryFile } from './sensor-directory.ts';

const bundled = loadConfig({ env: {} }).registryFile;

describe('sensor registry', () => {
  it('ships a real HCMC layout: flood hotspots, air stations, traffic on major roads, all in districts', () => {
    const features = readRegistryFile(bundled);
    const byDomain = (d: string) => features.filter((f) => f.properties.domain === d);
    expect(byDomain('flood')).toHaveLength(102);
    expect(byDomain('air')).toHaveLength(7);
    expect(byDomain('traffic').length).toBeGreaterThanOrEqual(30);
    for (const f of features) {
      const [lon, lat] = f.geometry.coordinates;
      expect(lon).toBeGreaterThan(106.3);
      expect(lon).toBeLessThan(107.1);
      expect(lat).toBeGreaterThan(10.3);
      expect(lat).toBeLessThan(11.2);
      expect(f.properties.district).toMatch(/^(Quận|Huyện|Tp) /);
    }
    expect(byDomain('traffic').every((f) => (f.properties.freeFlowKmh ?? 0) > 0 && f.properties.roadName)).toBe(true);
    expect(features.find((f) => f.properties.id === 'air-us-consulate')?.properties.district).toBe('Quận 1');
  });

  it('rejects an invalid registry with the offending path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cityops-reg-'));
    const file = join(dir, 'r.geojson');
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'X bad', domain: 'flood', name: 'n', district: 'd' }, geometry: { type: 'Point', coordinates: [1, 2] } }] }));
    expect(() => readRegistryFile(file)).toThrow(expect.objectContaining({ code: 'CITYOPS_CENTER_REGISTRY_INVALID', message: expect.stringContaining('/features/0/properties/id') }));
  });

  it('sees sensors registered by another connection (the CLI) and tracks live state by event time', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cityops-reg-'));
    const running = createSensorDirectory({ db: openCenterDatabase(dataDir), registryFile: bundled });
    const cli = createSensorDirectory({ db: openCenterDatabase(dataDir), registryFile: bundled });
    cli.register({ type: 'Feature', properties: { id: 'flood-900', domain: 'flood', name: 'Nguyễn Hữu Cảnh', district: 'Quận Bình Thạnh' }, geometry: { type: 'Point', coordinates: [106.72, 10.79] } });
    expect(running.get('flood-900')?.district).toBe('Quận Bình Thạnh');
    expect(() => running.register({ type: 'Feature', properties: { id: 'flood-900', domain: 'flood', name: 'x', district: 'y' }, geometry: { type: 'Point', coordinates: [106.72, 10.79] } })).toThrow(expect.objectContaining({ code: 'CITYOPS_CENTER_SENSOR_EXISTS' }));

    running.recordReading({ sensorId: 'flood-001', domain: 'flood', ts: 2000, receivedAt: 2100, fields: { waterLevelCm: 12 } });
    running.recordReading({ sensorId: 'flood-001', domain: 'flood', ts: 1000, receivedAt: 2200, fields: { waterLevelCm: 3 } });
    const live = running.live().features.find((f) => f.properties.id === 'flood-001');
    expect(live?.properties.latest?.fields.waterLevelCm).toBe(12);
    expect(live?.properties.online).toBe(true);
    running.recordStatus({ sensorId: 'flood-001', domain: 'flood', online: false, since: 3000 });
    expect(running.live().features.find((f) => f.properties.id === 'flood-001')?.properties.online).toBe(false);
  });
});
