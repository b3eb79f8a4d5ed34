import { parseTopic } from '@cityops/contracts';

/** One message to replay: where it goes, its exact bytes, and the event time that orders and paces it. */
export interface ReplayItem {
  /** Epoch ms: the reading's own `ts`, or the receive time when the payload has none (batches, garbage). */
  eventTime: number;
  /** Full topic as recorded; the replayer swaps in the target city. */
  topic: string;
  payload: Buffer;
  /** The device that owns the topic (sensor or gateway id): whose credentials publish it. */
  deviceId: string;
  /** Sensors the message speaks for (one for a sensor topic, the batch's sensors for a gateway). */
  sensorIds: readonly string[];
  /** Readings the message carries when it is a batch made by the replayer (default 1). */
  readings?: number;
}

/** `ts` of a contract reading (ISO-8601 with offset, or epoch ms) → epoch ms, else null. */
export function readingTime(ts: unknown): number | null {
  if (typeof ts === 'number') return Number.isFinite(ts) ? ts : null;
  if (typeof ts !== 'string') return null;
  const ms = Date.parse(ts);
  return Number.isFinite(ms) ? ms : null;
}

/** The city level of a contract topic (`city/{city}/...`), or null. */
export const topicCity = (topic: string): string | null => {
  const parts = topic.split('/');
  return parts[0] === 'city' && parts.length > 2 ? (parts[1] ?? null) : null;
};

export const withCity = (topic: string, city: string): string => {
  const parts = topic.split('/');
  if (parts[0] !== 'city' || parts.length < 3) return topic;
  parts[1] = city;
  return parts.join('/');
};

/** Turns a recorded (topic, payload, receive time) into a replay item; null for topics that are not telemetry. */
export function itemFromMessage(topic: string, payload: Buffer, receivedAt: number): ReplayItem | null {
  const city = topicCity(topic);
  if (city === null) return null;
  const parsed = parseTopic(city, topic);
  if (parsed === null) return null;
  let body: unknown = undefined;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    // malformed payloads are replayed as they were recorded: the center must see them again
  }
  if (parsed.kind === 'telemetry' || parsed.kind === 'status') {
    const ts = typeof body === 'object' && body !== null && !Array.isArray(body) ? readingTime((body as { ts?: unknown }).ts) : null;
    return { eventTime: ts ?? receivedAt, topic, payload, deviceId: parsed.sensorId, sensorIds: [parsed.sensorId] };
  }
  if (parsed.kind === 'gateway') {
    const sensorIds = Array.isArray(body)
      ? [...new Set(body.map((r: unknown) => (typeof r === 'object' && r !== null ? (r as { sensorId?: unknown }).sensorId : undefined)).filter((id): id is string => typeof id === 'string'))]
      : [];
    return { eventTime: receivedAt, topic, payload, deviceId: parsed.gatewayId, sensorIds };
  }
  return null;
}
