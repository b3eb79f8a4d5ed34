/**
 * One line of a recording (NDJSON): the receive time, the topic, and the
 * payload exactly as it crossed the broker. Payloads that are valid UTF-8 are
 * kept as a string so a recording stays greppable; anything else (a malformed
 * device, a fault-injection run) is kept as base64 so replay is byte-exact.
 */
export interface RecordedMessage {
  /** Epoch ms when the recorder received the message. */
  receivedAt: number;
  topic: string;
  payload: Buffer;
}

interface Line {
  t: number;
  topic: string;
  payload?: string;
  payloadBase64?: string;
}

const utf8RoundTrips = (payload: Buffer): string | null => {
  const text = payload.toString('utf8');
  return Buffer.byteLength(text, 'utf8') === payload.length && Buffer.from(text, 'utf8').equals(payload) ? text : null;
};

export function encodeRecordedMessage(message: RecordedMessage): string {
  const text = utf8RoundTrips(message.payload);
  const line: Line =
    text !== null
      ? { t: message.receivedAt, topic: message.topic, payload: text }
      : { t: message.receivedAt, topic: message.topic, payloadBase64: message.payload.toString('base64') };
  return `${JSON.stringify(line)}\n`;
}

/** Null for a line that is not a recorded message (truncated tail of a crashed recorder, hand edits). */
export function decodeRecordedMessage(line: string): RecordedMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { t, topic, payload, payloadBase64 } = value as Partial<Line>;
  if (typeof t !== 'number' || !Number.isFinite(t) || typeof topic !== 'string' || topic.length === 0) return null;
  if (typeof payload === 'string') return { receivedAt: t, topic, payload: Buffer.from(payload, 'utf8') };
  if (typeof payloadBase64 === 'string') return { receivedAt: t, topic, payload: Buffer.from(payloadBase64, 'base64') };
  return null;
}
