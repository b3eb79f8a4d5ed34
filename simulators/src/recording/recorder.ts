import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { parseTopic } from '@cityops/contracts';
import { subscribeFailed } from '../errors.ts';
import { createRecordingWriter, type RecordingWriter, type RecordingWriterOptions } from './recording-writer.ts';

export interface RecorderOptions extends RecordingWriterOptions {
  brokerUrl: string;
  city: string;
  /** An integrator account: the only kind the broker lets read `city/{city}/#`. */
  credentials: { username: string; password: string };
  logger: Logger;
  /** Also record retained/live status messages (default false: telemetry and gateway batches only). */
  includeStatus?: boolean;
  clientId?: string;
}

export interface RecorderStats {
  recorded: number;
  /** Messages on the city tree that are not telemetry (alerts, status unless asked for). */
  ignored: number;
  files: number;
}

export interface Recorder {
  stats(): RecorderStats;
  files(): string[];
  stop(): Promise<string[]>;
}

/**
 * Subscribes to the city's tree as an integrator and writes every telemetry
 * message (topic, exact payload bytes, receive time) to rotating gzip NDJSON.
 * Resolves once the subscription is granted, so nothing published afterwards is missed.
 */
export async function startRecorder(options: RecorderOptions): Promise<Recorder> {
  const logger = options.logger.child({ module: 'recorder' });
  const clock = options.clock ?? Date.now;
  const writer: RecordingWriter = createRecordingWriter(options);
  let ignored = 0;
  const client: MqttClient = mqtt.connect(options.brokerUrl, {
    clientId: options.clientId ?? `recorder-${process.pid}-${clock().toString(36)}`,
    username: options.credentials.username,
    password: options.credentials.password,
    clean: true,
    protocolVersion: 4,
    reconnectPeriod: 1000,
  });
  client.on('message', (topic, payload, packet) => {
    const parsed = parseTopic(options.city, topic);
    const wanted = parsed !== null && (parsed.kind === 'telemetry' || parsed.kind === 'gateway' || (options.includeStatus === true && parsed.kind === 'status'));
    // retained messages replayed on subscribe are old state, not live telemetry
    if (!wanted || packet.retain) {
      ignored++;
      return;
    }
    writer.write({ receivedAt: clock(), topic, payload });
  });
  client.on('error', (err) => logger.warn({ err }, 'recorder connection error'));
  const filter = `city/${options.city}/#`;
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    const granted = await client.subscribeAsync(filter, { qos: 1 }).catch((error: Error) => {
      throw subscribeFailed(filter, error.message);
    });
    const qos = granted[0]?.qos;
    if (qos === undefined || qos === 128) throw subscribeFailed(filter, 'the broker refused it (is the account an integrator?)');
  } catch (error) {
    await client.endAsync(true).catch(() => undefined);
    await writer.close();
    throw error;
  }
  logger.info({ filter, dir: options.dir }, 'recording');
  let stopped: Promise<string[]> | null = null;
  return {
    stats: () => ({ recorded: writer.count(), ignored, files: writer.files().length }),
    files: () => writer.files(),
    stop() {
      stopped ??= client.endAsync(false).then(async () => {
        const files = await writer.close();
        logger.info({ recorded: writer.count(), files: files.length }, 'recording stopped');
        return files;
      });
      return stopped;
    },
  };
}
