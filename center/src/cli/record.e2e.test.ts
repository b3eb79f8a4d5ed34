import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { readRecording } from '@cityops/simulators';
import { cli, removeDir, startTestCenter } from '../test-support/harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('cityops record', () => {
  it('records live telemetry as an integrator into gzip NDJSON, payloads byte for byte', async () => {
    const t = await startTestCenter();
    cleanups.push(() => removeDir(t.dataDir));
    cleanups.push(() => t.close());
    const out = mkdtempSync(join(tmpdir(), 'cityops-record-'));
    cleanups.push(() => removeDir(out));
    const creds = await t.center.devices.add({ id: 'air-healthyair-1', kind: 'sensor', domain: 'air' });
    const recording = cli(t.dataDir, 'record', '--duration', '3', '--out', out, '--url', t.mqttUrl) as Promise<{ recorded: number; files: string[] }>;
    const device = await mqtt.connectAsync(t.mqttUrl, { username: creds.username, password: creds.password, clientId: 'air-1' });
    const sent: string[] = [];
    let done = false;
    void recording.finally(() => (done = true)).catch(() => undefined);
    // the CLI subscribes once it has started (a few seconds under load); publish until it has exited
    for (let k = 0; !done && k < 400; k++) {
      const payload = `{"ts":${Date.now()},"pm25":${k + 0.5},"pm10":${k},"note":"Thủ Đức"}`;
      sent.push(payload);
      await device.publishAsync('city/hcmc/air/air-healthyair-1/telemetry', payload, { qos: 1 });
      await new Promise((r) => setTimeout(r, 100));
    }
    await device.endAsync();
    const summary = await recording;
    expect(summary.recorded).toBeGreaterThan(5);
    expect(summary.files.length).toBeGreaterThanOrEqual(1);
    const back: string[] = [];
    for await (const m of readRecording(out)) {
      expect(m.topic).toBe('city/hcmc/air/air-healthyair-1/telemetry');
      back.push(m.payload.toString('utf8'));
    }
    expect(back).toHaveLength(summary.recorded);
    // a contiguous run of what was sent (from subscribe to stop), in order, byte for byte; status and alerts stay out
    const start = sent.indexOf(back[0]!);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(back).toEqual(sent.slice(start, start + back.length));
    expect(t.center.devices.get('sim-recorder')).toMatchObject({ kind: 'integrator' });
  }, 30_000);
});
