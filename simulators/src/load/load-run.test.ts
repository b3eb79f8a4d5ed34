import { describe, it, expect, afterEach } from 'vitest';
import { pino } from 'pino';
import { startTestAedes, type TestAedes } from '../test-support/aedes-broker.ts';
import { SIM_ERROR_CODES } from '../errors.ts';
import { runLoad, type LoadDevice } from './load-run.ts';
import { summarizeLatencies } from './latency-summary.ts';

const logger = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const devices = (n: number): LoadDevice[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `air-${i}`,
    topic: `city/hcmc/air/air-${i}/telemetry`,
    credentials: { username: `air-${i}`, password: `air-${i}` },
    payload: (t: number) => `{"ts":${t},"pm25":10,"pm10":15}`,
  }));

describe('runLoad', () => {
  for (const qos of [0, 1] as const) {
    it(`sends the requested number of messages at QoS ${qos} from every device, measuring latency`, async () => {
      const list = devices(300);
      const broker: TestAedes = await startTestAedes(Object.fromEntries(list.map((d) => [d.id, d.id])));
      cleanups.push(() => broker.close());
      const result = await runLoad({ brokerUrl: broker.url, devices: list, ratePerS: 1500, durationS: 1, qos, logger });
      expect(result).toMatchObject({ devices: 300, sent: 1500, acked: 1500, errors: 0, requestedPerS: 1500 });
      expect(result.latency.count).toBe(1500);
      expect(result.latency.p50).toBeLessThanOrEqual(result.latency.p99);
      // paced, not a burst: the sends span (almost) the whole second
      expect(result.sendMs).toBeGreaterThan(900);
      expect(broker.received.filter((m) => m.topic.endsWith('/telemetry'))).toHaveLength(1500);
      expect(new Set(broker.received.map((m) => m.clientId)).size).toBe(300);
    });
  }

  it('fails with a stable code when a device is refused', async () => {
    const broker = await startTestAedes({});
    cleanups.push(() => broker.close());
    await expect(runLoad({ brokerUrl: broker.url, devices: devices(2), ratePerS: 10, durationS: 1, qos: 1, logger })).rejects.toMatchObject({ code: SIM_ERROR_CODES.CONNECT_FAILED });
  });

  it('summarizes latencies by nearest rank', () => {
    expect(summarizeLatencies(Array.from({ length: 100 }, (_, i) => i + 1))).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(summarizeLatencies([])).toMatchObject({ count: 0 });
  });
});
