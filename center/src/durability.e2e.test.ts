import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { telemetryTopic } from '@cityops/contracts';
import { freePort, startInfluxDb1, type RealServer } from '@cityops/ingest/test-support';
import { createSqliteDeviceAccounts } from '@cityops/broker';
import { openCenterDatabase } from './database.ts';
import { CLI, removeDir, startTestCenter, waitFor, type TestCenter } from './test-support/harness.ts';

/**
 * "Nothing lost" on the real center: MQTT.js devices publish QoS 1 at a steady
 * rate into a center writing to a real InfluxDB 1.6 (Debian's influxd on a free
 * port). Every publish whose PUBACK arrived is an acknowledged reading; after the
 * faults each of them must be in InfluxDB, once.
 */
const SENSORS = ['flood-001', 'flood-002', 'flood-003', 'flood-004'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Load {
  acked: () => number;
  ackedBy: (id: string) => number;
  /** graceful: wait for every in-flight PUBACK; otherwise (center killed) end the clients at once */
  stop: (graceful: boolean) => Promise<void>;
}

/** One client per sensor publishing QoS 1 back to back (each waits for its PUBACK), unique event time per reading. */
async function steadyLoad(mqttUrl: string, creds: Map<string, string>, t0: number): Promise<Load> {
  const counts = new Map<string, number>();
  let running = true;
  const clients: MqttClient[] = [];
  const started = await Promise.all(
    SENSORS.map(async (id) => {
      const client = await mqtt.connectAsync(mqttUrl, { username: id, password: creds.get(id)!, clientId: `dur-${id}`, reconnectPeriod: 0 });
      clients.push(client);
      // Wrapped: returning the bare promise would make Promise.all wait for the loop to end.
      return { loop: (async () => {
        let i = 0;
        while (running) {
          // 100 ms apart in event time: unique per sensor, and well in the past (no future_timestamp).
          const payload = JSON.stringify({ ts: t0 + i * 100, waterLevelCm: i % 400, intervalS: 60 });
          try {
            await client.publishAsync(telemetryTopic('hcmc', 'flood', id), payload, { qos: 1 });
          } catch {
            return; // connection gone (the center was killed): not acknowledged, not counted
          }
          counts.set(id, (counts.get(id) ?? 0) + 1);
          i++;
          await sleep(2);
        }
      })() };
    }),
  );
  const loops = started.map((s) => s.loop);
  return {
    acked: () => [...counts.values()].reduce((a, b) => a + b, 0),
    ackedBy: (id) => counts.get(id) ?? 0,
    stop: async (graceful) => {
      running = false;
      if (graceful) {
        await Promise.all(loops);
        await Promise.all(clients.map((c) => c.endAsync().catch(() => {})));
        return;
      }
      // A publish in flight when the center died never settles (MQTT.js keeps it for a resend): end the
      // clients and give the loops a moment; an unsettled publish was never acknowledged, so it is not counted.
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
      await Promise.race([Promise.all(loops), sleep(1000)]);
    },
  };
}

/** Device accounts written to the center database directly (what `cityops devices add` does, without 4 CLI start-ups). */
async function addDevices(dataDir: string): Promise<Map<string, string>> {
  const db = openCenterDatabase(dataDir);
  try {
    const accounts = createSqliteDeviceAccounts(db);
    const creds = new Map<string, string>();
    for (const id of SENSORS) creds.set(id, (await accounts.add({ id, kind: 'sensor', domain: 'flood' })).password);
    return creds;
  } finally {
    db.close();
  }
}

describe('durability with InfluxDB (spool in front of the database)', () => {
  let influx: RealServer;
  beforeAll(async () => {
    influx = await startInfluxDb1();
  }, 30_000);
  afterAll(async () => {
    await influx?.close();
  });

  it('InfluxDB stopped and restarted under steady QoS 1 load: every PUBACKed reading is stored exactly once, and live readings keep flowing', async () => {
    const t: TestCenter = await startTestCenter({ influxUrl: influx.url, influxDatabase: 'cityops_outage' });
    try {
      const creds = await addDevices(t.dataDir);
      let live = 0;
      t.center.ingest.onReading(() => live++);
      const load = await steadyLoad(t.mqttUrl, creds, Date.now() - 3_600_000);
      await sleep(500);
      await influx.stop();
      const atOutage = { acked: load.acked(), live };
      await sleep(2000);
      // The broker kept acknowledging (into the spool) and the rules/map kept receiving.
      expect(load.acked()).toBeGreaterThan(atOutage.acked + 50);
      expect(live).toBeGreaterThan(atOutage.live + 50);
      await influx.start();
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
    await influx.stop();
    const t: TestCenter = await startTestCenter({ influxUrl: influx.url, influxDatabase: 'cityops_late' });
    try {
      const creds = await addDevices(t.dataDir);
      const client = await mqtt.connectAsync(t.mqttUrl, { username: 'flood-003', password: creds.get('flood-003')!, clientId: 'dur-late', reconnectPeriod: 0 });
      const t0 = Date.now() - 60_000;
      for (let i = 0; i < 20; i++) await client.publishAsync(telemetryTopic('hcmc', 'flood', 'flood-003'), JSON.stringify({ ts: t0 + i * 1000, waterLevelCm: i, intervalS: 60 }), { qos: 1 });
      await client.endAsync();
      expect(t.center.sensors.get('flood-003')).toBeDefined();
      await influx.start();
      await waitFor(async () => ((await t.center.store.count().catch(() => 0)) >= 20 ? true : undefined), 20_000, 'the spool to drain');
      expect(await t.center.store.count({ sensorId: 'flood-003' })).toBe(20);
    } finally {
      await t.close();
      removeDir(t.dataDir);
      await influx.start(); // idempotent if already up
    }
  }, 40_000);

  it('a full spool (InfluxDB down) withholds the PUBACK and closes the connection; after InfluxDB returns, every acknowledged reading is stored and publishing works again', async () => {
    const t: TestCenter = await startTestCenter({ influxUrl: influx.url, influxDatabase: 'cityops_full', spoolMaxBytes: 65_536 });
    try {
      const creds = await addDevices(t.dataDir);
      await influx.stop();
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

      await influx.start();
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
          CITYOPS_INFLUX_URL: influx.url,
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
      await influx.stop();
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

      await influx.start();
      const t = await startTestCenter({ influxUrl: influx.url, influxDatabase: 'cityops_kill' }, {}, dataDir);
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
