import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Domain, Reading, RejectReason } from '@cityops/contracts';
import { decodeGatewayBatch, decodeReading } from '../decode/decode-reading.ts';
import { MAX_DEAD_LETTER_PAYLOAD_BYTES, type DeadLetterStore } from '../dead-letters/sqlite-dead-letter-store.ts';
import { ingestClosedError, isIngestError, storeWriteFailedError } from '../errors.ts';
import type { TelemetryStore } from '../store/telemetry-store.ts';
import { createGroupCommitter } from './group-commit.ts';
import { createIngestMetrics } from './metrics.ts';
import { authorizeGatewayReading, enrichReading } from './steps.ts';
import type {
  HandleResult,
  InboundPublishLike,
  ReadingListener,
  RejectedMessage,
  SensorLookup,
} from './types.ts';

export interface IngestOptions {
  store: TelemetryStore;
  deadLetters: DeadLetterStore;
  sensors: SensorLookup;
  metrics: Registry;
  logger: Logger;
  /** fallback receive time when a message carries none */
  clock?: () => number;
  batch?: { maxReadings?: number; maxDelayMs?: number };
}

export interface Ingest {
  /** Resolves once the accepted readings are durable; rejects only if the store fails (no PUBACK then). */
  handle(message: InboundPublishLike): Promise<HandleResult>;
  /** Records a publish the broker denied (counted and dead-lettered like any rejection). */
  reject(message: RejectedMessage, reason: RejectReason, detail: string): void;
  /** Called after each reading is durable, in commit order. Returns an unsubscribe function. */
  onReading(listener: ReadingListener): () => void;
  /** Stops accepting messages and waits until everything queued is durable (or failed). */
  close(): Promise<void>;
  /** Readings queued or being written (for readiness and backpressure checks). */
  pending(): number;
}

export const DEFAULT_BATCH_MAX_READINGS = 1000;
export const DEFAULT_BATCH_MAX_DELAY_MS = 5;

// Decoding more than the dead-letter limit (plus a char) of a 16 KiB payload is wasted work.
const payloadText = (payload: Buffer | string): string =>
  typeof payload === 'string' ? payload : payload.subarray(0, MAX_DEAD_LETTER_PAYLOAD_BYTES + 4).toString('utf8');

/**
 * The reading pipeline as named steps: decode → validate (decodeReading /
 * decodeGatewayBatch) → authorize (gateways) → enrich (registry) → persist
 * (group commit) → notify. Bad device input never throws: it is counted by
 * reason and dead-lettered.
 */
