import type { Logger } from 'pino';
import { invalidOptions } from '../errors.ts';
import { createPublisherPool, type CredentialLookup } from './publisher-pool.ts';
import { withCity, type ReplayItem } from './replay-item.ts';
import { retimePayload } from './retime.ts';

export type ReplaySpeed = number | 'max';

export interface ReplayOptions {
  brokerUrl: string;
  /** Target city: recorded topics are moved into it. */
  city: string;
  /** Already selected and sorted by event time (see selectItems). */
  items: readonly ReplayItem[];
  /** ×1 … ×1000 (any factor > 0), or `'max'`: as fast as the center acknowledges. */
  speed: ReplaySpeed;
  /**
   * `original`: payloads go out byte for byte. `rebase`: every `ts` moves so the
   * replay happens now — paced replays stamp each reading with the wall time it is
   * sent (time compressed by the speed), `max` shifts the whole run so its last
   * reading is stamped at the moment the replay started (spacing kept).
   */
  timestamps: 'original' | 'rebase';
  credentials: CredentialLookup;
  logger: Logger;
  qos?: 0 | 1;
  /** Unacknowledged publishes allowed at once (default 2000). */
  maxInFlight?: number;
  /** Unacknowledged publishes per device connection (default 500: the center cuts a connection off above 1,000). */
  maxInFlightPerDevice?: number;
  /**
   * Publishes per second per device, burst of one second's worth (default 100, the center's
   * `CITYOPS_MQTT_PUBLISH_RATE` default, gateways ×10 like the center): a faster device is disconnected.
   */
  deviceRatePerS?: number;
  clock?: () => number;
  clientIdPrefix?: string;
}

export interface ReplayStats {
  total: number;
  published: number;
  acked: number;
  /** Readings in the acknowledged messages (more than `acked` for gateway batches). */
  readings: number;
  errors: number;
  /** Wall time spent replaying, pauses excluded (ms). */
  elapsedMs: number;
  /** Readings per second acknowledged so far (pauses excluded). */
  rate: number;
  paused: boolean;
  /** Wall ms the replay should take at the requested speed; null for `max`. */
  plannedMs: number | null;
}

