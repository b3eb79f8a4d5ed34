import { describe, it, expect, afterEach } from 'vitest';
import { pino } from 'pino';
import { startTestAedes, type TestAedes } from '../test-support/aedes-broker.ts';
import { SIM_ERROR_CODES } from '../errors.ts';
import { parseWindowTime, selectItems } from './select-items.ts';
import { retimePayload } from './retime.ts';
import { startReplay } from './replayer.ts';
import type { ReplayItem } from './replay-item.ts';

const logger = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const SENSORS = ['air-1', 'air-2', 'air-3'];
const broker = async (): Promise<TestAedes> => {
  const b = await startTestAedes(Object.fromEntries(SENSORS.map((s) => [s, s])));
  cleanups.push(() => b.close());
  return b;
};
const credentials = (id: string) => ({ username: id, password: id });
const T0 = Date.parse('2021-03-01T00:00:00+07:00');

/** n readings per sensor, one a second, sensors interleaved; listed per sensor (not in time order). */
const makeItems = (n: number, stepMs = 1000): ReplayItem[] =>
  SENSORS.flatMap((id, s) =>
    Array.from({ length: n }, (_, k) => {
      const eventTime = T0 + k * stepMs + s;
      return { eventTime, topic: `city/hcmc/air/${id}/telemetry`, payload: Buffer.from(JSON.stringify({ ts: new Date(eventTime).toISOString(), pm25: k, pm10: k })), deviceId: id, sensorIds: [id] };
    }),
  );
const tsOf = (p: Buffer) => Date.parse((JSON.parse(p.toString()) as { ts: string }).ts);

describe('selecting what to replay', () => {
  it('applies the window and the sensor subset and sorts by event time, stable', () => {
    const items = makeItems(10);
    const picked = selectItems(items, { from: T0 + 2000, to: T0 + 5000, sensors: new Set(['air-1', 'air-3']) });
    expect(picked.map((i) => `${i.deviceId}@${(i.eventTime - T0) / 1000 | 0}`)).toEqual(['air-1@2', 'air-3@2', 'air-1@3', 'air-3@3', 'air-1@4', 'air-3@4']);
    const ties = [...items.slice(0, 2), { ...items[0]!, payload: Buffer.from('second') }];
    expect(selectItems(ties).map((i) => i.payload.toString().slice(0, 6))).toEqual(['{"ts":', 'second', '{"ts":']);
  });

  it('reads window times as HCMC local unless they carry an offset', () => {
    expect(parseWindowTime('2021-03-01')).toBe(T0);
    expect(parseWindowTime('2021-03-01 07:00')).toBe(Date.parse('2021-03-01T00:00:00Z'));
    expect(parseWindowTime('2021-03-01T00:00:00Z')).toBe(Date.parse('2021-03-01T00:00:00Z'));
    expect(parseWindowTime('yesterday')).toBeNull();
  });

  it('retimes single readings and gateway batches, keeps each ts encoding, leaves garbage alone', () => {
    expect(JSON.parse(retimePayload(Buffer.from('{"ts":"2021-03-01T00:00:00+07:00","pm25":1}'), 3_600_000).toString())).toEqual({ ts: '2021-03-01T01:00:00.000+07:00', pm25: 1 });
    expect(JSON.parse(retimePayload(Buffer.from('[{"ts":1000,"sensorId":"a"},{"ts":2000}]'), 5).toString())).toEqual([{ ts: 1005, sensorId: 'a' }, { ts: 2005 }]);
    const junk = Buffer.from([0xff, 0x00]);
    expect(retimePayload(junk, 5)).toBe(junk);
  });
});

