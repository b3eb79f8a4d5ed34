import { afterAll, beforeAll } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { createSqliteDeviceAccounts } from '@cityops/broker';
import { startInfluxDb1, type RealServer } from '@cityops/ingest/test-support';
import { telemetryTopic } from '@cityops/contracts';
import { openCenterDatabase } from '../database.ts';

/** Load and devices for the durability e2e tests (center/src/*.e2e.test.ts against a real InfluxDB). */
export const SENSORS = ['flood-001', 'flood-002', 'flood-003', 'flood-004'];
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A real InfluxDB 1.x (Debian's influxd on a free port) for the describe block it is called in. */
export function useInfluxDb1(): () => RealServer {
  let influx: RealServer | undefined;
  beforeAll(async () => {
    influx = await startInfluxDb1();
  }, 30_000);
  afterAll(async () => {
    await influx?.close();
  });
  return () => {
    if (!influx) throw new Error('InfluxDB is not started yet (use it inside a test)');
    return influx;
  };
}

export interface Load {
  acked: () => number;
  ackedBy: (id: string) => number;
  /** graceful: wait for every in-flight PUBACK; otherwise (center killed) end the clients at once */
  stop: (graceful: boolean) => Promise<void>;
}

/** One client per sensor publishing QoS 1 back to back (each waits for its PUBACK), unique event time per reading. */
export async function steadyLoad(mqttUrl: string, creds: Map<string, string>, t0: number): Promise<Load> {
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
export async function addDevices(dataDir: string): Promise<Map<string, string>> {
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

