import { describe, it, expect } from 'vitest';
import { batchForGateway } from './gateway-batches.ts';
import type { ReplayItem } from './replay-item.ts';

const item = (id: string, k: number, payload?: string): ReplayItem => ({
  eventTime: k * 100,
  topic: `city/old/air/${id}/telemetry`,
  payload: Buffer.from(payload ?? JSON.stringify({ ts: k * 100, pm25: k, pm10: k })),
  deviceId: id,
  sensorIds: [id],
});

describe('batchForGateway', () => {
  it('packs readings with sensorId and domain into batches on the gateway topic, order kept', () => {
    const items = Array.from({ length: 25 }, (_, k) => item(`air-${k % 3}`, k));
    const { items: batches, readings, unbatchable } = batchForGateway(items, { gatewayId: 'gw-1', city: 'hcmc', maxReadings: 10 });
    expect(readings).toBe(25);
    expect(unbatchable).toBe(0);
    expect(batches.map((b) => b.readings)).toEqual([10, 10, 5]);
    expect(batches.every((b) => b.topic === 'city/hcmc/gateway/gw-1/telemetry' && b.deviceId === 'gw-1')).toBe(true);
    const flat = batches.flatMap((b) => JSON.parse(b.payload.toString()) as { sensorId: string; domain: string; pm25: number }[]);
    expect(flat.map((r) => r.pm25)).toEqual(items.map((_, k) => k));
    expect(flat[4]).toEqual({ ts: 400, pm25: 4, pm10: 4, sensorId: 'air-1', domain: 'air' });
    expect(batches[0]?.eventTime).toBe(0);
    expect(new Set(batches[0]?.sensorIds)).toEqual(new Set(['air-0', 'air-1', 'air-2']));
  });

  it('cuts batches by byte size and by event-time span', () => {
    const items = Array.from({ length: 30 }, (_, k) => item('air-1', k));
    expect(batchForGateway(items, { gatewayId: 'g', city: 'hcmc', maxBytes: 300 }).items.every((b) => b.payload.length <= 300)).toBe(true);
    // 100 ms apart, span ≤ 450 ms → 5 readings per batch
    expect(batchForGateway(items, { gatewayId: 'g', city: 'hcmc', maxSpanMs: 450 }).items.map((b) => b.readings)).toEqual([5, 5, 5, 5, 5, 5]);
  });

  it('leaves out what cannot ride in a batch', () => {
    const items = [item('air-1', 1), item('air-1', 2, '{"pm25":'), item('air-1', 3, '[1,2]'), { ...item('gw-9', 4), topic: 'city/hcmc/gateway/gw-9/telemetry' }];
    const out = batchForGateway(items, { gatewayId: 'g', city: 'hcmc' });
    expect(out).toMatchObject({ readings: 1, unbatchable: 3 });
  });
});
