import { describe, expect, it } from 'vitest';
import { meanIfComplete, nowcast } from './nowcast.ts';
import { usCurrentAqi } from './us-aqi.ts';

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

/*
 * The worked example of EPA/AirNow's "Computing the NowCast" training slides, as stored at
 * https://cdn.slideserve.com/brina/computing-the-nowcast (the copy does not name its author; the
 * steps are word for word those of EPA's "PM NowCast" fact sheet,
 * nepis.epa.gov/Exe/ZyPURL.cgi?Dockey=P100X0J6.txt, which itself gives no numbers).
 * "Example 12-hour period 50 80 75 90 82 53 64 74 21 10 16 13" (oldest first), range 90 − 10 = 80,
 * scaled rate of change 80/90, weight factor 1 − 80/90 = 0.11 < 0.5 so 0.5, NowCast
 * (13·0.5⁰ + 16·0.5¹ + 10·0.5² + 21·0.5³ + 74·0.5⁴ + …)/(0.5⁰ + 0.5¹ + …) = 17.4 µg/m³.
 * The AQI of it is ours, by the 2024 table: 17.4 (NowCast truncated to 0.1, AirNow forum "The
 * NowCast for PM2.5 and PM10") → 49/26.3 × 8.3 + 51 = 66.46 → 66.
 */
describe('NowCast: the EPA worked example', () => {
  const mostRecentFirst = [13, 16, 10, 21, 74, 64, 53, 82, 90, 75, 80, 50];

  it('gives 17.4 µg/m³ (w floored at ½)', () => {
    expect(nowcast(mostRecentFirst)).toBeCloseTo(17.4139, 4);
    expect(Math.trunc(nowcast(mostRecentFirst)! * 10) / 10).toBe(17.4);
  });

  it('the VN literal form Σ(½)^i·c_i gives the same 17.4 at one decimal (×(1 − ½¹²))', () => {
    expect(nowcast(mostRecentFirst, 'vn')).toBeCloseTo(17.4139 * (1 - 0.5 ** 12), 4);
  });

  it('PM2.5 NowCast 17.4 → US AQI 66', () => {
    expect(usCurrentAqi({ pm25: mostRecentFirst })!.value).toBe(66);
  });
});
