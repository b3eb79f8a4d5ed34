import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from 'pino';
import type { Reading } from '@cityops/contracts';
import { spoolFullError, spoolOpenFailedError } from '../errors.ts';
import type { SpoolMetrics } from './spool-metrics.ts';

/**
 * The write-ahead spool: an append-only log of reading batches in numbered segment
 * files. A record is [u32 length][u32 crc32][JSON array of readings]; append()
 * returns after fdatasync, so an acknowledged reading survives kill -9 and power
 * loss. A torn tail (crash mid-append, never acknowledged) fails its CRC and is cut
 * off at open. The drain position lives in `checkpoint.json`, written by rename and
 * not fsynced: after a crash the drain may repeat a batch, which the store overwrites
 * (same measurement, tags and ts), so a reading is still stored once.
 */
export interface SpoolPosition {
  segment: number;
  offset: number;
}

export interface SpoolBatch {
  readings: Reading[];
  /** pass to ack() once these readings are in the database */
  end: SpoolPosition;
}

export interface Spool {
  /** durable when it returns; throws CITYOPS_INGEST_SPOOL_FULL at the byte limit */
  append(readings: readonly Reading[]): void;
  /** the oldest records, up to about maxReadings (at least one record), without consuming them */
  peek(maxReadings: number): SpoolBatch | null;
  ack(end: SpoolPosition): void;
  bytes(): number;
  isEmpty(): boolean;
  close(): void;
}

export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  /** a new segment file starts past this size (default 16 MiB); drained segments are deleted */
  segmentBytes?: number;
  logger: Logger;
  metrics: SpoolMetrics;
}

export const DEFAULT_SPOOL_MAX_BYTES = 1024 * 1024 * 1024;
const HEADER = 8;
const CHECKPOINT = 'checkpoint.json';
const segName = (n: number): string => `${String(n).padStart(12, '0')}.wal`;
// Fill levels that log once each time they are crossed upwards.
const LEVELS = [0.5, 0.8, 0.95] as const;

interface Segment {
  n: number;
  size: number;
}

