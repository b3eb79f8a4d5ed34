import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { connectFailed, missingCredentials } from '../errors.ts';

export type CredentialLookup = (deviceId: string) => { username: string; password: string } | undefined;

export interface PublisherPool {
  /** Connects every device first, so connection time does not eat into the replay's pacing. */
  connectAll(deviceIds: Iterable<string>, concurrency?: number): Promise<void>;
  get(deviceId: string): MqttClient | undefined;
  close(): Promise<void>;
}

/**
 * One MQTT connection per device that owns a replayed topic, with that
 * device's own credentials: the broker's ACLs apply to a replay exactly as to
 * live devices. MQTT keeps per-connection order, so one sensor's readings
 * arrive in the order they were sent.
 */
export function createPublisherPool(options: { brokerUrl: string; credentials: CredentialLookup; logger: Logger; clientIdPrefix?: string; noDelay?: boolean }): PublisherPool {
  const clients = new Map<string, MqttClient>();
  const prefix = options.clientIdPrefix ?? 'replay';
  const connectOne = (deviceId: string): Promise<void> => {
    const credentials = options.credentials(deviceId);
    if (!credentials) return Promise.reject(missingCredentials(deviceId));
    const client = mqtt.connect(options.brokerUrl, {
      clientId: `${prefix}-${deviceId}`,
      username: credentials.username,
      password: credentials.password,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    clients.set(deviceId, client);
    return new Promise((resolve, reject) => {
      client.once('connect', () => {
        // Nagle would hold small readings back for delayed ACKs (platform notes); a flat-out
        // replay is better off with it: coalesced writes cost far fewer syscalls
        const socket = client.stream as unknown as { setNoDelay?: (on: boolean) => void };
        if (options.noDelay !== false) socket.setNoDelay?.(true);
        resolve();
      });
      client.once('error', (error: Error & { code?: unknown }) => {
        client.end(true);
        reject(connectFailed(deviceId, error));
      });
    });
  };
  return {
    async connectAll(deviceIds, concurrency = 20) {
      const ids = [...new Set(deviceIds)].filter((id) => !clients.has(id));
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < ids.length) await connectOne(ids[next++] as string);
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, ids.length)) }, worker));
      options.logger.debug({ devices: clients.size }, 'replay publishers connected');
    },
    get: (deviceId) => clients.get(deviceId),
    async close() {
      await Promise.all([...clients.values()].map((c) => c.endAsync(false).catch(() => c.endAsync(true))));
      clients.clear();
    },
  };
}
