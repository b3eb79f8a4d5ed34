import type { Domain, Reading, RejectReason } from '@cityops/contracts';

/**
 * The parts of the broker's DevicePrincipal ingest relies on. Structural, so
 * ingest does not depend on @cityops/broker (dependencies point one way).
 */
export interface PrincipalLike {
  id: string;
  kind: string;
  domain?: Domain;
  sensorIds?: readonly string[];
}

/** Structurally the broker's InboundPublish (architecture.md). */
export interface InboundPublishLike {
  topic: string;
  parsed: { kind: 'telemetry'; domain: Domain; sensorId: string } | { kind: 'gateway'; gatewayId: string };
  payload: Buffer;
  clientId: string;
  /** null only for anonymous clients in development mode: then a gateway may speak for any sensor */
  principal: PrincipalLike | null;
  /** epoch ms */
  receivedAt: number;
  qos?: 0 | 1 | 2;
}

/** A publish the broker refused before ingest saw it (ACL, size). */
export interface RejectedMessage {
  topic: string;
  payload: Buffer | string;
  clientId: string;
  receivedAt: number;
}

export interface SensorInfo {
  domain: Domain;
  district: string;
  gatewayId?: string;
}

export interface SensorLookup {
  get(sensorId: string): SensorInfo | undefined;
}

export interface HandleResult {
  accepted: number;
  rejected: number;
}

export type ReadingListener = (reading: Reading) => void;

/** A step's verdict on one reading: null = passes, otherwise why not. */
export type StepRejection = { reason: RejectReason; detail: string } | null;