export function openSpool(options: SpoolOptions): Spool {
  const { dir, maxBytes, logger, metrics } = options;
  const log = logger.child({ module: 'spool' });
  const segmentBytes = options.segmentBytes ?? 16 * 1024 * 1024;
  const segments: Segment[] = [];
  let head: SpoolPosition = { segment: 0, offset: 0 };
  let writeFd = -1;
  let readFd = -1;
  let readSeg = -1;
  let total = 0; // bytes in all segments
  let level = 0; // index into LEVELS already announced
  let full = false;

  const path = (n: number): string => join(dir, segName(n));

  try {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir).sort()) {
      const m = /^(\d{12})\.wal$/.exec(f);
      if (m) segments.push({ n: Number(m[1]), size: fstatSize(join(dir, f)) });
    }
    try {
      const cp = JSON.parse(readFileSync(join(dir, CHECKPOINT), 'utf8')) as SpoolPosition;
      if (Number.isInteger(cp.segment) && Number.isInteger(cp.offset)) head = cp;
    } catch {
      // no checkpoint yet: start at the oldest segment
    }
    // Segments before the checkpoint were drained but not yet deleted when the process stopped.
    while (segments.length > 0 && segments[0]!.n < head.segment) unlinkSync(path(segments.shift()!.n));
    if (segments.length === 0 || segments[0]!.n !== head.segment) head = { segment: segments[0]?.n ?? 1, offset: 0 };
    const last = segments[segments.length - 1];
    if (last) {
      const valid = validLength(path(last.n));
      if (valid < last.size) {
        log.warn({ segment: last.n, bytes: last.size - valid }, 'spool: cut off a torn record at the tail (it was never acknowledged)');
        const fd = openSync(path(last.n), 'r+');
        ftruncateSync(fd, valid);
        fsyncSync(fd);
        closeSync(fd);
        last.size = valid;
      }
    }
    if (segments.length === 0) segments.push({ n: head.segment, size: 0 });
    writeFd = openSync(path(segments[segments.length - 1]!.n), 'a');
  } catch (err) {
    throw spoolOpenFailedError(dir, err);
  }
  for (const s of segments) total += s.size;
  metrics.capacity.set(maxBytes);

  const bytes = (): number => total - head.offset;
  const report = (): void => {
    const b = bytes();
    metrics.bytes.set(b);
    while (level < LEVELS.length && b >= LEVELS[level]! * maxBytes) {
      log.error({ bytes: b, maxBytes, percent: Math.round((b / maxBytes) * 100) }, `spool is ${Math.round(LEVELS[level]! * 100)} % full: the telemetry database is not keeping up or is down`);
      level++;
    }
    while (level > 0 && b < LEVELS[level - 1]! * maxBytes * 0.9) level--;
  };
  if (bytes() > 0) log.warn({ bytes: bytes() }, 'spool holds readings from before the restart; they will be drained into the database');
  report();

  const rotate = (): void => {
    fdatasyncSync(writeFd);
    closeSync(writeFd);
    const n = segments[segments.length - 1]!.n + 1;
    segments.push({ n, size: 0 });
    writeFd = openSync(path(n), 'a');
    // The new file's directory entry must be durable too before anything in it is acknowledged.
    const dfd = openSync(dir, 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  };

  const openRead = (n: number): number => {
    if (readSeg !== n) {
      if (readFd >= 0) closeSync(readFd);
      readFd = openSync(path(n), 'r');
      readSeg = n;
    }
    return readFd;
  };

  const ack = (end: SpoolPosition): void => {
    // Delete segments wholly before the new head.
    while (segments.length > 1 && segments[0]!.n < end.segment) {
      const s = segments.shift()!;
      total -= s.size;
      if (readSeg === s.n) {
        closeSync(readFd);
        readFd = -1;
        readSeg = -1;
      }
      unlinkSync(path(s.n));
    }
    head = { ...end };
    const last = segments[segments.length - 1]!;
    if (segments.length === 1 && head.segment === last.n && head.offset >= last.size && last.size > 0) {
      // Everything drained: start a fresh segment so the file does not grow forever.
      rotate();
      const old = segments.shift()!;
      total -= old.size;
      if (readSeg === old.n) {
        closeSync(readFd);
        readFd = -1;
        readSeg = -1;
      }
      unlinkSync(path(old.n));
      head = { segment: segments[0]!.n, offset: 0 };
    }
    const tmp = join(dir, `${CHECKPOINT}.tmp`);
    writeFileSync(tmp, JSON.stringify(head));
    renameSync(tmp, join(dir, CHECKPOINT));
    report();
  };

  return {
    append(readings) {
      if (readings.length === 0) return;
      const body = Buffer.from(JSON.stringify(readings), 'utf8');
      const record = Buffer.allocUnsafe(HEADER + body.length);
      record.writeUInt32LE(body.length, 0);
      record.writeUInt32LE(crc32(body), 4);
      body.copy(record, HEADER);
      if (bytes() + record.length > maxBytes) {
        metrics.readings.inc({ op: 'refused_full' }, readings.length);
        if (!full) log.error({ bytes: bytes(), maxBytes }, 'spool is FULL: new readings are refused (no PUBACK) until the database drains it; devices keep and resend them');
        full = true;
        throw spoolFullError(bytes(), maxBytes);
      }
      full = false;
      const seg = segments[segments.length - 1]!;
      if (seg.size > 0 && seg.size + record.length > segmentBytes) rotate();
      const cur = segments[segments.length - 1]!;
      let off = 0;
      while (off < record.length) off += writeSync(writeFd, record, off, record.length - off);
      fdatasyncSync(writeFd);
      cur.size += record.length;
      total += record.length;
      metrics.readings.inc({ op: 'appended' }, readings.length);
      report();
    },

    peek(maxReadings) {
      const out: Reading[] = [];
      let pos = { ...head };
      for (;;) {
        const idx = segments.findIndex((s) => s.n === pos.segment);
        const seg = segments[idx];
        if (!seg) break;
        if (pos.offset >= seg.size) {
          const next = segments[idx + 1];
          if (!next) break;
          pos = { segment: next.n, offset: 0 };
          continue;
        }
        const fd = openRead(seg.n);
        const header = Buffer.alloc(HEADER);
        readSync(fd, header, 0, HEADER, pos.offset);
        const len = header.readUInt32LE(0);
        const body = Buffer.alloc(len);
        const got = len > 0 && pos.offset + HEADER + len <= seg.size ? readSync(fd, body, 0, len, pos.offset + HEADER) : 0;
        if (got !== len || crc32(body) !== header.readUInt32LE(4)) {
          // Only the tail can be torn (cut at open); corruption elsewhere means the disk lied. Skip the segment loudly.
          log.error({ segment: seg.n, offset: pos.offset }, 'spool: corrupt record; skipping the rest of this segment');
          pos = { segment: seg.n, offset: seg.size };
          continue;
        }
        for (const r of JSON.parse(body.toString('utf8')) as Reading[]) out.push(r);
        pos = { segment: seg.n, offset: pos.offset + HEADER + len };
        if (out.length >= maxReadings) break;
      }
      if (out.length === 0) {
        if (pos.segment !== head.segment || pos.offset !== head.offset) ack(pos);
        return null;
      }
      return { readings: out, end: pos };
    },

    ack,

    bytes,
    isEmpty: () => bytes() === 0,

    close() {
      if (writeFd >= 0) {
        fdatasyncSync(writeFd);
        closeSync(writeFd);
        writeFd = -1;
      }
      if (readFd >= 0) closeSync(readFd);
      readFd = -1;
    },
  };
}

function fstatSize(p: string): number {
  const fd = openSync(p, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/** Length of the prefix made of whole records with a good CRC. */
function validLength(p: string): number {
  const buf = readFileSync(p);
  let off = 0;
  while (off + HEADER <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (off + HEADER + len > buf.length) break;
    if (crc32(buf.subarray(off + HEADER, off + HEADER + len)) !== buf.readUInt32LE(off + 4)) break;
    off += HEADER + len;
  }
  return off;
}
