import type http from 'node:http';
import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Domain, ParsedTopic } from '@cityops/contracts';
import type { ConnectionLimits } from './limits.ts';
import type { BrokerPersistenceOptions } from './persistence.ts';

export type { ConnectionLimits } from './limits.ts';
export type { BrokerPersistenceOptions } from './persistence.ts';

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
  /**
   * extension: an opaque value that changes whenever the device's secret is rotated;
   * undefined once it is removed. Lets the broker drop sessions of revoked credentials.
   */
  credentialVersion?(id: string): string | undefined;
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
  /** `get` is needed only for client-certificate logins (tls.clientCa) */
  accounts: Pick<DeviceAccounts, 'verify'> & Partial<Pick<DeviceAccounts, 'get' | 'credentialVersion'>>;
  /** The QoS 1 PUBACK (QoS 2 PUBREC) is sent only after the returned promise settles successfully. */
  onTelemetry(message: InboundPublish): Promise<void>;
  onDenied(denied: DeniedPublish): void;
  onStatus(event: SensorStatusEvent): void;
  logger: Logger;
  metrics: Registry;
  /** extension: override payload limits (defaults: sensor 16 KiB, gateway 64 KiB, status 1 KiB) */
  limits?: Partial<PayloadLimits>;
  /** extension: abuse limits (see DEFAULT_CONNECTION_LIMITS) */
  connectionLimits?: Partial<ConnectionLimits>;
  /** extension: MQTT over TLS (and secure WebSocket when `wssPort` is set) */
  tls?: BrokerTlsOptions;
  /** extension: where sessions, retained messages, in-flight QoS 1/2 and wills live; default memory */
  persistence?: BrokerPersistenceOptions;
}

export interface BrokerTlsOptions {
  /** PEM certificate chain and private key of the broker */
  cert: string | Buffer;
  key: string | Buffer;
  /** MQTT over TLS port (0 = any free port); default 8883 */
  port?: number;
  /** secure WebSocket (`wss://host:port/mqtt`) on its own HTTPS listener, when set */
  wssPort?: number;
  /**
   * PEM CA that signs device certificates. When set, clients may present a certificate;
   * a valid one whose subject CN is a registered device id logs in as that device
   * without a password. Clients without a certificate still use username/password.
   */
  clientCa?: string | Buffer;
}

export interface ListeningPorts {
  mqttPort: number;
  /** MQTT over TLS, when configured */
  mqttsPort?: number;
  /** secure WebSocket, when configured */
  wssPort?: number;
}

export interface CityBroker {
  readonly aedes: Aedes;
  listen(): Promise<ListeningPorts>;
  /** MQTT over WebSocket on an existing HTTP server; default path '/mqtt'. Other upgrade requests are left alone. */
  attachWebSocket(server: http.Server, path?: string): void;
  /** QoS 1 retained publish from the center (alerts); an empty payload clears the retained message. */
  publishRetained(topic: string, payload: string | Buffer): Promise<void>;
  close(): Promise<void>;
}
