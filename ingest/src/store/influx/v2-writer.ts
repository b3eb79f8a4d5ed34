import { HttpError, InfluxDB } from '@influxdata/influxdb-client';
import { storeUnavailableError } from '../../errors.ts';
import { writeFailure } from './influx-http.ts';

export interface V2WriterOptions {
  url: string;
  token?: string;
  org: string;
  bucket: string;
  timeoutMs: number;
  /** the client's gzip costs ~20 % on loopback (platform-notes); off unless a body is this big */
  gzipThreshold?: number;
}

/**
 * One `/api/v2/write` request per call through @influxdata/influxdb-client's WriteApi.
 * The WriteApi sends a batch early once it reaches batchSize and its flush()/close()
 * do not await such batches, so each call gets its own WriteApi whose batchSize is
 * larger than the chunk: close() then sends exactly this chunk and settles with it.
 * Retries are ours (the spool), so the client's are off and writeFailed turns a
 * failure into close()'s rejection.
 */
export function createV2Writer(options: V2WriterOptions): (lines: string[]) => Promise<void> {
  const influx = new InfluxDB({ url: options.url, ...(options.token ? { token: options.token } : {}), timeout: options.timeoutMs });
  return async (lines) => {
    if (lines.length === 0) return;
    const api = influx.getWriteApi(options.org, options.bucket, 'ms', {
      batchSize: lines.length + 1,
      maxBatchBytes: Number.MAX_SAFE_INTEGER,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: 0,
      gzipThreshold: options.gzipThreshold ?? Number.MAX_SAFE_INTEGER,
      writeFailed: (error) => Promise.reject(error),
    });
    api.writeRecords(lines);
    try {
      await api.close();
    } catch (err) {
      if (err instanceof HttpError) throw writeFailure(err.statusCode, err.body ?? err.message);
      throw storeUnavailableError(`POST /api/v2/write failed: ${(err as Error).message}`, err);
    }
  };
}
