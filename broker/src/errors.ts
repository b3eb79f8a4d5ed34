/**
 * The broker's error catalogue. Codes are stable (tests and callers match on
 * `code`, never on the message).
 */
export type BrokerErrorCode =
  | 'CITYOPS_BROKER_DEVICE_EXISTS'
  | 'CITYOPS_BROKER_DEVICE_NOT_FOUND'
  | 'CITYOPS_BROKER_INVALID_DEVICE_ID'
  | 'CITYOPS_BROKER_INVALID_DEVICE'
  | 'CITYOPS_BROKER_INVALID_TOPIC'
  | 'CITYOPS_BROKER_LIMIT_EXCEEDED'
  | 'CITYOPS_BROKER_NOT_LISTENING'
  | 'CITYOPS_BROKER_PUBLISH_FAILED'
  | 'CITYOPS_BROKER_TELEMETRY_FAILED';

export class BrokerError extends Error {
  readonly code: BrokerErrorCode;

  constructor(code: BrokerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrokerError';
    this.code = code;
  }
}

export const deviceExists = (id: string): BrokerError =>
  new BrokerError('CITYOPS_BROKER_DEVICE_EXISTS', `device "${id}" is already registered`);

export const deviceNotFound = (id: string): BrokerError =>
  new BrokerError('CITYOPS_BROKER_DEVICE_NOT_FOUND', `device "${id}" is not registered`);

export const invalidDeviceId = (id: string): BrokerError =>
  new BrokerError(
    'CITYOPS_BROKER_INVALID_DEVICE_ID',
    `device id ${JSON.stringify(id)} does not match ^[a-z0-9][a-z0-9_-]{1,63}$`,
  );

export const invalidDevice = (detail: string): BrokerError =>
  new BrokerError('CITYOPS_BROKER_INVALID_DEVICE', detail);

export const invalidTopic = (topic: string, detail: string): BrokerError =>
  new BrokerError('CITYOPS_BROKER_INVALID_TOPIC', `topic ${JSON.stringify(topic)}: ${detail}`);

/** Handed to Aedes to disconnect a client over a limit (publish rate, in-flight, topic size). */
export const limitExceeded = (limit: string, detail: string): BrokerError =>
  new BrokerError('CITYOPS_BROKER_LIMIT_EXCEEDED', `${limit}: ${detail}`);

export const notListening = (): BrokerError =>
  new BrokerError('CITYOPS_BROKER_NOT_LISTENING', 'the broker is closed');

export const publishFailed = (topic: string, cause: unknown): BrokerError =>
  new BrokerError('CITYOPS_BROKER_PUBLISH_FAILED', `publishing to ${topic} failed`, { cause });

/** Handed to Aedes so the offending connection is closed without a PUBACK (the device retries). */
export const telemetryFailed = (topic: string, cause: unknown): BrokerError =>
  new BrokerError('CITYOPS_BROKER_TELEMETRY_FAILED', `telemetry on ${topic} was not made durable`, { cause });

export function isBrokerError(err: unknown, code?: BrokerErrorCode): err is BrokerError {
  return err instanceof BrokerError && (code === undefined || err.code === code);
}
