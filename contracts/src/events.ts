import type { Alert } from './alert.ts';
import type { LiveReading } from './air-quality.ts';
import type { SensorStatus } from './status.ts';

/** contracts §5: Socket.IO default namespace, typed for both the server and the map. */
export interface ServerToClientEvents {
  /** Latest readings, coalesced per sensor and batched; air readings carry `aqi`. */
  telemetry: (readings: LiveReading[]) => void;
  'sensor:status': (status: SensorStatus) => void;
  /** Any alert change (raised, escalated, acknowledged, resolved). */
  alert: (alert: Alert) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClientToServerEvents {}
