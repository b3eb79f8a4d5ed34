import { describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { telemetryTopic } from '@cityops/contracts';
import { removeDir, startTestCenter, waitFor, type TestCenter } from './test-support/harness.ts';
import { addDevices, sleep, useInfluxDb1 } from './test-support/influx-load.ts';

/** docs/storage.md "When full": no PUBACK, the connection closes, devices resend; nothing acknowledged is lost. */
describe('a full spool in front of a real InfluxDB', () => {
  const influx = useInfluxDb1();

  it('a full spool (InfluxDB down) withholds the PUBACK and closes the connection; after InfluxDB returns, every acknowledged reading is stored and publishing works again', async () => {
    const t: TestCenter = await startTestCenter({ influxUrl: influx().url, influxDatabase: 'cityops_full', spoolMaxBytes: 65_536 });
    try {
      const creds = await addDevices(t.dataDir);
      await influx().stop();
      const client = await mqtt.connectAsync(t.mqttUrl, { username: 'flood-001', password: creds.get('flood-001')!, clientId: 'dur-full', reconnectPeriod: 0 });
      const t0 = Date.now() - 3_600_000;
      let acked = 0;
      let refused = false;
      for (let i = 0; i < 2000 && !refused; i++) {
        const puback = client.publishAsync(telemetryTopic('hcmc', 'flood', 'flood-001'), JSON.stringify({ ts: t0 + i * 100, waterLevelCm: 5, intervalS: 60 }), { qos: 1 });
        const outcome = await Promise.race([puback.then(() => 'acked', () => 'failed'), sleep(3000).then(() => 'no-puback')]);
        if (outcome === 'acked') acked++;
        else refused = true;
      }
      expect(refused).toBe(true);
      expect(acked).toBeGreaterThan(50); // ~65 KB of spool took these before it was full
      await waitFor(() => (client.connected ? undefined : true), 5000, 'the broker to close the connection');
      await client.endAsync(true).catch(() => {});
      expect(await t.center.metrics.metrics()).toMatch(/cityops_ingest_spool_readings_total\{op="refused_full"\} [1-9]/);

      await influx().start();
      await waitFor(async () => ((await t.center.store.count().catch(() => 0)) >= acked ? true : undefined), 20_000, 'the spool to drain');
      expect(await t.center.store.count()).toBe(acked);
      const again = await mqtt.connectAsync(t.mqttUrl, { username: 'flood-002', password: creds.get('flood-002')!, clientId: 'dur-full-2', reconnectPeriod: 0 });
      await again.publishAsync(telemetryTopic('hcmc', 'flood', 'flood-002'), JSON.stringify({ ts: t0, waterLevelCm: 1, intervalS: 60 }), { qos: 1 });
      await again.endAsync();
      expect(await t.center.store.count({ sensorId: 'flood-002' })).toBe(1);
    } finally {
      await t.close();
      removeDir(t.dataDir);
    }
  }, 60_000);

});
