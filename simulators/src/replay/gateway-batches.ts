import { gatewayTelemetryTopic, parseTopic } from '@cityops/contracts';
import type { ReplayItem } from './replay-item.ts';
import { topicCity } from './replay-item.ts';

export interface GatewayBatchOptions {
  gatewayId: string;
  city: string;
  /** Readings per batch (default 200). */
  maxReadings?: number;
  /** Serialized batch size limit; the broker allows 64 KiB for gateways (default 60,000 bytes). */
  maxBytes?: number;
  /** A batch spans at most this much event time, so paced replays send nothing far ahead of time (default 1 s). */
  maxSpanMs?: number;
}

export interface GatewayBatches {
  items: ReplayItem[];
  /** Readings packed into batches. */
  readings: number;
  /** Messages that cannot ride in a batch (not a JSON reading object, or not a sensor topic): left out. */
  unbatchable: number;
}

/**
 * Packs sensor readings into gateway batches (contracts §1: a JSON array of
 * readings, each with `sensorId` and `domain`) on one gateway topic. One
 * connection carries everything in event-time order, so per-sensor order
 * holds; per message the broker and ingest costs are shared by the batch.
 */
export function batchForGateway(items: readonly ReplayItem[], options: GatewayBatchOptions): GatewayBatches {
  const maxReadings = options.maxReadings ?? 200;
  const maxBytes = options.maxBytes ?? 60_000;
  const maxSpanMs = options.maxSpanMs ?? 1000;
  const topic = gatewayTelemetryTopic(options.city, options.gatewayId);
  const out: ReplayItem[] = [];
  let parts: string[] = [];
  let bytes = 2;
  let first = 0;
  let sensors = new Set<string>();
  let readings = 0;
  let unbatchable = 0;
  const emit = (): void => {
    if (parts.length === 0) return;
    out.push({ eventTime: first, topic, payload: Buffer.from(`[${parts.join(',')}]`), deviceId: options.gatewayId, sensorIds: [...sensors], readings: parts.length });
    parts = [];
    bytes = 2;
    sensors = new Set();
  };
  for (const item of items) {
    const city = topicCity(item.topic);
    const parsed = city === null ? null : parseTopic(city, item.topic);
    let body: unknown = null;
    try {
      body = JSON.parse(item.payload.toString('utf8'));
    } catch {
      // stays null
    }
    if (parsed?.kind !== 'telemetry' || typeof body !== 'object' || body === null || Array.isArray(body)) {
      unbatchable++;
      continue;
    }
    const json = JSON.stringify({ ...(body as object), sensorId: parsed.sensorId, domain: parsed.domain });
    if (parts.length > 0 && (parts.length >= maxReadings || bytes + json.length + 1 > maxBytes || item.eventTime - first > maxSpanMs)) emit();
    if (parts.length === 0) first = item.eventTime;
    parts.push(json);
    bytes += json.length + 1;
    sensors.add(parsed.sensorId);
    readings++;
  }
  emit();
  return { items: out, readings, unbatchable };
}
