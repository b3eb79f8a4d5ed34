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
});
