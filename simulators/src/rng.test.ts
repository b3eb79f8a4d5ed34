import { describe, it, expect } from 'vitest';
import { createRng, deriveSeed, shuffled } from './rng.ts';

describe('createRng', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = Array.from({ length: 50 }, () => a.next());
    const seqB = Array.from({ length: 50 }, () => b.next());
    const seqC = Array.from({ length: 50 }, () => c.next());
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const rng = createRng(7);
    const n = 20_000;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
    }
    expect(sum / n).toBeGreaterThan(0.48);
    expect(sum / n).toBeLessThan(0.52);
  });

  it('draws normals with the asked mean and spread, ints within bounds', () => {
    const rng = createRng(9);
    const xs = Array.from({ length: 20_000 }, () => rng.normal(10, 2));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
    const ints = new Set(Array.from({ length: 1000 }, () => rng.int(1, 3)));
    expect([...ints].sort()).toEqual([1, 2, 3]);
  });

  it('forks independent, reproducible streams by label', () => {
    expect(createRng(1).fork('x').next()).toBe(createRng(1).fork('x').next());
    expect(createRng(1).fork('x').next()).not.toBe(createRng(1).fork('y').next());
    expect(deriveSeed(1, 'sensor:a')).not.toBe(deriveSeed(1, 'sensor:b'));
    expect(deriveSeed(1, 'sensor:a')).not.toBe(deriveSeed(2, 'sensor:a'));
  });

  it('shuffles a copy deterministically, keeping every item', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const s1 = shuffled(items, createRng(5));
    expect(shuffled(items, createRng(5))).toEqual(s1);
    expect(s1).not.toEqual(items);
    expect([...s1].sort((a, b) => a - b)).toEqual(items);
    expect(items[0]).toBe(0);
  });
});
