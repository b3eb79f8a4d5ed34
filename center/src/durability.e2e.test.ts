import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { telemetryTopic } from '@cityops/contracts';
import { freePort } from '@cityops/ingest/test-support';
import { CLI, removeDir, startTestCenter, waitFor, type TestCenter } from './test-support/harness.ts';
import { SENSORS, addDevices, sleep, steadyLoad, useInfluxDb1 } from './test-support/influx-load.ts';

/**
 * "Nothing lost" on the real center: MQTT.js devices publish QoS 1 at a steady
 * rate into a center writing to a real InfluxDB 1.6 (Debian's influxd on a free
 * port). Every publish whose PUBACK arrived is an acknowledged reading; after the
 * faults each of them must be in InfluxDB, once.
 */
describe('durability with InfluxDB (spool in front of the database)', () => {
  const influx = useInfluxDb1();

  it('InfluxDB stopped and restarted under steady QoS 1 load: every PUBACKed reading is stored exactly once, and live readings keep flowing', async () => {
    const t: TestCenter = await startTestCenter({ influxUrl: influx().url, influxDatabase: 'cityops_outage' });
    try {
      const creds = await addDevices(t.dataDir);
      let live = 0;
      t.center.ingest.onReading(() => live++);
      const load = await steadyLoad(t.mqttUrl, creds, Date.now() - 3_600_000);
      await sleep(500);
      await influx().stop();
      const atOutage = { acked: load.acked(), live };
      await sleep(2000);
      // The broker kept acknowledging (into the spool) and the rules/map kept receiving.
      expect(load.acked()).toBeGreaterThan(atOutage.acked + 50);
      expect(live).toBeGreaterThan(atOutage.live + 50);
      await influx().start();
      await sleep(500);
      await load.stop(true);
      const acked = load.acked();
      await waitFor(async () => ((await t.center.store.count()) >= acked ? true : undefined), 20_000, 'the spool to drain');
      expect(await t.center.store.count()).toBe(acked);
      for (const id of SENSORS) expect(await t.center.store.count({ sensorId: id })).toBe(load.ackedBy(id));
      expect(await t.center.metrics.metrics()).toMatch(/cityops_ingest_spool_readings_total\{op="appended"\} [1-9]/);
    } finally {
      await t.close();
      removeDir(t.dataDir);
    }
  }, 40_000);

  it('starts while InfluxDB is down, acknowledges into the spool, and creates the database and stores once InfluxDB is up', async () => {
    await influx().stop();
    const t: TestCenter = await startTestCenter({ influxUrl: influx().url, influxDatabase: 'cityops_late' });
    try {
      const creds = await addDevices(t.dataDir);
      const client = await mqtt.connectAsync(t.mqttUrl, { username: 'flood-003', password: creds.get('flood-003')!, clientId: 'dur-late', reconnectPeriod: 0 });
      const t0 = Date.now() - 60_000;
      for (let i = 0; i < 20; i++) await client.publishAsync(telemetryTopic('hcmc', 'flood', 'flood-003'), JSON.stringify({ ts: t0 + i * 1000, waterLevelCm: i, intervalS: 60 }), { qos: 1 });
      await client.endAsync();
      expect(t.center.sensors.get('flood-003')).toBeDefined();
      await influx().start();
      await waitFor(async () => ((await t.center.store.count().catch(() => 0)) >= 20 ? true : undefined), 20_000, 'the spool to drain');
      expect(await t.center.store.count({ sensorId: 'flood-003' })).toBe(20);
    } finally {
      await t.close();
      removeDir(t.dataDir);
      await influx().start(); // idempotent if already up
    }
  }, 40_000);

  it('kill -9 of the center right after PUBACKs (InfluxDB down, readings in the spool): after a restart every acknowledged reading is stored', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cityops-kill-'));
    let child: ChildProcess | undefined;
    try {
      const creds = await addDevices(dataDir);
      const [httpPort, mqttPort] = [await freePort(), await freePort()];
      child = spawn(process.execPath, [CLI, 'start'], {
        env: {
          ...process.env,
          CITYOPS_DATA_DIR: dataDir,
          CITYOPS_HOST: '127.0.0.1',
          CITYOPS_HTTP_PORT: String(httpPort),
          CITYOPS_MQTT_PORT: String(mqttPort),
          CITYOPS_INFLUX_URL: influx().url,
          CITYOPS_INFLUX_DATABASE: 'cityops_kill',
          CITYOPS_LOG_LEVEL: 'silent',
        },
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child!.once('exit', (_code, signal) => resolve(signal)));
      await waitFor(async () => {
        const res = await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined);
        await res?.body?.cancel();
        return res?.status === 200 ? true : undefined;
      }, 20_000, 'the center to listen');
      const load = await steadyLoad(`mqtt://127.0.0.1:${mqttPort}`, creds, Date.now() - 7_200_000);
      await sleep(400); // some straight into InfluxDB
      await influx().stop();
      const beforeOutage = load.acked();
      await sleep(800); // the rest into the spool
      child.kill('SIGKILL'); // mid-stream: whatever got a PUBACK must survive
      expect(await exited).toBe('SIGKILL');
      await load.stop(false);
      const acked = load.acked();
      expect(beforeOutage).toBeGreaterThan(0);
      expect(acked).toBeGreaterThan(beforeOutage); // some were acknowledged only into the spool
      // The outage part is only on disk now, in the spool.
      const spooled = readdirSync(join(dataDir, 'spool')).filter((f) => f.endsWith('.wal')).reduce((n, f) => n + statSync(join(dataDir, 'spool', f)).size, 0);
      expect(spooled).toBeGreaterThan(0);

      await influx().start();
      const t = await startTestCenter({ influxUrl: influx().url, influxDatabase: 'cityops_kill' }, {}, dataDir);
      try {
        await waitFor(async () => ((await t.center.store.count()) >= acked ? true : undefined), 20_000, 'the spool to drain after the restart');
        for (const id of SENSORS) expect(await t.center.store.count({ sensorId: id })).toBeGreaterThanOrEqual(load.ackedBy(id));
        // A publish can be stored and killed before its PUBACK left: stored, never acknowledged (at most one per client).
        expect(await t.center.store.count()).toBeLessThanOrEqual(acked + SENSORS.length);
      } finally {
        await t.close();
      }
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      removeDir(dataDir);
    }
  }, 60_000);
});
