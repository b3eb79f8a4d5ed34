import { describe, it, expect } from 'vitest';
import type { Reading } from '@cityops/contracts';
import { createGroupCommitter } from './group-commit.ts';

const r = (i: number): Reading => ({ sensorId: `s-${i}`, domain: 'air', ts: i, receivedAt: i, fields: { pm25: i, pm10: i } });

function recorder(opts: { maxReadings?: number; maxDelayMs?: number; fail?: (batch: readonly Reading[]) => boolean } = {}) {
  const writes: number[][] = [];
  const committed: number[][] = [];
  let gate: Promise<void> = Promise.resolve();
  const committer = createGroupCommitter({
    async write(readings) {
      await gate;
      if (opts.fail?.(readings)) throw new Error('disk on fire');
      writes.push(readings.map((x) => x.ts));
    },
    maxReadings: opts.maxReadings ?? 1000,
    maxDelayMs: opts.maxDelayMs ?? 5,
    onCommitted: (readings) => committed.push(readings.map((x) => x.ts)),
    onFailed: (_readings, err) => Object.assign(new Error('wrapped'), { code: 'X', cause: err }),
  });
  return { committer, writes, committed, hold: (p: Promise<void>) => (gate = p) };
}

describe('group commit', () => {
  it('splits a large enqueue into batches of maxReadings and resolves after the last', async () => {
    const { committer, writes } = recorder({ maxReadings: 1000 });
    await committer.enqueue(Array.from({ length: 2500 }, (_, i) => r(i)));
    expect(writes.map((w) => w.length)).toEqual([1000, 1000, 500]);
    expect(writes.flat()).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(committer.pending()).toBe(0);
  });

  it('coalesces concurrent callers into one write within maxDelayMs', async () => {
    const { committer, writes } = recorder({ maxDelayMs: 20 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => committer.enqueue([r(i)])));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toHaveLength(50);
  });

  it('writes a lone reading after maxDelayMs without more input', async () => {
    const { committer, writes } = recorder({ maxDelayMs: 5 });
    const done = committer.enqueue([r(1)]);
    expect(committer.pending()).toBe(1);
    await done;
    expect(writes).toEqual([[1]]);
  });

  it('fills the next batch while one is being written, and keeps order', async () => {
    const { committer, writes, committed, hold } = recorder({ maxReadings: 3, maxDelayMs: 1 });
    let release!: () => void;
    hold(new Promise<void>((res) => (release = res)));
    const first = committer.enqueue([r(0), r(1), r(2)]); // sealed by size, write blocked
    const later = [3, 4, 5, 6, 7].map((i) => committer.enqueue([r(i)]));
    await new Promise((res) => setTimeout(res, 20));
    expect(writes).toEqual([]);
    release();
    await Promise.all([first, ...later]);
    expect(writes.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(committed).toEqual(writes);
  });

  it('rejects only the failed batch, with the mapped error, and carries on', async () => {
    const { committer, writes } = recorder({ maxReadings: 2, fail: (b) => b.some((x) => x.ts === 2) });
    const results = await Promise.allSettled([
      committer.enqueue([r(0), r(1)]),
      committer.enqueue([r(2), r(3)]),
      committer.enqueue([r(4)]),
    ]);
    expect(results.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'X', message: 'wrapped' });
    expect(writes).toEqual([[0, 1], [4]]);
  });

  it('a caller spanning a failed and a good batch is rejected', async () => {
    const { committer } = recorder({ maxReadings: 2, fail: (b) => b.some((x) => x.ts === 0) });
    await expect(committer.enqueue([r(0), r(1), r(2)])).rejects.toMatchObject({ code: 'X' });
  });

  it('flush() writes the open batch now and waits for everything', async () => {
    const { committer, writes } = recorder({ maxDelayMs: 60_000 });
    const p = committer.enqueue([r(1)]);
    await committer.flush();
    expect(writes).toEqual([[1]]);
    await p;
    await committer.flush(); // nothing queued: returns
  });

  it('a throwing onCommitted hook neither stalls the queue nor withholds resolution', async () => {
    let calls = 0;
    const committer = createGroupCommitter({
      write: async () => {},
      maxReadings: 1,
      maxDelayMs: 1,
      onCommitted: () => {
        calls++;
        throw new Error('listener bug');
      },
      onFailed: (_r, e) => e,
    });
    await committer.enqueue([r(1), r(2)]);
    expect(calls).toBe(2);
  });
});
