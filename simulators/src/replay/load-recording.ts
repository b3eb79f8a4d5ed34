import { readRecording, type ReadStats } from '../recording/recording-reader.ts';
import { itemFromMessage, type ReplayItem } from './replay-item.ts';

export interface LoadStats extends ReadStats {
  /** Recorded messages on topics that are not telemetry/gateway/status. */
  skipped: number;
}

/** Reads a recording (file or folder of rotated files) into replay items. */
export async function loadRecording(paths: string | readonly string[]): Promise<{ items: ReplayItem[]; stats: LoadStats }> {
  const stats: LoadStats = { lines: 0, invalid: 0, skipped: 0 };
  const items: ReplayItem[] = [];
  for await (const message of readRecording(paths, stats)) {
    const item = itemFromMessage(message.topic, message.payload, message.receivedAt);
    if (item) items.push(item);
    else stats.skipped++;
  }
  return { items, stats };
}
