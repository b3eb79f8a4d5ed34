import { describe, it, expect, afterEach } from 'vitest';
import { cli, removeDir, startTestCenter } from '../test-support/harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('cityops sim --load', () => {
  it('sends a fixed rate from the provisioned sensors into the center and reports rate and latency', async () => {
    const t = await startTestCenter();
    cleanups.push(() => removeDir(t.dataDir));
    cleanups.push(() => t.close());
    const result = (await cli(t.dataDir, 'sim', '--load', '--domain', 'air', '--rate', '140', '--duration', '1', '--url', t.mqttUrl)) as Record<string, unknown>;
    expect(result).toMatchObject({ devices: 7, sent: 140, acked: 140, errors: 0, requestedPerS: 140 });
    expect((result.latency as { count: number }).count).toBe(140);
    // PUBACK comes after the reading is durable
    expect(await t.center.store.count()).toBe(140);
  }, 30_000);

  it('runs any number of sensors per domain: copies of the registry sites are registered with the running center', async () => {
    const t = await startTestCenter();
    cleanups.push(() => removeDir(t.dataDir));
    cleanups.push(() => t.close());
    const result = (await cli(t.dataDir, 'sim', '--load', '--count', 'air=40,flood=0,traffic=0', '--domain', 'air', '--rate', '400', '--duration', '1', '--url', t.mqttUrl)) as Record<string, unknown>;
    expect(result).toMatchObject({ devices: 40, sent: 400, acked: 400, errors: 0 });
    expect(await t.center.store.count()).toBe(400);
    // every simulated sensor, registry site or copy, is known to the center and has stored readings
    const copies = t.center.sensors.all().filter((s) => s.domain === 'air' && s.registered);
    expect(copies).toHaveLength(33);
    for (const s of copies.slice(0, 5)) expect(await t.center.store.count({ sensorId: s.feature.properties.id })).toBeGreaterThan(0);
  }, 60_000);
});
