import type http from 'node:http';
import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Domain, ParsedTopic } from '@cityops/contracts';

export const DEVICE_KINDS = ['sensor', 'gateway', 'integrator'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** Who is behind an MQTT connection, as established at CONNECT. */
export interface DevicePrincipal {
  id: string;
  kind: DeviceKind;
  /** sensors only */
  domain?: Domain;
  /** gateways only: the sensors the gateway speaks for */
  sensorIds?: readonly string[];
}

export interface DeviceCredentials {
  id: string;
  username: string;
  /** shown once; only a scrypt hash is stored */
  password: string;
}

export interface AddDeviceInput {
  id: string;
  kind: DeviceKind;
  domain?: Domain;
  sensorIds?: string[];
}

export interface DeviceAccounts {
  /** throws CITYOPS_BROKER_DEVICE_EXISTS, CITYOPS_BROKER_INVALID_DEVICE_ID, CITYOPS_BROKER_INVALID_DEVICE */
  add(input: AddDeviceInput): Promise<DeviceCredentials>;
  /** throws CITYOPS_BROKER_DEVICE_NOT_FOUND */
  rotate(id: string): Promise<DeviceCredentials>;
  remove(id: string): boolean;
  get(id: string): DevicePrincipal | undefined;
  list(): DevicePrincipal[];
  verify(username: string, password: string): Promise<DevicePrincipal | null>;
}

export type InboundTopic = Extract<ParsedTopic, { kind: 'telemetry' | 'gateway' }>;

export interface InboundPublish {
  topic: string;
  parsed: InboundTopic;
  payload: Buffer;
  clientId: string;
  /** null only for anonymous clients in development mode */
  principal: DevicePrincipal | null;
  /** epoch ms */
  receivedAt: number;
  qos: 0 | 1 | 2;
}

export type DenyReason = 'not_authorized' | 'too_large';

export interface DeniedPublish {
  topic: string;
  payload: Buffer;
  clientId: string;
  username: string | null;
  reason: DenyReason;
  detail: string;
  receivedAt: number;
}

export interface SensorStatusEvent {
  domain: Domain;
  sensorId: string;
  online: boolean;
  /** epoch ms: the payload's `ts`, or the receive time when absent/unparseable */
  ts: number;
  source: 'status' | 'will';
}

/** Largest accepted PUBLISH payload per topic kind, bytes. */
export interface PayloadLimits {
  sensor: number;
  gateway: number;
  status: number;
}

export interface CityBrokerOptions {
  city: string;
  host: string;
  mqttPort: number;
  allowAnonymous: boolean;
  accounts: Pick<DeviceAccounts, 'verify'>;
  /** The QoS 1 PUBACK (QoS 2 PUBREC) is sent only after the returned promise settles successfully. */
  onTelemetry(message: InboundPublish): Promise<void>;
  onDenied(denied: DeniedPublish): void;
  onStatus(event: SensorStatusEvent): void;
  logger: Logger;
  metrics: Registry;
  /** extension: override payload limits (defaults: sensor 16 KiB, gateway 64 KiB, status 1 KiB) */
  limits?: Partial<PayloadLimits>;
}

export interface CityBroker {
  readonly aedes: Aedes;
  listen(): Promise<{ mqttPort: number }>;
  /** MQTT over WebSocket on an existing HTTP server; default path '/mqtt'. Other upgrade requests are left alone. */
  attachWebSocket(server: http.Server, path?: string): void;
  /** QoS 1 retained publish from the center (alerts); an empty payload clears the retained message. */
  publishRetained(topic: string, payload: string | Buffer): Promise<void>;
  close(): Promise<void>;
}
