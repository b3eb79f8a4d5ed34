import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from './reading.ts';
import type { Domain } from './domains.ts';

/** contracts §1: retained status topic payload, also used as the Last Will with `online: false`. */
export const StatusPayload = Type.Object({
  online: Type.Boolean(),
  ts: Type.Optional(Timestamp),
});
export type StatusPayload = Static<typeof StatusPayload>;

/** What the center knows about a sensor's connectivity; sent as Socket.IO `sensor:status`. */
export interface SensorStatus {
  sensorId: string;
  domain: Domain;
  online: boolean;
  /** epoch ms of the status change */
  since: number;
}
