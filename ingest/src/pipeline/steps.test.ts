import { describe, it, expect } from 'vitest';
import type { Reading } from '@cityops/contracts';
import { authorizeGatewayReading, enrichReading } from './steps.ts';
import type { SensorInfo } from './types.ts';

const reading = (sensorId: string, domain: Reading['domain'] = 'flood'): Reading => ({
  sensorId, domain, ts: 1, receivedAt: 1, fields: { waterLevelCm: 1, intervalS: 60 },
});

describe('authorize step', () => {
  const gw = { id: 'gw-1', kind: 'gateway', sensorIds: ['fl-1', 'fl-2'] };

  it('lets a gateway speak for its registered sensors only', () => {
    expect(authorizeGatewayReading('gw-1', gw, reading('fl-1'))).toBeNull();
    expect(authorizeGatewayReading('gw-1', gw, reading('fl-2'))).toBeNull();
    const denied = authorizeGatewayReading('gw-1', gw, reading('fl-3'));
    expect(denied?.reason).toBe('not_authorized');
    expect(denied?.detail).toMatch(/gateway gw-1 .* may not speak for sensor fl-3/);
  });

  it('denies by default when the principal lists no sensors', () => {
    expect(authorizeGatewayReading('gw-2', { id: 'gw-2', kind: 'gateway' }, reading('fl-1'))?.reason).toBe('not_authorized');
  });

  it('allows anything for an anonymous (development) principal', () => {
    expect(authorizeGatewayReading('gw-1', null, reading('anything'))).toBeNull();
  });
});

describe('enrich step', () => {
  const registry = new Map<string, SensorInfo>([
    ['fl-1', { domain: 'flood', district: 'Quận 7' }],
    ['tr-1', { domain: 'traffic', district: 'Quận 1' }],
  ]);

  it('fills the district from the registry', () => {
    const r = reading('fl-1');
    expect(enrichReading(registry, r)).toBeNull();
    expect(r.district).toBe('Quận 7');
  });

  it('rejects unknown sensors and domain mismatches', () => {
    expect(enrichReading(registry, reading('fl-9'))).toEqual({
      reason: 'unknown_sensor',
      detail: 'sensor fl-9 is not in the sensor registry',
    });
    const r = reading('tr-1', 'flood');
    expect(enrichReading(registry, r)).toEqual({
      reason: 'wrong_domain',
      detail: 'sensor tr-1 is registered as traffic, not flood',
    });
    expect(r.district).toBeUndefined();
  });
});