export function createIngest(options: IngestOptions): Ingest {
  const { store, deadLetters, sensors } = options;
  const log = options.logger.child({ module: 'ingest' });
  const metrics = createIngestMetrics(options.metrics);
  const clock = options.clock ?? Date.now;
  const listeners: ReadingListener[] = [];
  const accepted: Record<Domain, number> = { traffic: 0, flood: 0, air: 0 };

  const notify = (readings: readonly Reading[]): void => {
    accepted.traffic = accepted.flood = accepted.air = 0;
    for (const r of readings) accepted[r.domain]++;
    for (const d of ['traffic', 'flood', 'air'] as const) if (accepted[d] > 0) metrics.accepted(d, accepted[d]);
    if (listeners.length === 0) return;
    // Snapshot: a listener unsubscribing mid-batch must not skip its neighbour.
    const current = listeners.slice();
    for (const r of readings) {
      for (const listener of current) {
        try {
          listener(r);
        } catch (err) {
          log.error({ err, sensorId: r.sensorId }, 'reading listener threw; continuing with the next');
        }
      }
    }
  };

  const committer = createGroupCommitter({
    write: (readings) => store.write(readings),
    maxReadings: options.batch?.maxReadings ?? DEFAULT_BATCH_MAX_READINGS,
    maxDelayMs: options.batch?.maxDelayMs ?? DEFAULT_BATCH_MAX_DELAY_MS,
    onCommitted(readings, durationMs) {
      metrics.committed(readings.length, durationMs);
      notify(readings);
    },
    onFailed(readings, err) {
      metrics.rejected('store_rejected', readings.length);
      // Loud on purpose: devices will retry (no PUBACK) but an operator must look.
      log.error({ err, readings: readings.length }, 'telemetry store write failed; the batch is not acknowledged');
      return isIngestError(err, 'CITYOPS_INGEST_STORE_WRITE_FAILED') ? err : storeWriteFailedError(readings.length, err);
    },
  });

  const record = (message: RejectedMessage, reason: RejectReason, detail: string, text?: string): void => {
    metrics.rejected(reason, 1);
    try {
      deadLetters.add({
        receivedAt: message.receivedAt,
        topic: message.topic,
        clientId: message.clientId,
        reason,
        detail,
        payload: text ?? payloadText(message.payload),
      });
    } catch (err) {
      log.warn({ err, reason }, 'could not write a dead letter');
    }
    if (log.isLevelEnabled('debug')) log.debug({ topic: message.topic, clientId: message.clientId, reason, detail }, 'reading rejected');
  };

  const handleSensor = (message: InboundPublishLike, domain: Domain, sensorId: string, receivedAt: number): Promise<HandleResult> => {
    const result = decodeReading(domain, sensorId, message.payload, receivedAt);
    if (!result.ok) {
      record(message, result.reason, result.detail);
      return Promise.resolve({ accepted: 0, rejected: 1 });
    }
    const denied = enrichReading(sensors, result.reading);
    if (denied !== null) {
      record(message, denied.reason, denied.detail);
      return Promise.resolve({ accepted: 0, rejected: 1 });
    }
    return committer.enqueue([result.reading]).then(() => ({ accepted: 1, rejected: 0 }));
  };

  const handleGateway = (message: InboundPublishLike, gatewayId: string, receivedAt: number): Promise<HandleResult> => {
    const results = decodeGatewayBatch(message.payload, receivedAt);
    const good: Reading[] = [];
    let rejected = 0;
    let text: string | undefined;
    const deny = (reason: RejectReason, detail: string): void => {
      rejected++;
      text ??= payloadText(message.payload);
      record(message, reason, detail, text);
    };
    for (const result of results) {
      if (!result.ok) {
        deny(result.reason, result.detail);
        continue;
      }
      const reading = result.reading;
      const denied = authorizeGatewayReading(gatewayId, message.principal, reading) ?? enrichReading(sensors, reading);
      if (denied !== null) deny(denied.reason, denied.detail);
      else good.push(reading);
    }
    if (good.length === 0) return Promise.resolve({ accepted: 0, rejected });
    return committer.enqueue(good).then(() => ({ accepted: good.length, rejected }));
  };

  let closing: Promise<void> | null = null;

  return {
    handle(message) {
      if (closing !== null) return Promise.reject(ingestClosedError());
      try {
        const receivedAt = Number.isFinite(message.receivedAt) ? message.receivedAt : clock();
        const parsed = message.parsed;
        if (parsed.kind === 'telemetry') return handleSensor(message, parsed.domain, parsed.sensorId, receivedAt);
        if (parsed.kind === 'gateway') return handleGateway(message, parsed.gatewayId, receivedAt);
        record(message, 'not_authorized', `topic ${message.topic} is not a telemetry topic`);
        return Promise.resolve({ accepted: 0, rejected: 1 });
      } catch (err) {
        // A bug, not bad input: keep the broker and the other devices going.
        metrics.internalError();
        log.error({ err, topic: message.topic, clientId: message.clientId }, 'ingest failed unexpectedly on a message');
        return Promise.resolve({ accepted: 0, rejected: 1 });
      }
    },

    reject(message, reason, detail) {
      try {
        record(message, reason, detail);
      } catch (err) {
        metrics.internalError();
        log.error({ err }, 'ingest could not record a broker rejection');
      }
    },

    onReading(listener) {
      listeners.push(listener);
      return () => {
        const i = listeners.indexOf(listener);
        if (i >= 0) listeners.splice(i, 1);
      };
    },

    close() {
      closing ??= (async () => {
        await committer.flush();
        const flushable = deadLetters as Partial<{ flush(): void }>;
        try {
          flushable.flush?.();
        } catch (err) {
          log.warn({ err }, 'could not flush dead letters at close');
        }
      })();
      return closing;
    },

    pending: () => committer.pending(),
  };
}
