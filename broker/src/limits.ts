import type { LoginThrottleLimits } from './login-throttle.ts';
import type { RateLimit } from './token-buckets.ts';

/** What one connection, device or address may do before it is cut off. */
export interface ConnectionLimits {
  /** largest whole MQTT packet, refused from its fixed header before the body is buffered */
  maxPacketBytes: number;
  /** a CONNECT must have arrived this long after the TCP/WebSocket connection opened */
  connectTimeoutMs: number;
  /** a packet that has begun must be complete within this time (slow-loris) */
  packetTimeoutMs: number;
  /** PUBLISH topic names and SUBSCRIBE filters, UTF-8 bytes */
  maxTopicLength: number;
  /** levels ('/'-separated) in a topic name or filter */
  maxTopicDepth: number;
  /** QoS 1/2 PUBLISHes of one connection awaiting their durable PUBACK at once */
  maxInflight: number;
  /** PUBLISHes per device (all its connections together); gateways get ten times this */
  publishRate: RateLimit;
  /** open connections, all transports together */
  maxConnections: number;
  /** open connections of one device (any client ids); more are refused with CONNACK 3 */
  maxConnectionsPerDevice: number;
  /** new connections per client address */
  connectionRate: RateLimit;
  loginFailures: LoginThrottleLimits;
  /** how often connected devices' credentials are re-checked (rotated or removed → session closed) */
  credentialCheckMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  // A gateway batch (64 KiB payload) plus topic and header fits with room to spare.
  maxPacketBytes: 66 * 1024,
  connectTimeoutMs: 10_000,
  packetTimeoutMs: 15_000,
  // Contract topics are five levels and well under 200 bytes (contracts §1).
  maxTopicLength: 256,
  maxTopicDepth: 8,
  maxInflight: 1_000,
  // Sensors report every few seconds at most; a gateway batches. Generous, but bounded.
  publishRate: Object.freeze({ perSecond: 100, burst: 500 }),
  maxConnections: 20_000,
  // A device has one connection; a few more cover a reconnect racing a half-open old one and a replay.
  maxConnectionsPerDevice: 8,
  // Many devices may share one address behind a carrier's NAT.
  connectionRate: Object.freeze({ perSecond: 100, burst: 1_000 }),
  loginFailures: Object.freeze({ perAddress: 30, perUsername: 10, windowMs: 60_000, lockoutMs: 60_000 }),
  credentialCheckMs: 30_000,
});

export function resolveLimits(overrides: Partial<ConnectionLimits> = {}): ConnectionLimits {
  return {
    ...DEFAULT_CONNECTION_LIMITS,
    ...overrides,
    publishRate: { ...DEFAULT_CONNECTION_LIMITS.publishRate, ...overrides.publishRate },
    connectionRate: { ...DEFAULT_CONNECTION_LIMITS.connectionRate, ...overrides.connectionRate },
    loginFailures: { ...DEFAULT_CONNECTION_LIMITS.loginFailures, ...overrides.loginFailures },
  };
}

/** How deep and long a topic is; MQTT topic lengths are counted in UTF-8 bytes [MQTT-1.5.3]. */
export function topicExceeds(topic: string, limits: Pick<ConnectionLimits, 'maxTopicLength' | 'maxTopicDepth'>): string | null {
  const bytes = Buffer.byteLength(topic, 'utf8');
  if (bytes > limits.maxTopicLength) return `topic of ${bytes} bytes exceeds ${limits.maxTopicLength}`;
  let depth = 1;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) === 47) depth++;
  if (depth > limits.maxTopicDepth) return `topic of ${depth} levels exceeds ${limits.maxTopicDepth}`;
  return null;
}
