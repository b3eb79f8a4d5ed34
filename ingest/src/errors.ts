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
  | 'CITYOPS_INGEST_CLOSED';

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

export function isIngestError(err: unknown, code?: IngestErrorCode): err is IngestError {
  return err instanceof IngestError && (code === undefined || err.code === code);
}
