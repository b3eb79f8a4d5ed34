import { describe, expect, it } from 'vitest';
import { RULES_ERROR_CODES, type RulesError } from './errors.ts';
import { HCMC_DEFAULT_RULES } from './hcmc-default-rules.ts';
import { parseRuleDefinitions } from './validate-rules.ts';

const failure = (input: unknown): RulesError => {
  try {
    parseRuleDefinitions(input);
  } catch (error) {
    return error as RulesError;
  }
  throw new Error('expected a validation error');
};
const byId = (id: string) => structuredClone(HCMC_DEFAULT_RULES.find((r) => r.id === id)!) as unknown as Record<string, unknown>;

describe('validation of the new rule kinds', () => {
  it('names the rule and the field of every problem', () => {
    const rise = { ...byId('flood-rise'), field: 'speedKmh', change: -1 };
    const error = failure([byId('flood-depth'), rise]);
    expect(error.code).toBe(RULES_ERROR_CODES.INVALID_RULE);
    expect(error.issues.map((i) => i.path)).toEqual(['/1/change']);
    expect(error.issues[0]!.message).toMatch(/^rule "flood-rise": /);
    const wrongField = failure([{ ...byId('flood-rise'), field: 'speedKmh' }]);
    expect(wrongField.issues).toEqual([{ path: '/0/field', message: expect.stringMatching(/^rule "flood-rise": "speedKmh" is not a flood reading field/) }]);
  });

  it('district rules must aggregate declared sensor rules', () => {
    const error = failure([byId('flood-depth'), { ...byId('district-flood'), sourceRules: ['flood-depth', 'flood-deep'] }]);
    expect(error.issues).toEqual([{ path: '/1/sourceRules/1', message: 'rule "district-flood": source rule "flood-deep" is not declared' }]);
  });

  it('index-category levels rise and clear below the first level', () => {
    const bad = { ...byId('air-quality-vn'), clear: { category: 3, for: 0 } };
    expect(failure([bad]).issues.map((i) => i.path)).toEqual(['/0/clear/category']);
    const unordered = byId('air-quality-vn');
    (unordered.levels as Array<{ category: number }>)[1]!.category = 3;
    expect(failure([unordered]).issues.map((i) => i.path)).toEqual(['/0/levels/1/category']);
  });

  it('absence rules need a sane factor and interval; unknown kinds list the known ones', () => {
    expect(failure([{ ...byId('sensor-offline'), factor: 0 }]).issues.map((i) => i.path)).toEqual(['/0/factor']);
    expect(failure([{ ...byId('sensor-offline'), kind: 'eval' }]).issues[0]!.message).toMatch(/threshold, rate-of-change, absence, district, index-category/);
  });
});
