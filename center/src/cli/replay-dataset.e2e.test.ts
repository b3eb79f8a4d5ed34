import { describe, it, expect, afterEach } from 'vitest';
import { join } from 'node:path';
import { cli, removeDir, startTestCenter } from '../test-support/harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('cityops replay of a real dataset', () => {
  it('replays the US Consulate dataset window for one day into the center', async () => {
    const t = await startTestCenter();
    cleanups.push(() => removeDir(t.dataDir));
    cleanups.push(() => t.close());
    const file = join(import.meta.dirname, '../../../simulators/datasets/hcmc/us_consulate_hcmc_pm25_2016_YTD_airnow.csv');
    const summary = (await cli(t.dataDir, 'replay', file, '--speed', 'max', '--from', '2016-03-01', '--to', '2016-03-02', '--url', t.mqttUrl)) as Record<string, unknown>;
    expect(summary).toMatchObject({ source: 'us-consulate', selected: 24, acked: 24, errors: 0 });
    expect(await t.center.store.count({ sensorId: 'air-us-consulate' })).toBe(24);
  }, 60_000);
});
