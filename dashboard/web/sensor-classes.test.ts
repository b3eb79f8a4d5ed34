import { describe, expect, it } from 'vitest';
import { airClass, floodClass, OFFLINE_COLOR, PALETTES, sensorColor, trafficClass } from './sensor-classes.ts';

describe('sensor colour classes', () => {
  it('classes traffic by speed against free flow', () => {
    expect(trafficClass(40, 40)).toBe(0);
    expect(trafficClass(25, 40)).toBe(1);
    expect(trafficClass(12, 40)).toBe(2);
    expect(trafficClass(5, 40)).toBe(3);
    expect(trafficClass(30, undefined)).toBe(0); // 40 km/h assumed
  });

  it('classes flood depth at 10, 30 and 50 cm', () => {
    expect([-5, 9.9, 10, 29.9, 30, 49.9, 50, 120].map(floodClass)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });

  it('classes PM2.5 by the EPA breakpoints', () => {
    expect([5, 12, 12.1, 35.4, 40, 55.5, 151].map(airClass)).toEqual([0, 0, 1, 1, 2, 3, 4]);
  });

  it('greys out offline sensors and colours the rest by class', () => {
    const latest = { ts: 0, receivedAt: 0, fields: { waterLevelCm: 61 } };
    expect(sensorColor({ domain: 'flood', online: false, latest })).toBe(OFFLINE_COLOR);
    expect(sensorColor({ domain: 'flood', online: true, latest })).toBe(PALETTES.flood[3]);
    expect(sensorColor({ domain: 'air', online: true, latest: null })).not.toBe(OFFLINE_COLOR);
  });
});
