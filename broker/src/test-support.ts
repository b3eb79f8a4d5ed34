// Shared fixtures for this workspace's tests (not exported from index.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from '@cityops/sqlite';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createCityBroker } from './city-broker.ts';
import { createSqliteDeviceAccounts } from './device-accounts.ts';
import type { CityBroker, CityBrokerOptions, DeniedPublish, DeviceAccounts, InboundPublish, SensorStatusEvent } from './types.ts';

export const CITY = 'hcmc';

export interface Harness {
  broker: CityBroker;
  port: number;
  accounts: DeviceAccounts;
  registry: Registry;
  telemetry: InboundPublish[];
  denied: DeniedPublish[];
  statuses: SensorStatusEvent[];
  url(host?: string): string;
  close(): Promise<void>;
}

export interface HarnessOptions extends Partial<Omit<CityBrokerOptions, 'accounts' | 'logger' | 'metrics'>> {}

export async function startHarness(overrides: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cityops-broker-'));
  const db = new Database(path.join(dir, 'center.db'));
  db.pragma('journal_mode = WAL');
  const accounts = createSqliteDeviceAccounts(db, { scryptCost: 1024 });
  const registry = new Registry();
  const telemetry: InboundPublish[] = [];
  const denied: DeniedPublish[] = [];
  const statuses: SensorStatusEvent[] = [];
  const broker = await createCityBroker({
    city: CITY,
    host: '127.0.0.1',
    mqttPort: 0,
    allowAnonymous: false,
    accounts,
    onTelemetry: async (m) => {
      telemetry.push(m);
    },
    onDenied: (d) => denied.push(d),
    onStatus: (s) => statuses.push(s),
    logger: pino({ level: process.env['CITYOPS_TEST_LOG'] ?? 'silent' }),
    metrics: registry,
    ...overrides,
  });
  const { mqttPort } = await broker.listen();
  return {
    broker,
    port: mqttPort,
    accounts,
    registry,
    telemetry,
    denied,
    statuses,
    url: (host = '127.0.0.1') => `mqtt://${host.includes(':') ? `[${host}]` : host}:${mqttPort}`,
    async close() {
      await broker.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const clients = new Set<MqttClient>();

/** MQTT.js client that fails fast instead of reconnecting, tracked for cleanup. */
export async function connect(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, protocolVersion: 4, ...options });
  clients.add(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => {
      client.removeListener('error', reject);
      resolve(client);
    });
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

export async function closeAllClients(): Promise<void> {
  await Promise.all([...clients].map((c) => c.endAsync(true).catch(() => undefined)));
  clients.clear();
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return match?.value ?? 0;
}

/** Polls until `check` holds; for observing effects of other connections. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const reading = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ ts: Date.now(), waterLevelCm: 12, intervalS: 60, ...extra });
