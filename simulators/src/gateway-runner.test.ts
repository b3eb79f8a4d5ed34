import { describe, it, expect, afterEach } from 'vitest';
import { pino } from 'pino';
import type { SensorFeature } from '@cityops/contracts';
import { checkPayload, startSimulation } from './simulation.ts';
import { startTestAedes } from './test-support/aedes-broker.ts';

const logger = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const feature = (id: string, domain: 'flood' | 'air'): SensorFeature =>
  ({ type: 'Feature', properties: { id, domain, name: id, district: 'Quận 4', cause: 'tide' }, geometry: { type: 'Point', coordinates: [106.7, 10.76] } }) as SensorFeature;

describe('simulated gateways', () => {
  it('publish their sensors readings as batches on the gateway topic; those sensors do not connect', async () => {
    const ids = ['flood-001', 'flood-002', 'air-001', 'flood-003'];
    const broker = await startTestAedes({ ...Object.fromEntries(ids.map((id) => [id, id])), 'gw-q4': 'gw-q4' });
    cleanups.push(() => broker.close());
    const sim = await startSimulation({
      brokerUrl: broker.url,
      city: 'hcmc',
      sensors: ids.map((id) => ({ feature: feature(id, id.startsWith('air') ? 'air' : 'flood'), credentials: { username: id, password: id } })),
      gateways: [{ id: 'gw-q4', credentials: { username: 'gw-q4', password: 'gw-q4' }, sensorIds: ['flood-001', 'flood-002', 'air-001'], flushMs: 100 }],
      logger,
      seed: 1,
      scenario: 'calm',
      intervalMs: { flood: 20, air: 20 },
    });
    cleanups.push(() => sim.stop());
    await new Promise((r) => setTimeout(r, 600));
    await sim.stop();
    const batches = broker.received.filter((m) => m.topic === 'city/hcmc/gateway/gw-q4/telemetry');
    expect(batches.length).toBeGreaterThan(2);
    const readings = batches.flatMap((b) => JSON.parse(b.payload.toString()) as ({ sensorId: string; domain: 'flood' | 'air' } & Record<string, unknown>)[]);
    expect(new Set(readings.map((r) => r.sensorId))).toEqual(new Set(['flood-001', 'flood-002', 'air-001']));
    for (const { sensorId: _s, domain, ...payload } of readings) expect(checkPayload(domain, payload)).toBeNull();
    // per sensor, batches keep time order
    const ts = readings.filter((r) => r.sensorId === 'flood-001').map((r) => Date.parse(r.ts as string));
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    // only the sensor outside the gateway connected on its own
    const clientIds = new Set(broker.received.map((m) => m.clientId));
    expect(clientIds.has('sim-flood-003')).toBe(true);
    expect(clientIds.has('sim-flood-001')).toBe(false);
    expect(sim.stats().acked).toBe(sim.stats().published);
  });
});
