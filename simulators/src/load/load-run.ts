import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { connectFailed, invalidOptions } from '../errors.ts';
import { summarizeLatencies, type LatencySummary } from './latency-summary.ts';

export interface LoadDevice {
  id: string;
  topic: string;
  /** Omitted for an anonymous development broker. */
  credentials?: { username: string; password: string };
  /** The reading to send at a given epoch ms. */
  payload(tMs: number): string;
}

export interface LoadOptions {
  brokerUrl: string;
  devices: readonly LoadDevice[];
  /** Messages per second across all devices. */
  ratePerS: number;
  durationS: number;
  qos: 0 | 1;
  logger: Logger;
  connectConcurrency?: number;
}

export interface LoadResult {
  devices: number;
  requestedPerS: number;
  sent: number;
  acked: number;
  errors: number;
  /** Publish window: first send → last send (ms). */
  sendMs: number;
  achievedPerS: number;
  /** PUBLISH → PUBACK (QoS 1) or → written to the socket (QoS 0), ms. */
  latency: LatencySummary;
}

const TICK_MS = 5;

/**
 * A load generator for benchmarks: many devices, one connection each, a global
 * target rate spread round-robin over them, paced by a fine tick so the rate is
 * steady rather than bursty (latency is only meaningful at a fixed rate, see the
 * platform notes). Nagle is off so latency is the broker's, not TCP's.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (!(options.ratePerS > 0) || !(options.durationS > 0) || options.devices.length === 0) throw invalidOptions('load needs devices, ratePerS > 0 and durationS > 0');
  const logger = options.logger.child({ module: 'load' });
  const clients: MqttClient[] = new Array(options.devices.length);
  let next = 0;
  const connectOne = async (i: number): Promise<void> => {
    const d = options.devices[i]!;
    const client = mqtt.connect(options.brokerUrl, {
      clientId: `load-${d.id}`,
      ...(d.credentials ? { username: d.credentials.username, password: d.credentials.password } : {}),
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 60,
      protocolVersion: 4,
    });
    clients[i] = client;
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => {
        (client.stream as unknown as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
        resolve();
      });
      // a refused CONNACK arrives as an error; a dead transport as close without connect
      client.once('error', (error) => reject(connectFailed(d.id, error)));
      client.once('close', () => reject(connectFailed(d.id, new Error('connection closed before CONNACK'))));
    });
  };
  const worker = async (): Promise<void> => {
    while (next < options.devices.length) await connectOne(next++);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.connectConcurrency ?? 50, options.devices.length) }, worker));
  } catch (error) {
    await Promise.all(clients.filter(Boolean).map((c) => c.endAsync(true)));
    throw error;
  }
  logger.info({ devices: clients.length }, 'load devices connected');

  const total = Math.round(options.ratePerS * options.durationS);
  const latencies: number[] = [];
  let sent = 0;
  let acked = 0;
  let errors = 0;
  let firstSend = 0;
  let lastSend = 0;
  let cursor = 0;
  const lastTs: number[] = [];
  await new Promise<void>((resolve) => {
    const start = performance.now();
    let settled = 0;
    const settle = (): void => {
      settled++;
      if (settled === total) resolve();
    };
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * options.ratePerS) / 1000));
      while (sent < due) {
        const i = cursor++ % clients.length;
        const d = options.devices[i]!;
        const t0 = performance.now();
        if (sent === 0) firstSend = t0;
        lastSend = t0;
        sent++;
        // strictly increasing per device: a catch-up burst in one millisecond must not overwrite readings
        const ts = Math.max(Date.now(), (lastTs[i] ?? 0) + 1);
        lastTs[i] = ts;
        clients[i]!.publish(d.topic, d.payload(ts), { qos: options.qos }, (error) => {
          if (error) errors++;
          else {
            acked++;
            latencies.push(performance.now() - t0);
          }
          settle();
        });
      }
      if (sent < total) setTimeout(tick, TICK_MS);
    };
    tick();
  });
  await Promise.all(clients.map((c) => c.endAsync(false).catch(() => c.endAsync(true))));
  const sendMs = lastSend - firstSend;
  return {
    devices: clients.length,
    requestedPerS: options.ratePerS,
    sent,
    acked,
    errors,
    sendMs: Math.round(sendMs),
    // n messages over the n−1 intervals between the first and the last send
    achievedPerS: sendMs > 0 ? Math.round(((sent - 1) * 1000 * 10) / sendMs) / 10 : 0,
    latency: summarizeLatencies(latencies),
  };
}
