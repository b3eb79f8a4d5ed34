import { describe, expect, it } from 'vitest';
import { RULES_ERROR_CODES, RulesError } from './errors.ts';
import { HCMC_DEFAULT_RULES } from './hcmc-default-rules.ts';
import type { ThresholdRule } from './rule-schema.ts';
import { parseRuleDefinition, parseRuleDefinitions } from './validate-rules.ts';

const base: ThresholdRule = {
  kind: 'threshold',
  id: 'canal-level',
  domain: 'flood',
  title: { vi: 'Mực nước kênh', en: 'Canal level' },
  field: 'waterLevelCm',
  unit: 'cm',
  comparison: 'above',
  levels: [
    { severity: 'minor', value: 20 },
    { severity: 'major', value: 40 },
  ],
  for: 0,
  clear: { value: 15, for: 0 },
  message: { vi: 'Mực nước {value} {unit}', en: 'Water level {value} {unit}' },
};

function issuesOf(input: unknown): RulesError {
  try {
    parseRuleDefinition(input);
  } catch (error) {
    if (error instanceof RulesError) return error;
    throw error;
  }
  throw new Error('expected the rule to be rejected');
}

describe('parseRuleDefinition', () => {
  it('accepts a well-formed rule and returns a copy detached from the input', () => {
    const input = structuredClone(base);
    const parsed = parseRuleDefinition(input) as typeof base;
    expect(parsed).toEqual(base);
    input.levels[0]!.value = 1;
    expect(parsed.levels[0]!.value).toBe(20);
  });

  it('reports schema errors with a JSON pointer to the bad value', () => {
    const error = issuesOf({ ...base, for: -5, levels: [{ severity: 'severe', value: 1 }] });
    expect(error.code).toBe(RULES_ERROR_CODES.INVALID_RULE);
    const paths = error.issues.map((i) => i.path);
    expect(paths).toContain('/for');
    expect(paths.some((p) => p.startsWith('/levels/0/severity'))).toBe(true);
  });

  it('rejects unknown kinds and non-objects with a clear message', () => {
    expect(issuesOf({ ...base, kind: 'expression' }).issues[0]).toMatchObject({ path: '/kind' });
    expect(issuesOf('flood-depth > 10').issues[0]?.message).toMatch(/object/);
  });

  it('rejects unknown properties (typos in YAML must not pass silently)', () => {
    expect(issuesOf({ ...base, clearFor: 60_000 }).code).toBe(RULES_ERROR_CODES.INVALID_RULE);
  });

  it('rejects a field that is not a reading field of the domain', () => {
    const error = issuesOf({ ...base, field: 'pm25' });
    expect(error.issues).toEqual([expect.objectContaining({ path: '/field' })]);
  });

  it('requires levels ordered by severity and by value in the comparison direction', () => {
    const error = issuesOf({
      ...base,
      levels: [
        { severity: 'major', value: 40 },
        { severity: 'minor', value: 20 },
      ],
    });
    expect(error.issues.map((i) => i.path)).toEqual(['/levels/1/severity', '/levels/1/value']);
    const below = issuesOf({
      ...HCMC_DEFAULT_RULES[2],
      levels: [
        { severity: 'major', value: 0.4 },
        { severity: 'critical', value: 0.6 },
      ],
    });
    expect(below.issues.map((i) => i.path)).toEqual(['/levels/1/value']);
  });

  it('requires the clear threshold on the safe side of the first level', () => {
    expect(issuesOf({ ...base, clear: { value: 25, for: 0 } }).issues[0]?.path).toBe('/clear/value');
    expect(() => parseRuleDefinition({ ...base, clear: { value: 20, for: 0 } })).not.toThrow();
  });

  it('ties relativeTo to traffic and levelsFrom to flood, with positive factors', () => {
    expect(issuesOf({ ...base, relativeTo: 'freeFlowKmh' }).issues.map((i) => i.path)).toContain('/relativeTo');
    const air = { ...HCMC_DEFAULT_RULES[3]!, levelsFrom: 'alertLevelsCm' };
    expect(issuesOf(air).issues.map((i) => i.path)).toEqual(['/levelsFrom']);
    const congestion = { ...HCMC_DEFAULT_RULES[2]!, clear: { value: -1, for: 0 } };
    expect(issuesOf(congestion).issues.map((i) => i.path)).toContain('/clear/value');
  });

  it('rejects unknown message placeholders', () => {
    const error = issuesOf({ ...base, message: { vi: 'Ngập {depth}', en: 'Flooding {value}' } });
    expect(error.issues).toEqual([expect.objectContaining({ path: '/message/vi' })]);
  });

  it('rejects rule ids that are not URL/topic safe', () => {
    expect(issuesOf({ ...base, id: 'Flood Depth/1' }).issues[0]?.path).toBe('/id');
  });
});

describe('parseRuleDefinitions', () => {
  it('prefixes paths with the rule index', () => {
    try {
      parseRuleDefinitions([base, { ...base, id: 'other', unit: 3 }]);
      expect.unreachable();
    } catch (error) {
      expect((error as RulesError).issues[0]?.path).toBe('/1/unit');
    }
  });

  it('rejects duplicate ids', () => {
    expect(() => parseRuleDefinitions([base, base])).toThrow(expect.objectContaining({ code: RULES_ERROR_CODES.DUPLICATE_RULE }));
  });

  it('rejects a non-array', () => {
    expect(() => parseRuleDefinitions(base)).toThrow(expect.objectContaining({ code: RULES_ERROR_CODES.INVALID_RULE }));
  });
});
