import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { encodeRecordedMessage, type RecordedMessage } from './recorded-message.ts';

export interface RecordingWriterOptions {
  /** Folder for the `.ndjson.gz` files (created if missing). */
  dir: string;
  /** File name prefix (default `cityops`). */
  prefix?: string;
  /**
   * Start a new file once the current one holds this many bytes of NDJSON
   * (before compression, so a file on disk is always smaller; default 256 MiB).
   * Counted before compression because gzip reaches the disk asynchronously:
   * rotation must not depend on how busy the machine is.
   */
  maxBytes?: number;
  /** Start a new file once the current one is this old (default 1 h). */
  maxAgeMs?: number;
  clock?: () => number;
}

export interface RecordingWriter {
  write(message: RecordedMessage): void;
  /** Files started so far, in order. */
  files(): string[];
  /** Messages written so far. */
  count(): number;
  /** Ends the current file; resolves once every file is complete on disk. */
  close(): Promise<string[]>;
}

interface OpenFile {
  path: string;
  gzip: Gzip;
  out: WriteStream;
  openedAt: number;
  bytes: number;
  done: Promise<void>;
}

const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/**
 * Gzip-compressed NDJSON, rotated by size or age. Each file is a complete gzip
 * stream on its own, so a rotated file can be copied away (or replayed) while
 * recording goes on. Names sort in recording order: `<prefix>-<start>-<seq>.ndjson.gz`.
 */
export function createRecordingWriter(options: RecordingWriterOptions): RecordingWriter {
  const clock = options.clock ?? Date.now;
  const prefix = options.prefix ?? 'cityops';
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  const maxAgeMs = options.maxAgeMs ?? 3_600_000;
  mkdirSync(options.dir, { recursive: true });
  const startedAt = stamp(clock());
  const paths: string[] = [];
  const closing: Promise<void>[] = [];
  let current: OpenFile | null = null;
  let written = 0;
  let closed = false;

  const open = (): OpenFile => {
    const path = join(options.dir, `${prefix}-${startedAt}-${String(paths.length + 1).padStart(4, '0')}.ndjson.gz`);
    const gzip = createGzip();
    const out = createWriteStream(path);
    gzip.pipe(out);
    paths.push(path);
    return { path, gzip, out, openedAt: clock(), bytes: 0, done: finished(out) };
  };

  const finish = (file: OpenFile): void => {
    file.gzip.end();
    closing.push(file.done);
  };

  return {
    write(message) {
      if (closed) return;
      if (current && (current.bytes >= maxBytes || clock() - current.openedAt >= maxAgeMs)) {
        finish(current);
        current = null;
      }
      current ??= open();
      const line = encodeRecordedMessage(message);
      current.bytes += Buffer.byteLength(line);
      current.gzip.write(line);
      written++;
    },
    files: () => [...paths],
    count: () => written,
    async close() {
      if (!closed) {
        closed = true;
        if (current) finish(current);
        current = null;
      }
      await Promise.all(closing);
      return [...paths];
    },
  };
}
