import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { statusTopic, telemetryTopic } from '@cityops/contracts';
import { cli, removeDir, startTestCenter, waitFor, type TestCenter } from '../test-support/harness.ts';

const SENSOR = 'flood-will-01';

/** A device's Last Will through the real broker → an offline alert; its next reading resolves it. */
describe('offline alerts from Last Will', () => {
  let t: TestCenter;
  let device = { username: '', password: '' };

  beforeAll(async () => {
    t = await startTestCenter();
    device = (await cli(t.dataDir, 'devices', 'add', SENSOR, '--domain', 'flood', '--lon', '106.66', '--lat', '10.76', '--name', 'Hồng Bàng', '--district', 'Quận 5')) as typeof device;
  });
  afterAll(async () => {
    await t?.close();
    if (t) removeDir(t.dataDir);
  });

  const offline = () => t.center.alerts.list({}).filter((a) => a.ruleId === 'sensor-offline' && a.subject.id === SENSOR);
  const connect = (id: string) =>
    mqtt.connectAsync(t.mqttUrl, {
      ...device,
      clientId: id,
      reconnectPeriod: 0,
      will: { topic: statusTopic('hcmc', 'flood', SENSOR), payload: Buffer.from(JSON.stringify({ online: false, ts: Date.now() })), qos: 1, retain: true },
    });
  const reading = (cm: number) => JSON.stringify({ ts: Date.now(), waterLevelCm: cm, intervalS: 60 });

  it('raises at once when the connection drops and resolves on the next reading', async () => {
    const first = await connect('will-a');
    await first.publishAsync(telemetryTopic('hcmc', 'flood', SENSOR), reading(2), { qos: 1 });
    expect(offline()).toEqual([]);
    first.stream.destroy(); // an abrupt drop: the broker publishes the Last Will
    const raised = await waitFor(() => offline().find((a) => a.state === 'active'), 5000, 'offline alert');
    expect(raised).toMatchObject({ severity: 'minor', subject: { kind: 'sensor', id: SENSOR }, district: 'Quận 5' });
    expect(t.center.alerts.audit(raised.id)[0]).toMatchObject({ action: 'raised', detail: expect.objectContaining({ source: 'last-will' }) });

    const second = await connect('will-b');
    await second.publishAsync(telemetryTopic('hcmc', 'flood', SENSOR), reading(2), { qos: 1 });
    await waitFor(() => offline().find((a) => a.id === raised.id && a.state === 'resolved'), 5000, 'resolved offline alert');
    expect(offline()).toHaveLength(1);
    await second.endAsync();
  });
});
