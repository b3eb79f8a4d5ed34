import { hasValue, type HourlySeries } from './aqi-types.ts';

/**
 * The NowCast weighting of the 12 most recent hourly PM means (EPA; adopted
 * by Decision 1459/QĐ-TCMT for the hourly VN_AQI):
 *   w* = c_min / c_max over the 12 hours; w = max(w*, ½);
 *   NowCast = Σ w^(i−1)·c_i / Σ w^(i−1) over the hours with data.
 * Both documents require data in at least 2 of the 3 most recent hours;
 * otherwise there is no NowCast (null).
 *
 * `variant: 'vn'`: the decision writes the ½ case as Σ (½)^i·c_i, which for a
 * complete 12-hour series is the normalised sum times (1 − ½^12); that literal
 * form is used when all 12 hours are present. With gaps the literal sum would
 * shrink with every missing hour, so the normalised form is used then.
 */
export function nowcast(hours: HourlySeries, variant: 'us' | 'vn' = 'us'): number | null {
  const series = hours.slice(0, 12).map((c) => (hasValue(c) ? Math.max(0, c) : null));
  const recent = series.slice(0, 3).filter((c) => c !== null).length;
  if (recent < 2) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const c of series) {
    if (c === null) continue;
    if (c < min) min = c;
    if (c > max) max = c;
  }
  if (max === 0) return 0;
  const w = Math.max(min / max, 0.5);
  if (variant === 'vn' && w === 0.5 && series.length === 12 && series.every((c) => c !== null)) {
    let sum = 0;
    for (let i = 0; i < 12; i++) sum += 0.5 ** (i + 1) * series[i]!;
    return sum;
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < series.length; i++) {
    const c = series[i];
    if (c === null || c === undefined) continue;
    const weight = w ** i;
    num += weight * c;
    den += weight;
  }
  return num / den;
}

/** Mean of the values present, or null when fewer than `minCount` are present (completeness rule). */
export function meanIfComplete(hours: HourlySeries, minCount: number): number | null {
  let sum = 0;
  let n = 0;
  for (const c of hours) {
    if (!hasValue(c)) continue;
    sum += Math.max(0, c);
    n++;
  }
  return n >= minCount && n > 0 ? sum / n : null;
}

/** Largest value present, or null. */
export function maxPresent(hours: HourlySeries): number | null {
  let max: number | null = null;
  for (const c of hours) if (hasValue(c) && (max === null || c > max)) max = Math.max(0, c);
  return max;
}
