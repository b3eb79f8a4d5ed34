import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { telemetryTopic } from '@cityops/contracts';
import { removeDir, startTestCenter, waitFor, type TestCenter } from './test-support/harness.ts';

const metricValue = (text: string, name: string, labels: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((kv) => l.includes(kv)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
};

/**
 * Bad input gets a clear error, is counted, and loses nothing else: while one
 * device misbehaves in every way the contract names, another keeps publishing
 * and every one of its readings is stored.
 */
describe('rejected input', () => {
  let t: TestCenter;
  let good: MqttClient;
  let goodSent = 0;
  let goodTimer: NodeJS.Timeout;

  beforeAll(async () => {
    t = await startTestCenter();
    const goodDevice = await t.center.devices.add({ id: 'air-us-consulate', kind: 'sensor', domain: 'air' });
    good = await mqtt.connectAsync(t.mqttUrl, { username: goodDevice.username, password: goodDevice.password, reconnectPeriod: 0 });
    goodTimer = setInterval(() => {
      goodSent += 1;
      good.publish(telemetryTopic('hcmc', 'air', 'air-us-consulate'), JSON.stringify({ ts: Date.now() - goodSent, pm25: 21.5, pm10: 35 }), { qos: 1 });
    }, 20);
  });

  afterAll(async () => {
    clearInterval(goodTimer);
    await good?.endAsync();
    await t?.close();
    if (t) removeDir(t.dataDir);
  });

  it('refuses a wrong password', async () => {
    await t.center.devices.add({ id: 'flood-010', kind: 'sensor', domain: 'flood' });
    await expect(
      mqtt.connectAsync(t.mqttUrl, { username: 'flood-010', password: 'not-the-secret', reconnectPeriod: 0 }),
    ).rejects.toThrow(/Bad username or password|Not authorized/i);
    await expect(mqtt.connectAsync(t.mqttUrl, { reconnectPeriod: 0 })).rejects.toThrow(/Not authorized|Bad username/i);
  });

  it('rejects, counts and dead-letters invalid readings and foreign topics while other devices keep being served', async () => {
    const bad = await t.center.devices.add({ id: 'flood-011', kind: 'sensor', domain: 'flood' });
    const client = await mqtt.connectAsync(t.mqttUrl, { username: bad.username, password: bad.password, reconnectPeriod: 0 });
    const own = telemetryTopic('hcmc', 'flood', 'flood-011');
    const ts = new Date().toISOString();
    const payloads: [string, string][] = [
      ['invalid_json', '{"ts": "2026-11-24T10:00:00+07:00", "waterLevelCm": 12,'],
      ['not_finite', `{"ts": "${ts}", "waterLevelCm": NaN, "intervalS": 60}`],
      ['missing_field', JSON.stringify({ ts, intervalS: 60 })],
      ['out_of_range', JSON.stringify({ ts, waterLevelCm: 9000, intervalS: 60 })],
    ];
    for (const [, payload] of payloads) await client.publishAsync(own, payload, { qos: 1 });

    const metricsBefore = await (await fetch(`${t.httpUrl}/metrics`)).text();
    const deniedBefore = metricValue(metricsBefore, 'cityops_broker_publish_denied_total', 'reason="not_authorized"');
    // Another device's topic: refused by the ACL. The broker may drop the offender; either way nothing is stored.
    client.publish(telemetryTopic('hcmc', 'flood', 'flood-012'), JSON.stringify({ ts, waterLevelCm: 20, intervalS: 60 }), { qos: 1 });

    const metrics = await waitFor(async () => {
      const text = await (await fetch(`${t.httpUrl}/metrics`)).text();
      return metricValue(text, 'cityops_broker_publish_denied_total', 'reason="not_authorized"') > deniedBefore ? text : undefined;
    }, 5000, 'denied publish counted');
    for (const [reason] of payloads) {
      expect(metricValue(metrics, 'cityops_readings_rejected_total', `reason="${reason}"`), reason).toBeGreaterThanOrEqual(1);
    }
    const letters = t.center.deadLetters.list({ limit: 100 });
    for (const [reason] of payloads) {
      expect(letters.some((l) => l.reason === reason && l.topic === own && l.clientId.length > 0), `dead letter ${reason}`).toBe(true);
    }
    expect(letters.find((l) => l.reason === 'out_of_range')?.detail).toMatch(/waterLevelCm/);
    expect(await t.center.store.count({ sensorId: 'flood-011' })).toBe(0);
    expect(await t.center.store.count({ sensorId: 'flood-012' })).toBe(0);
    client.end(true);

    // The well-behaved device was never disturbed: everything it sent is stored.
    const sentSoFar = goodSent;
    await waitFor(async () => ((await t.center.store.count({ sensorId: 'air-us-consulate' })) >= sentSoFar ? true : undefined), 5000, 'good device readings stored');
    const health = await fetch(`${t.httpUrl}/readyz`);
    expect(health.status).toBe(200);
  });
});
