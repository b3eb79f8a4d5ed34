import { describe, it, expect } from 'vitest';
import { readingToLine } from './line-protocol.ts';

describe('readingToLine', () => {
  it('writes measurement=domain, sensorId/district tags, float fields, receivedAt and a ms timestamp', () => {
    expect(
      readingToLine({ sensorId: 'fl-1', domain: 'flood', ts: 1_800_000_000_123, receivedAt: 1_800_000_000_200, district: 'Bình Thạnh', fields: { waterLevelCm: 12, rainfallMm: 0.5 } }),
    ).toBe('flood,sensorId=fl-1,district=Bình\\ Thạnh waterLevelCm=12,rainfallMm=0.5,receivedAt=1800000000200 1800000000123');
  });

  it('escapes commas, spaces and equals signs in tag values and leaves the district tag out when unknown', () => {
    expect(readingToLine({ sensorId: 'a,b c=d', domain: 'air', ts: 5, receivedAt: 6, fields: { pm25: 1 } })).toBe(
      'air,sensorId=a\\,b\\ c\\=d pm25=1,receivedAt=6 5',
    );
  });

  it('skips non-finite fields instead of writing an invalid line', () => {
    expect(readingToLine({ sensorId: 's', domain: 'air', ts: 1, receivedAt: 2, fields: { pm25: Number.NaN, pm10: 3 } })).toBe(
      'air,sensorId=s pm10=3,receivedAt=2 1',
    );
  });
});
