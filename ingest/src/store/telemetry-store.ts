import type { HistoryQuery, HistorySeries, Reading } from '@cityops/contracts';

export type { HistoryPoint, HistoryQuery, HistorySeries } from '@cityops/contracts';

/** A time window [from, to) in epoch ms, like a history query's. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** The storage port. Every adapter passes describeTelemetryStoreContract. */
export interface TelemetryStore {
  /** Durable when it resolves; the same (domain, sensorId, ts) overwrites the earlier reading. */
  write(readings: readonly Reading[]): Promise<void>;
  history(query: HistoryQuery): Promise<HistorySeries>;
  /** The latest reading (by ts) of every sensor that has one. */
  latest(): Promise<Reading[]>;
  /**
   * The last reading (by ts) in [from, to) of every sensor that has one there:
   * the city as it stood just before `to`, for all sensors in one batched query
   * per domain (not one per sensor). Ordered by domain (DOMAINS order), then sensorId.
   */
  latestIn(window: TimeWindow): Promise<Reading[]>;
  count(filter?: { sensorId?: string }): Promise<number>;
  close(): Promise<void>;
}
