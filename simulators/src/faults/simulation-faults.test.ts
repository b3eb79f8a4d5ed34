import { describe, it, expect, afterEach } from 'vitest';
import { pino } from 'pino';
import type { SensorFeature } from '@cityops/contracts';
import { startSimulation, type Simulation } from '../simulation.ts';
import { startTestAedes, type TestAedes } from '../test-support/aedes-broker.ts';

const logger = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const IDS = ['flood-001', 'flood-002', 'flood-003'];
const feature = (id: string): SensorFeature =>
  ({ type: 'Feature', properties: { id, domain: 'flood', name: id, district: 'Quận 7', cause: 'tide' }, geometry: { type: 'Point', coordinates: [106.7, 10.77] } }) as SensorFeature;
const waitFor = async (probe: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('startSimulation with faults', () => {
  it('puts duplicates, malformed and foreign-topic messages on the wire and survives a reconnect storm', async () => {
    const broker: TestAedes = await startTestAedes(Object.fromEntries(IDS.map((id) => [id, id])));
    cleanups.push(() => broker.close());
    const sim: Simulation = await startSimulation({
      brokerUrl: broker.url,
      city: 'hcmc',
      sensors: IDS.map((id) => ({ feature: feature(id), credentials: { username: id, password: id } })),
      logger,
      seed: 3,
      scenario: 'calm',
      intervalMs: { flood: 20 },
      reconnectPeriodMs: 50,
      faults: { duplicate: 0.2, malformed: 0.2, foreignTopic: 0.2, reconnectStormEveryMs: 400, reconnectStormFraction: 1 },
    });
    cleanups.push(() => sim.stop());
    const onlines = () => broker.received.filter((m) => m.topic.endsWith('/status') && m.payload.toString().includes('"online":true')).length;
    await waitFor(() => sim.stats().storms >= 2 && onlines() >= 3 * IDS.length, 'two reconnect storms and reconnections');
    await waitFor(() => (sim.stats().faults.malformed ?? 0) > 3 && (sim.stats().faults.foreignTopic ?? 0) > 3, 'faults');
    await sim.stop();
    const stats = sim.stats();
    expect(stats.faults.duplicate).toBeGreaterThan(0);
    // every client reconnected after the storms and kept publishing
    expect(onlines()).toBeGreaterThanOrEqual(3 * IDS.length);
    const telemetry = broker.received.filter((m) => m.topic.endsWith('/telemetry'));
    const foreign = telemetry.filter((m) => !m.topic.includes(`/${m.clientId.replace(/^sim-/, '')}/`));
    expect(foreign.length).toBeGreaterThan(0);
    const notJson = telemetry.filter((m) => {
      try {
        JSON.parse(m.payload.toString());
        return false;
      } catch {
        return true;
      }
    });
    expect(notJson.length).toBeGreaterThan(0);
  });
});
