import type { ThresholdLevel, ThresholdRule } from './rule-schema.ts';
import type { RuleSensor } from './types.ts';

/**
 * A validated threshold rule flattened for the hot path: plain fields, no
 * optional chains, thresholds computed per sensor without allocating.
 */
export interface CompiledThresholdRule {
  readonly def: ThresholdRule;
  readonly id: string;
  readonly field: string;
  readonly above: boolean;
  readonly levels: readonly ThresholdLevel[];
  readonly forMs: number;
  readonly clearValue: number;
  readonly clearForMs: number;
  readonly relative: boolean;
  readonly sensorLevels: boolean;
  /** Index-category rules read the reading's `aqi` instead of a field: 'vn' | 'us', or null for a real field. */
  readonly index: 'vn' | 'us' | null;
}

export function compileThresholdRule(def: ThresholdRule, index: 'vn' | 'us' | null = null): CompiledThresholdRule {
  return {
    def,
    id: def.id,
    field: def.field,
    above: def.comparison === 'above',
    levels: def.levels,
    forMs: def.for,
    clearValue: def.clear.value,
    clearForMs: def.clear.for,
    relative: def.relativeTo !== undefined,
    sensorLevels: def.levelsFrom !== undefined,
    index,
  };
}

/**
 * The factor that turns rule values into this sensor's units: the free-flow
 * speed for relative rules, 1 otherwise. NaN means the rule cannot judge this
 * sensor (a relative rule on a sensor without a usable free-flow speed).
 */
export function sensorFactor(rule: CompiledThresholdRule, sensor: RuleSensor): number {
  if (!rule.relative) return 1;
  const base = sensor.freeFlowKmh;
  return base !== undefined && Number.isFinite(base) && base > 0 ? base : Number.NaN;
}

export function levelThreshold(rule: CompiledThresholdRule, index: number, sensor: RuleSensor, factor: number): number {
  let value = rule.levels[index]!.value;
  if (rule.sensorLevels) {
    const own = sensor.alertLevelsCm;
    if (own !== undefined && index < own.length) {
      const override = own[index]!;
      if (Number.isFinite(override)) value = override;
    }
  }
  return value * factor;
}

/**
 * Index of the most severe level whose threshold the value reaches, -1 if
 * none. Scanning from the top keeps this right even when a sensor's own
 * levels are not monotonic: the worst reached severity wins.
 */
export function levelOf(rule: CompiledThresholdRule, value: number, sensor: RuleSensor, factor: number): number {
  for (let i = rule.levels.length - 1; i >= 0; i--) {
    const threshold = levelThreshold(rule, i, sensor, factor);
    if (rule.above ? value >= threshold : value <= threshold) return i;
  }
  return -1;
}

/**
 * The clear condition. The clear threshold is pulled back to the mildest
 * raise threshold when a sensor override puts it beyond that, so "raise" and
 * "clear" can never hold for the same value.
 */
export function clearHolds(rule: CompiledThresholdRule, value: number, sensor: RuleSensor, factor: number): boolean {
  let clear = rule.clearValue * factor;
  for (let i = 0; i < rule.levels.length; i++) {
    const threshold = levelThreshold(rule, i, sensor, factor);
    if (rule.above ? threshold < clear : threshold > clear) clear = threshold;
  }
  return rule.above ? value < clear : value > clear;
}
