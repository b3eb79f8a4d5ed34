import type { Domain, LiveSensorProperties } from '@cityops/contracts';

/*
 * The threshold lines of a sensor's chart, taken from the rule definitions
 * the server runs (GET /api/rules), so the chart shows exactly where alerts
 * are raised. Parsed defensively: the page must still chart history when
 * the rules endpoint is missing or changes shape.
 */

/** The field charted per domain: the one the default rules watch. */
export const CHART_FIELD: Record<Domain, string> = { traffic: 'speedKmh', flood: 'waterLevelCm', air: 'pm25' };

export interface ThresholdLine {
  value: number;
  severity: string;
  ruleId: string;
}

interface RuleLike {
  id?: unknown;
  domain?: unknown;
  field?: unknown;
  relativeTo?: unknown;
  levelsFrom?: unknown;
  levels?: unknown;
  enabled?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Accepts `[...]` or `{ rules: [...] }`. */
export function ruleList(payload: unknown): RuleLike[] {
  const list = Array.isArray(payload) ? payload : isRecord(payload) && Array.isArray(payload.rules) ? payload.rules : [];
  return list.filter(isRecord) as RuleLike[];
}

export function thresholdLines(
  rules: readonly RuleLike[],
  sensor: Pick<LiveSensorProperties, 'domain' | 'freeFlowKmh' | 'alertLevelsCm'>,
  field: string,
): ThresholdLine[] {
  const lines: ThresholdLine[] = [];
  for (const rule of rules) {
    if (rule.domain !== sensor.domain || rule.field !== field || rule.enabled === false || !Array.isArray(rule.levels)) continue;
    const ruleId = typeof rule.id === 'string' ? rule.id : '';
    // A sensor's own levels replace the rule's, in order (low-lying or raised roads).
    const own = rule.levelsFrom === 'alertLevelsCm' ? sensor.alertLevelsCm : undefined;
    const factor = rule.relativeTo === 'freeFlowKmh' ? sensor.freeFlowKmh : 1;
    if (factor === undefined) continue;
    rule.levels.forEach((level: unknown, i: number) => {
      if (!isRecord(level) || typeof level.value !== 'number') return;
      const base = own?.[i] ?? level.value;
      lines.push({ value: base * factor, severity: typeof level.severity === 'string' ? level.severity : 'major', ruleId });
    });
  }
  return lines.sort((a, b) => a.value - b.value);
}
