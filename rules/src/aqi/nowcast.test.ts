import { describe, expect, it } from 'vitest';
import { meanIfComplete, nowcast } from './nowcast.ts';

describe('NowCast', () => {
  it('steady air: the NowCast is the concentration', () => {
    expect(nowcast(Array<number>(12).fill(17.3))).toBeCloseTo(17.3, 10);
  });

  it('w = c_min/c_max when above ½: c1 = 15, c2..c12 = 10 → w = ⅔ → 11.680', () => {
    // den = (1 − (⅔)^12)/(⅓) = 2.976878; num = 15 + 10 × (den − 1) = 34.76878
    expect(nowcast([15, ...Array<number>(11).fill(10)])).toBeCloseTo(11.6797, 3);
  });

  it('w floored at ½; the VN literal form Σ(½)^i·c_i differs from the normalised EPA form only by (1 − ½^12)', () => {
    const series = [40, ...Array<number>(11).fill(10)];
    expect(nowcast(series, 'vn')).toBeCloseTo(24.99756, 5);
    expect(nowcast(series, 'us')).toBeCloseTo(25.00366, 5);
  });

  it('needs 2 of the 3 most recent hours; missing hours drop out of both sums', () => {
    expect(nowcast([30])).toBeNull();
    expect(nowcast([30, null, null, 30, 30])).toBeNull();
    expect(nowcast([null, null, 30, 30])).toBeNull();
    expect(nowcast([null, 30, 30])).toBeCloseTo(30, 10);
    expect(nowcast([20, 10])).toBeCloseTo(16.6667, 4); // w = ½: (20 + ½·10)/(1 + ½)
    expect(nowcast([20, 10, null, null, null, null, null, null, null, null, null, null], 'vn')).toBeCloseTo(16.6667, 4);
  });

  it('all zero → 0; hours past the 12th are ignored', () => {
    expect(nowcast([0, 0, 0])).toBe(0);
    expect(nowcast([...Array<number>(12).fill(10), 1000])).toBeCloseTo(10, 10);
  });

  it('means require their completeness count', () => {
    expect(meanIfComplete([1, 2, 3, null], 3)).toBe(2);
    expect(meanIfComplete([1, null, null], 2)).toBeNull();
  });
});
