import type { Replay } from './replayer.ts';

/**
 * Keyboard and signal control of a running replay: on a terminal, space (or
 * `p`) toggles pause and `q` / Ctrl-C stops; anywhere, SIGUSR2 toggles pause
 * (for replays run from scripts). Returns a function that detaches everything.
 */
export function attachReplayControls(replay: Replay, input: NodeJS.ReadStream = process.stdin): () => void {
  const toggle = (): void => (replay.paused ? replay.resume() : replay.pause());
  process.on('SIGUSR2', toggle);
  const tty = input.isTTY === true && typeof input.setRawMode === 'function';
  const onData = (chunk: Buffer): void => {
    const key = chunk.toString('utf8');
    if (key === ' ' || key === 'p') toggle();
    // raw mode swallows Ctrl-C, so it has to be handled here
    else if (key === 'q' || key === '\u0003') void replay.stop();
  };
  if (tty) {
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  }
  return () => {
    process.off('SIGUSR2', toggle);
    if (tty) {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
    }
  };
}
