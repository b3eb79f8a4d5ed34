import { SingleBar, Presets } from 'cli-progress';
import type { ReplayStats } from './replayer.ts';

export interface ReplayProgress {
  update(stats: ReplayStats): void;
  stop(): void;
}

const NONE: ReplayProgress = { update: () => undefined, stop: () => undefined };

const formatRate = (rate: number): string => (rate >= 1000 ? `${(rate / 1000).toFixed(1)}k` : rate.toFixed(0));

/**
 * A progress bar with rate and ETA on a terminal; nothing at all when the
 * stream is not a TTY (CI logs and pipes stay clean). ETA is cli-progress's,
 * from the acknowledged count.
 */
export function createReplayProgress(stream: NodeJS.WriteStream, total: number): ReplayProgress {
  if (!stream.isTTY) return NONE;
  const bar = new SingleBar(
    {
      stream,
      format: 'replay [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted} {state}',
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { rate: '0', state: '' });
  return {
    update(stats) {
      bar.update(stats.acked, { rate: formatRate(stats.rate), state: stats.paused ? '(paused: space to resume)' : '' });
    },
    stop() {
      bar.stop();
    },
  };
}
