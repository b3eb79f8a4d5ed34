import type { HistoryQuery, HistorySeries, Reading } from '@cityops/contracts';

export type { HistoryPoint, HistoryQuery, HistorySeries } from '@cityops/contracts';

/** The storage port. Every adapter passes describeTelemetryStoreContract. */
export interface TelemetryStore {
  /** Durable when it resolves; the same (domain, sensorId, ts) overwrites the earlier reading. */
  write(readings: readonly Reading[]): Promise<void>;
  history(query: HistoryQuery): Promise<HistorySeries>;
  /** The latest reading (by ts) of every sensor that has one. */
  latest(): Promise<Reading[]>;
  count(filter?: { sensorId?: string }): Promise<number>;
  close(): Promise<void>;
}
