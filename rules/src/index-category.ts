import type { IndexCategoryRule, ThresholdRule } from './rule-schema.ts';

/** Lowest AQI of category levels 1–6 — identical for VN_AQI and the US AQI. */
export const CATEGORY_MIN_AQI = [0, 0, 51, 101, 151, 201, 301] as const;

/** The virtual reading fields an index-category rule reads (from the reading's `aqi`). */
export const INDEX_FIELDS = { vn: 'aqi.vn', us: 'aqi.us' } as const;

/**
 * An index-category rule is a threshold rule on the index value: category n
 * is reached at its lowest AQI, and "at or below category c" is AQI < lowest
 * AQI of c + 1. So it shares the threshold hysteresis, escalation and
 * snapshot format instead of duplicating them.
 */
export function indexCategoryAsThreshold(rule: IndexCategoryRule): ThresholdRule {
  return {
    kind: 'threshold',
    id: rule.id,
    domain: 'air',
    title: rule.title,
    field: INDEX_FIELDS[rule.index],
    unit: rule.index === 'vn' ? 'VN_AQI' : 'US AQI',
    comparison: 'above',
    levels: rule.levels.map((l) => ({ severity: l.severity, value: CATEGORY_MIN_AQI[l.category]!, ...(l.note ? { note: l.note } : {}) })),
    for: rule.for,
    clear: { value: CATEGORY_MIN_AQI[rule.clear.category + 1]!, for: rule.clear.for },
    message: rule.message,
  };
}
