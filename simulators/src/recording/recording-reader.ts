import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { recordingUnreadable } from '../errors.ts';
import { decodeRecordedMessage, type RecordedMessage } from './recorded-message.ts';

const RECORDING_FILE = /\.ndjson(\.gz)?$/;

/** A file, or a folder of rotated files (taken in name order, which is recording order). */
export function recordingFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    throw recordingUnreadable(path, (error as Error).message);
  }
  if (!stat.isDirectory()) return [path];
  const files = readdirSync(path).filter((f) => RECORDING_FILE.test(f)).sort().map((f) => join(path, f));
  if (files.length === 0) throw recordingUnreadable(path, 'folder holds no .ndjson or .ndjson.gz files');
  return files;
}

export interface ReadStats {
  lines: number;
  /** Lines that are not recorded messages (e.g. a tail cut off when a recorder was killed). */
  invalid: number;
}

/** Streams the messages of one or more recording files in file order. */
export async function* readRecording(paths: string | readonly string[], stats: ReadStats = { lines: 0, invalid: 0 }): AsyncGenerator<RecordedMessage> {
  const files = (typeof paths === 'string' ? [paths] : paths).flatMap(recordingFiles);
  for (const file of files) {
    const raw = createReadStream(file);
    const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
    let failure: Error | null = null;
    // a truncated gzip tail (killed recorder) must not lose the lines before it
    input.on('error', (error: Error) => {
      failure = error;
    });
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (line.length === 0) continue;
        stats.lines++;
        const message = decodeRecordedMessage(line);
        if (message) yield message;
        else stats.invalid++;
      }
    } catch (error) {
      failure = error as Error;
    }
    if (failure !== null && (failure as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') {
      throw recordingUnreadable(file, (failure as Error).message);
    }
  }
}