describe('startReplay', () => {
  it('paces by event time at the requested speed and keeps every sensor in order', async () => {
    const target = await broker();
    const items = selectItems(makeItems(40, 1000)); // 39 s of data
    const replay = await startReplay({ brokerUrl: target.url, city: 'hcmc', items, speed: 100, timestamps: 'original', credentials, logger });
    const stats = await replay.done;
    expect(stats.acked).toBe(120);
    expect(stats.plannedMs).toBeCloseTo(390, 0);
    // never faster than asked (the last reading is due 390 ms in), and not wildly slower
    expect(stats.elapsedMs).toBeGreaterThanOrEqual(385);
    expect(stats.elapsedMs).toBeLessThan(390 + 2000);
    for (const id of SENSORS) {
      const ts = target.received.filter((m) => m.topic.includes(`/${id}/`)).map((m) => tsOf(m.payload));
      expect(ts).toHaveLength(40);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
    }
    expect(target.received.map((m) => m.topic)).toContain('city/hcmc/air/air-2/telemetry');
  });

  it('moves recorded topics into the target city', async () => {
    const target = await broker();
    const items = selectItems(makeItems(2)).map((i) => ({ ...i, topic: i.topic.replace('city/hcmc/', 'city/saigon/') }));
    await (await startReplay({ brokerUrl: target.url, city: 'hcmc', items, speed: 'max', timestamps: 'original', credentials, logger })).done;
    expect(target.received.every((m) => m.topic.startsWith('city/hcmc/'))).toBe(true);
  });

  it('pauses and resumes', async () => {
    const target = await broker();
    const items = selectItems(makeItems(30, 1000)); // 29 s at ×50 ≈ 580 ms
    const replay = await startReplay({ brokerUrl: target.url, city: 'hcmc', items, speed: 50, timestamps: 'original', credentials, logger });
    await new Promise((r) => setTimeout(r, 100));
    replay.pause();
    expect(replay.paused).toBe(true);
    const atPause = replay.stats().published;
    expect(atPause).toBeLessThan(90);
    await new Promise((r) => setTimeout(r, 400));
    expect(replay.stats().published).toBe(atPause);
    expect(replay.stats().paused).toBe(true);
    replay.resume();
    const stats = await replay.done;
    expect(stats.acked).toBe(90);
    // pause time is not counted as replay time
    expect(stats.elapsedMs).toBeLessThan(580 + 350);
  });

  it('stop() ends early with what was sent', async () => {
    const target = await broker();
    const replay = await startReplay({ brokerUrl: target.url, city: 'hcmc', items: selectItems(makeItems(100)), speed: 10, timestamps: 'original', credentials, logger });
    await new Promise((r) => setTimeout(r, 150));
    const stats = await replay.stop();
    expect(stats.published).toBeGreaterThan(0);
    expect(stats.published).toBeLessThan(300);
  });

  it('rebases paced replays to the wall clock (time compressed by the speed)', async () => {
    const target = await broker();
    const before = Date.now();
    const items = selectItems(makeItems(20, 10_000)); // 190 s of data at ×1000 = 190 ms
    await (await startReplay({ brokerUrl: target.url, city: 'hcmc', items, speed: 1000, timestamps: 'rebase', credentials, logger })).done;
    const after = Date.now();
    const ts = target.received.filter((m) => m.topic.includes('/air-1/')).map((m) => tsOf(m.payload));
    expect(ts).toHaveLength(20);
    expect(ts[0]!).toBeGreaterThanOrEqual(before);
    expect(ts[19]!).toBeLessThanOrEqual(after);
    expect(ts[19]! - ts[0]!).toBe(190);
  });

  it('rebases a max-speed replay so its last reading is stamped when it started, spacing kept', async () => {
    const target = await broker();
    const before = Date.now();
    const items = selectItems(makeItems(20, 60_000));
    await (await startReplay({ brokerUrl: target.url, city: 'hcmc', items, speed: 'max', timestamps: 'rebase', credentials, logger })).done;
    const ts = target.received.filter((m) => m.topic.includes('/air-1/')).map((m) => tsOf(m.payload));
    expect(ts[19]! - ts[0]!).toBe(19 * 60_000);
    expect(Math.abs(ts[19]! - before)).toBeLessThan(5_000);
  });

  it('rejects a bad speed with a stable code', async () => {
    await expect(startReplay({ brokerUrl: 'mqtt://127.0.0.1:1', city: 'hcmc', items: [], speed: 0, timestamps: 'original', credentials, logger }))
      .rejects.toMatchObject({ code: SIM_ERROR_CODES.INVALID_OPTIONS });
  });
});
