export { decodeReading, decodeGatewayBatch, decodeObject, type DecodeResult } from './decode/decode-reading.ts';
export { parseTimestamp, type TimestampResult } from './decode/timestamp.ts';
export type { HistoryQuery, HistoryPoint, HistorySeries, TelemetryStore, TimeWindow } from './store/telemetry-store.ts';
export {
  createEmbeddedTelemetryStore,
  EMBEDDED_STORE_FILE,
  type EmbeddedTelemetryStoreOptions,
} from './store/embedded-store.ts';
export {
  createInfluxTelemetryStore,
  DEFAULT_INFLUX_CHUNK_READINGS,
  DEFAULT_INFLUX_MAX_IN_FLIGHT,
  type InfluxTelemetryStoreOptions,
  type LinesWriter,
} from './store/influx/influx-store.ts';
export { readingToLine, readingsToLines } from './store/influx/line-protocol.ts';
export {
  ROLLUP_MS,
  DEFAULT_RAW_RETENTION_MS,
  DEFAULT_ROLLUP_RETENTION_MS,
  DEFAULT_ROLLUP_HISTORY_MIN_RANGE_MS,
  isRollupStore,
  rollupMeasurement,
  type RollupStore,
} from './rollup/rollup-port.ts';
export {
  isDistrictHistoryStore,
  type DistrictHistoryQuery,
  type DistrictHistorySeries,
  type DistrictHistoryStore,
} from './store/district-history.ts';
export { createRollupJob, type RollupJob, type RollupJobOptions } from './rollup/rollup-job.ts';
export { openSpool, DEFAULT_SPOOL_MAX_BYTES, type Spool, type SpoolBatch, type SpoolOptions, type SpoolPosition } from './spool/spool.ts';
export { createSpoolMetrics, type SpoolMetrics } from './spool/spool-metrics.ts';
export { createSpooledTelemetryStore, type SpooledTelemetryStore, type SpooledTelemetryStoreOptions } from './spool/spooled-store.ts';
export {
  createSqliteDeadLetterStore,
  truncateUtf8,
  MAX_DEAD_LETTER_PAYLOAD_BYTES,
  DEFAULT_MAX_DEAD_LETTERS,
  type DeadLetter,
  type DeadLetterStore,
  type SqliteDeadLetterStore,
} from './dead-letters/sqlite-dead-letter-store.ts';
export {
  createIngest,
  DEFAULT_BATCH_MAX_READINGS,
  DEFAULT_BATCH_MAX_DELAY_MS,
  type Ingest,
  type IngestOptions,
} from './pipeline/create-ingest.ts';
export { createGroupCommitter, type GroupCommitter, type GroupCommitOptions } from './pipeline/group-commit.ts';
export { authorizeGatewayReading, enrichReading } from './pipeline/steps.ts';
export type {
  InboundPublishLike,
  PrincipalLike,
  RejectedMessage,
  SensorInfo,
  SensorLookup,
  HandleResult,
  ReadingListener,
  StepRejection,
} from './pipeline/types.ts';
export {
  IngestError,
  isIngestError,
  type IngestErrorCode,
} from './errors.ts';
