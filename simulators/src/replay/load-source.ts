import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { loadHealthyAirCsv } from './datasets/healthyair.ts';
import { loadUsConsulateCsv } from './datasets/us-consulate.ts';
import type { DatasetStats } from './datasets/dataset-stats.ts';
import { loadRecording, type LoadStats } from './load-recording.ts';
import type { ReplayItem } from './replay-item.ts';

export type SourceKind = 'recording' | 'us-consulate' | 'healthyair';

export type LoadedSource =
  | { kind: 'recording'; items: ReplayItem[]; stats: LoadStats }
  | { kind: 'us-consulate' | 'healthyair'; items: ReplayItem[]; stats: DatasetStats };

const head = (file: string): string => {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(512);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
};

/** What a file is: a recording, or one of the two air-quality datasets (by its header). */
export function detectSource(path: string): SourceKind {
  if (statSync(path).isDirectory() || !path.toLowerCase().endsWith('.csv')) return 'recording';
  const header = head(path).split(/\r?\n/)[0] ?? '';
  if (header.includes('QC Name')) return 'us-consulate';
  if (header.includes('Station_No')) return 'healthyair';
  return 'recording';
}

/** Loads a recording or dataset; `city` is the city topics of dataset readings are built for. */
export async function loadReplaySource(path: string, options: { city?: string; kind?: SourceKind } = {}): Promise<LoadedSource> {
  const kind = options.kind ?? detectSource(path);
  const city = options.city !== undefined ? { city: options.city } : {};
  if (kind === 'us-consulate') return { kind, ...loadUsConsulateCsv(path, city) };
  if (kind === 'healthyair') return { kind, ...loadHealthyAirCsv(path, city) };
  return { kind: 'recording', ...(await loadRecording(path)) };
}
