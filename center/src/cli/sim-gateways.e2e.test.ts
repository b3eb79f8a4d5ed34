import { describe, it, expect, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { CLI, removeDir, startTestCenter, waitFor } from '../test-support/harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('cityops sim --gateways', () => {
  it('puts flood sensors behind gateway accounts whose batches the center stores', async () => {
    const t = await startTestCenter();
    cleanups.push(() => removeDir(t.dataDir));
    cleanups.push(() => t.close());
    const child = spawn(process.execPath, [CLI, 'sim', '--sensors', 'flood-001,flood-002,flood-003,flood-004,flood-005,flood-006', '--interval', '0.5', '--gateways', '2', '--scenario', 'calm', '--url', t.mqttUrl], {
      env: { ...process.env, CITYOPS_DATA_DIR: t.dataDir, CITYOPS_LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      child.kill('SIGTERM');
      await exited;
    });
    const gw = await waitFor(() => t.center.devices.get('sim-gw-2'), 15_000, 'gateway account');
    expect(gw).toMatchObject({ kind: 'gateway' });
    expect(gw.sensorIds).toHaveLength(3);
    // their readings arrive only through the gateways
    await waitFor(async () => ((await t.center.store.count()) >= 30 ? true : undefined), 20_000, 'batched readings stored');
    expect(t.center.devices.get('flood-001')).toMatchObject({ kind: 'sensor' });
    expect(t.center.deadLetters.countsByReason()).toEqual({});
  }, 40_000);
});
