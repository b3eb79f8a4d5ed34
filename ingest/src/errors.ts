/**
 * The ingest error catalogue. Codes are stable; tests and callers match on
 * `err.code`, never on the message. Bad device input is never an error here:
 * it becomes a DecodeResult with a RejectReason.
 */
export type IngestErrorCode =
  | 'CITYOPS_INGEST_STORE_CLOSED'
  | 'CITYOPS_INGEST_STORE_OPEN_FAILED'
  | 'CITYOPS_INGEST_STORE_WRITE_FAILED'
  | 'CITYOPS_INGEST_INVALID_QUERY'
  | 'CITYOPS_INGEST_CLOSED'
  | 'CITYOPS_INGEST_STORE_UNAVAILABLE'
  | 'CITYOPS_INGEST_STORE_REJECTED'
  | 'CITYOPS_INGEST_STORE_QUERY_FAILED'
  | 'CITYOPS_INGEST_STORE_CONFIG_INVALID'
  | 'CITYOPS_INGEST_SPOOL_FULL'
  | 'CITYOPS_INGEST_SPOOL_OPEN_FAILED';

export class IngestError extends Error {
  readonly code: IngestErrorCode;

  constructor(code: IngestErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IngestError';
    this.code = code;
  }
}

export const storeClosedError = (): IngestError =>
  new IngestError('CITYOPS_INGEST_STORE_CLOSED', 'the telemetry store is closed');

export const storeOpenFailedError = (path: string, cause: unknown): IngestError =>
  new IngestError('CITYOPS_INGEST_STORE_OPEN_FAILED', `cannot open the telemetry store at ${path}`, { cause });

export const storeWriteFailedError = (readings: number, cause: unknown): IngestError =>
  new IngestError(
    'CITYOPS_INGEST_STORE_WRITE_FAILED',
    `the telemetry store failed to write a batch of ${readings} readings`,
    { cause },
  );

export const invalidQueryError = (detail: string): IngestError =>
  new IngestError('CITYOPS_INGEST_INVALID_QUERY', `invalid history query: ${detail}`);

export const ingestClosedError = (): IngestError =>
  new IngestError('CITYOPS_INGEST_CLOSED', 'ingest is closed; no more messages are accepted');

/** The database could not be reached or answered 5xx/401/404/timeout: worth retrying later. */
export const storeUnavailableError = (detail: string, cause?: unknown): IngestError =>
  new IngestError('CITYOPS_INGEST_STORE_UNAVAILABLE', `the telemetry database is unavailable: ${detail}`, { cause });

/** The database refused the content (HTTP 400/413/422, e.g. a field type conflict): retrying the same points is useless. */
export const storeRejectedError = (status: number, detail: string): IngestError =>
  new IngestError('CITYOPS_INGEST_STORE_REJECTED', `the telemetry database rejected the write (HTTP ${status}): ${detail}`);

export const storeQueryFailedError = (detail: string, cause?: unknown): IngestError =>
  new IngestError('CITYOPS_INGEST_STORE_QUERY_FAILED', `a telemetry query failed: ${detail}`, { cause });

export const storeConfigInvalidError = (detail: string): IngestError =>
  new IngestError('CITYOPS_INGEST_STORE_CONFIG_INVALID', `invalid telemetry store configuration: ${detail}`);

export const spoolFullError = (bytes: number, maxBytes: number): IngestError =>
  new IngestError(
    'CITYOPS_INGEST_SPOOL_FULL',
    `the spool is full (${bytes} of ${maxBytes} bytes); readings are not acknowledged until the database drains it`,
  );

export const spoolOpenFailedError = (dir: string, cause: unknown): IngestError =>
  new IngestError('CITYOPS_INGEST_SPOOL_OPEN_FAILED', `cannot open the spool in ${dir}`, { cause });

export function isIngestError(err: unknown, code?: IngestErrorCode): err is IngestError {
  return err instanceof IngestError && (code === undefined || err.code === code);
}
