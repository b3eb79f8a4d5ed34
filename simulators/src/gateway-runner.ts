import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { gatewayTelemetryTopic, type Domain } from '@cityops/contracts';
import { connectFailed } from './errors.ts';

export interface SimulatedGateway {
  id: string;
  credentials: { username: string; password: string };
  /** Sensors this gateway speaks for; they do not connect themselves. */
  sensorIds: readonly string[];
  /** How often the gateway sends what it has collected (default 1 s). */
  flushMs?: number;
}

export interface GatewayRunner {
  readonly id: string;
  /** Queues one reading for the next batch. */
  add(sensorId: string, domain: Domain, payload: object): void;
  connected(): boolean;
  stop(): Promise<void>;
}

/** Readings per batch at most, so a batch stays well under the broker's 64 KiB gateway limit. */
const MAX_BATCH = 200;

/**
 * A field gateway (LoRaWAN concentrator, roadside cabinet): one MQTT
 * connection that collects its sensors' readings and publishes them as a
 * contract batch (JSON array, each reading with `sensorId` and `domain`).
 */
export function startGateway(options: {
  gateway: SimulatedGateway;
  brokerUrl: string;
  city: string;
  logger: Logger;
  counters: { published: number; acked: number; errors: number };
  reconnectPeriodMs: number;
}): Promise<GatewayRunner> {
  const { gateway, counters } = options;
  const log = options.logger.child({ gatewayId: gateway.id });
  const topic = gatewayTelemetryTopic(options.city, gateway.id);
  let buffer: object[] = [];
  let stopping = false;
  const client: MqttClient = mqtt.connect(options.brokerUrl, {
    clientId: `sim-gw-${gateway.id}`,
    username: gateway.credentials.username,
    password: gateway.credentials.password,
    clean: true,
    keepalive: 30,
    protocolVersion: 4,
    reconnectPeriod: options.reconnectPeriodMs,
  });
  const flush = (): void => {
    // while disconnected the gateway keeps collecting, like a real one with a store-and-forward buffer
    while (buffer.length > 0 && client.connected) {
      const batch = buffer.slice(0, MAX_BATCH);
      buffer = buffer.slice(batch.length);
      counters.published += batch.length;
      client.publish(topic, JSON.stringify(batch), { qos: 1 }, (error) => {
        if (error) {
          if (!stopping) {
            counters.errors++;
            log.warn({ err: error }, 'gateway batch not delivered');
          }
        } else counters.acked += batch.length;
      });
    }
  };
  const timer = setInterval(flush, gateway.flushMs ?? 1000);
  timer.unref();
  const runner: GatewayRunner = {
    id: gateway.id,
    add(sensorId, domain, payload) {
      buffer.push({ ...payload, sensorId, domain });
    },
    connected: () => client.connected,
    async stop() {
      stopping = true;
      clearInterval(timer);
      flush();
      await client.endAsync(false).catch(() => client.endAsync(true));
    },
  };
  return new Promise((resolve) => {
    client.once('connect', () => resolve(runner));
    client.on('error', (error: Error & { code?: unknown }) => {
      counters.errors++;
      if (typeof error.code === 'number') {
        const err = connectFailed(gateway.id, error);
        log.error({ code: err.code }, err.message);
        client.end(true);
        resolve(runner);
      }
    });
  });
}