export interface Replay {
  readonly done: Promise<ReplayStats>;
  pause(): void;
  resume(): void;
  readonly paused: boolean;
  /** Stops early; resolves `done` with what was sent. */
  stop(): Promise<ReplayStats>;
  stats(): ReplayStats;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Replays items into a broker, paced by their event times. Connects all publishers first. */
export async function startReplay(options: ReplayOptions): Promise<Replay> {
  const { speed, items } = options;
  if (speed !== 'max' && !(typeof speed === 'number' && Number.isFinite(speed) && speed > 0)) throw invalidOptions('speed must be a positive number or "max"');
  const clock = options.clock ?? Date.now;
  const qos = options.qos ?? 1;
  const maxInFlight = options.maxInFlight ?? 2000;
  const maxPerDevice = options.maxInFlightPerDevice ?? 500;
  const deviceRate = options.deviceRatePerS ?? 100;
  const gatewayIds = new Set(items.filter((i) => i.topic.split('/')[2] === 'gateway').map((i) => i.deviceId));
  /** Token buckets per device: tokens and when they were last refilled. */
  const buckets = new Map<string, { tokens: number; at: number; inFlight: number }>();
  const bucketOf = (deviceId: string): { tokens: number; at: number; inFlight: number } => {
    let b = buckets.get(deviceId);
    if (!b) {
      b = { tokens: deviceRate * (gatewayIds.has(deviceId) ? 10 : 1), at: clock(), inFlight: 0 };
      buckets.set(deviceId, b);
    }
    return b;
  };
  /** Ms until this device may publish again (0 = now), taking a token when it may. */
  const takeToken = (deviceId: string): number => {
    const b = bucketOf(deviceId);
    const rate = deviceRate * (gatewayIds.has(deviceId) ? 10 : 1);
    const now = clock();
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) * rate) / 1000);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) * 1000) / rate);
  };
  const logger = options.logger.child({ module: 'replay' });
  const pool = createPublisherPool({
    brokerUrl: options.brokerUrl,
    credentials: options.credentials,
    logger,
    noDelay: speed !== 'max',
    ...(options.clientIdPrefix ? { clientIdPrefix: options.clientIdPrefix } : {}),
  });
  try {
    await pool.connectAll(items.map((i) => i.deviceId));
  } catch (error) {
    await pool.close();
    throw error;
  }
  const first = items[0]?.eventTime ?? 0;
  const last = items[items.length - 1]?.eventTime ?? first;
  const counters = { published: 0, acked: 0, readings: 0, errors: 0 };
  let inFlight = 0;
  let wake: (() => void) | null = null;
  let paused = false;
  let pausedAt = 0;
  let pausedTotal = 0;
  let stopping = false;
  let finishedAt: number | null = null;
  const startedAt = clock();
  const plannedMs = speed === 'max' ? null : (last - first) / speed;

  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const waitForSignal = (): Promise<void> => new Promise((resolve) => (wake = resolve));

  const elapsed = (): number => (finishedAt ?? clock()) - startedAt - pausedTotal - (paused ? clock() - pausedAt : 0);
  const stats = (): ReplayStats => {
    const ms = elapsed();
    return { total: items.length, ...counters, elapsedMs: ms, rate: ms > 0 ? (counters.readings * 1000) / ms : 0, paused, plannedMs };
  };

  const run = async (): Promise<ReplayStats> => {
    for (const item of items) {
      while (paused && !stopping) await waitForSignal();
      if (stopping) break;
      let delta = 0;
      if (speed !== 'max') {
        const dueOf = (): number => startedAt + pausedTotal + (item.eventTime - first) / speed;
        for (;;) {
          while (paused && !stopping) await waitForSignal();
          if (stopping) break;
          const wait = dueOf() - clock();
          // timers are coarse; everything due within a millisecond goes out as a burst
          if (wait <= 1) break;
          await sleep(Math.min(wait, 250));
        }
        if (stopping) break;
        if (options.timestamps === 'rebase') delta = Math.round(dueOf()) - item.eventTime;
      } else if (options.timestamps === 'rebase') {
        delta = startedAt - last;
      }
      while (inFlight >= maxInFlight && !stopping) await waitForSignal();
      const bucket = bucketOf(item.deviceId);
      while (bucket.inFlight >= maxPerDevice && !stopping) await waitForSignal();
      // stay under the center's per-device publish rate (head-of-line: per-sensor order matters more than overtaking)
      for (let wait = takeToken(item.deviceId); wait > 0 && !stopping; wait = takeToken(item.deviceId)) await sleep(wait);
      if (stopping) break;
      const client = pool.get(item.deviceId);
      if (!client) {
        counters.errors++;
        continue;
      }
      inFlight++;
      bucket.inFlight++;
      counters.published++;
      client.publish(withCity(item.topic, options.city), retimePayload(item.payload, delta), { qos }, (error) => {
        inFlight--;
        bucket.inFlight--;
        if (error) {
          counters.errors++;
          if (!stopping) logger.warn({ err: error, deviceId: item.deviceId }, 'replay publish failed');
        } else {
          counters.acked++;
          counters.readings += item.readings ?? 1;
        }
        notify();
      });
      // in max mode the in-flight window is what yields; give I/O a turn now and then regardless
      if (counters.published % 512 === 0) await new Promise((r) => setImmediate(r));
    }
    while (inFlight > 0 && !stopping) await waitForSignal();
    finishedAt = clock();
    await pool.close();
    const result = stats();
    logger.info({ ...result }, 'replay finished');
    return result;
  };

  const done = run();
  return {
    done,
    get paused() {
      return paused;
    },
    pause() {
      if (paused || finishedAt !== null) return;
      paused = true;
      pausedAt = clock();
    },
    resume() {
      if (!paused) return;
      pausedTotal += clock() - pausedAt;
      paused = false;
      notify();
    },
    async stop() {
      stopping = true;
      if (paused) {
        pausedTotal += clock() - pausedAt;
        paused = false;
      }
      notify();
      return done;
    },
    stats,
  };
}
