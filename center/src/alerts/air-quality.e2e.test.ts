import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { telemetryTopic, type LiveReading, type LiveSensorCollection } from '@cityops/contracts';
import { cli, connectSocket, removeDir, signIn, startTestCenter, waitFor, type CitySocket, type TestCenter } from '../test-support/harness.ts';

const HOUR = 3_600_000;

/** Air readings over MQTT → VN_AQI and US AQI in GET /api/sensors and on Socket.IO, and again after a restart. */
describe('air quality index in the API and live updates', () => {
  let t: TestCenter;
  let socket: CitySocket;
  let cookie = '';
  let password = '';
  const telemetry: LiveReading[] = [];

  beforeAll(async () => {
    t = await startTestCenter();
    const operator = (await cli(t.dataDir, 'users', 'add', 'mai', '--role', 'viewer')) as { username: string; password: string };
    password = operator.password;
    cookie = await signIn(t.httpUrl, operator.username, password);
    socket = await connectSocket(t.httpUrl, cookie);
    socket.on('telemetry', (batch) => telemetry.push(...batch));
  });

  afterAll(async () => {
    socket?.close();
    await t?.close();
    if (t) removeDir(t.dataDir);
  });

  const sensorsAqi = async (url: string, c: string) => {
    const body = (await (await fetch(`${url}/api/sensors`, { headers: { cookie: c } })).json()) as LiveSensorCollection;
    return body.features.find((f) => f.properties.id === 'air-q1-001')?.properties.aqi;
  };

  it('computes both indices from two hours of readings and survives a restart', async () => {
    const device = (await cli(t.dataDir, 'devices', 'add', 'air-q1-001', '--domain', 'air', '--lon', '106.70', '--lat', '10.78', '--name', 'Bến Thành', '--district', 'Quận 1')) as { username: string; password: string };
    const client = await mqtt.connectAsync(t.mqttUrl, { username: device.username, password: device.password, clientId: 'aqi-e2e', reconnectPeriod: 0 });
    const hourStart = Math.floor(Date.now() / HOUR) * HOUR;
    for (const ts of [hourStart - HOUR + 60_000, hourStart - HOUR + 120_000, Math.max(hourStart, Date.now() - 1000)]) {
      await client.publishAsync(telemetryTopic('hcmc', 'air', 'air-q1-001'), JSON.stringify({ ts, pm25: 30, pm10: 50, no2: 40 }), { qos: 1 });
    }
    await client.endAsync();

    // NowCast of 30 µg/m³ PM2.5 in both hours: VN 50 + 50/25 × 5 = 60; US 49/26.3 × 20.9 + 51 = 89.9 → 90 (Moderate)
    const aqi = await sensorsAqi(t.httpUrl, cookie);
    expect(aqi?.vn).toMatchObject({ value: 60, dominant: 'pm25', color: '#FFFF00', category: { key: 'moderate', name: { vi: 'Trung bình', en: 'Moderate' } } });
    expect(aqi?.us).toMatchObject({ value: 90, dominant: 'pm25', category: { key: 'moderate' } });
    expect(aqi?.hour).toBe(hourStart);

    const live = await waitFor(() => telemetry.find((r) => r.sensorId === 'air-q1-001' && r.aqi?.vn !== null && r.aqi?.vn !== undefined), 5000, 'air telemetry with aqi');
    expect(live.aqi?.vn?.value).toBe(60);
    expect(live.aqi?.us?.value).toBe(90);

    // Restart on the same data dir: the hourly means come back from the store.
    const dataDir = t.dataDir;
    socket.close();
    await t.center.close();
    t = await startTestCenter({}, {}, dataDir);
    cookie = await signIn(t.httpUrl, 'mai', password);
    const after = await sensorsAqi(t.httpUrl, cookie);
    expect(after?.vn?.value).toBe(60);
    expect(after?.us?.value).toBe(90);
  });
});
