import { Value } from '@sinclair/typebox/value';
import { READING_FIELDS, severityRank } from '@cityops/contracts';
import { duplicateRuleError, invalidRuleError, type ValidationIssue } from './errors.ts';
import {
  MESSAGE_PLACEHOLDERS,
  RULE_KIND_SCHEMAS,
  type DistrictRule,
  type IndexCategoryRule,
  type RateOfChangeRule,
  type RuleDefinition,
  type RuleKind,
  type ThresholdRule,
} from './rule-schema.ts';

const PLACEHOLDER = /\{([^{}]*)\}/g;

function schemaIssues(schema: (typeof RULE_KIND_SCHEMAS)[RuleKind], input: unknown, base: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const error of Value.Errors(schema, input)) {
    issues.push({ path: `${base}${error.path}`, message: error.message });
    if (issues.length >= 20) break; // one bad rule file should not produce a wall of text
  }
  return issues;
}

function templateIssues(template: string, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!(MESSAGE_PLACEHOLDERS as readonly string[]).includes(name)) {
      issues.push({ path, message: `unknown placeholder {${name}}; allowed: ${MESSAGE_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}` });
    }
  }
  return issues;
}

/** Checks the schema cannot express: cross-field consistency of a threshold rule. */
function thresholdSemanticIssues(rule: ThresholdRule, base: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const fields = READING_FIELDS[rule.domain] as readonly string[];
  if (!fields.includes(rule.field)) {
    issues.push({ path: `${base}/field`, message: `"${rule.field}" is not a ${rule.domain} reading field; expected one of ${fields.join(', ')}` });
  }
  const numbers: Array<[string, number]> = [[`${base}/clear/value`, rule.clear.value]];
  rule.levels.forEach((level, i) => numbers.push([`${base}/levels/${i}/value`, level.value]));
  for (const [path, value] of numbers) {
    if (!Number.isFinite(value)) issues.push({ path, message: 'must be a finite number' });
    else if (rule.relativeTo !== undefined && value <= 0) issues.push({ path, message: `must be a positive factor of ${rule.relativeTo}` });
  }
  const above = rule.comparison === 'above';
  for (let i = 1; i < rule.levels.length; i++) {
    const prev = rule.levels[i - 1]!;
    const level = rule.levels[i]!;
    if (severityRank(level.severity) <= severityRank(prev.severity)) {
      issues.push({ path: `${base}/levels/${i}/severity`, message: `levels must go from mildest to most severe; "${level.severity}" follows "${prev.severity}"` });
    }
    if (above ? level.value <= prev.value : level.value >= prev.value) {
      issues.push({ path: `${base}/levels/${i}/value`, message: `must be ${above ? 'greater' : 'less'} than the previous level's value (${prev.value}) for a rule that raises ${rule.comparison}` });
    }
  }
  const first = rule.levels[0];
  if (first !== undefined && (above ? rule.clear.value > first.value : rule.clear.value < first.value)) {
    issues.push({ path: `${base}/clear/value`, message: `must be on the safe side of the first level (${above ? '≤' : '≥'} ${first.value}), otherwise an alert could clear while still raised` });
  }
  if (rule.relativeTo === 'freeFlowKmh' && rule.domain !== 'traffic') {
    issues.push({ path: `${base}/relativeTo`, message: 'freeFlowKmh is a traffic sensor property' });
  }
  if (rule.levelsFrom === 'alertLevelsCm' && rule.domain !== 'flood') {
    issues.push({ path: `${base}/levelsFrom`, message: 'alertLevelsCm is a flood sensor property' });
  }
  issues.push(...templateIssues(rule.message.vi, `${base}/message/vi`), ...templateIssues(rule.message.en, `${base}/message/en`));
  return issues;
}

function fieldIssue(domain: ThresholdRule['domain'], field: string, path: string): ValidationIssue[] {
  const fields = READING_FIELDS[domain] as readonly string[];
  return fields.includes(field) ? [] : [{ path, message: `"${field}" is not a ${domain} reading field; expected one of ${fields.join(', ')}` }];
}

function messageIssues(rule: { message: { vi: string; en: string } }, base: string): ValidationIssue[] {
  return [...templateIssues(rule.message.vi, `${base}/message/vi`), ...templateIssues(rule.message.en, `${base}/message/en`)];
}

function indexCategoryIssues(rule: IndexCategoryRule, base: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (let i = 1; i < rule.levels.length; i++) {
    const prev = rule.levels[i - 1]!;
    const level = rule.levels[i]!;
    if (severityRank(level.severity) <= severityRank(prev.severity)) {
      issues.push({ path: `${base}/levels/${i}/severity`, message: `levels must go from mildest to most severe; "${level.severity}" follows "${prev.severity}"` });
    }
    if (level.category <= prev.category) issues.push({ path: `${base}/levels/${i}/category`, message: `must be above the previous level's category (${prev.category})` });
  }
  const first = rule.levels[0];
  if (first !== undefined && rule.clear.category >= first.category) {
    issues.push({ path: `${base}/clear/category`, message: `must be below the first level's category (${first.category}), otherwise an alert could clear while still raised` });
  }
  return [...issues, ...messageIssues(rule, base)];
}

function semanticIssues(rule: RuleDefinition, base: string): ValidationIssue[] {
  switch (rule.kind) {
    case 'threshold':
      return thresholdSemanticIssues(rule, base);
    case 'rate-of-change':
      return [...fieldIssue(rule.domain, rule.field, `${base}/field`), ...messageIssues(rule, base)];
    case 'index-category':
      return indexCategoryIssues(rule, base);
    default:
      return messageIssues(rule, base);
  }
}

function ruleIssues(input: unknown, base: string): ValidationIssue[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ path: base, message: 'a rule must be an object' }];
  }
  const kind = (input as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !Object.hasOwn(RULE_KIND_SCHEMAS, kind)) {
    return [{ path: `${base}/kind`, message: `unknown rule kind ${JSON.stringify(kind)}; expected one of ${Object.keys(RULE_KIND_SCHEMAS).join(', ')}` }];
  }
  const issues = schemaIssues(RULE_KIND_SCHEMAS[kind as RuleKind], input, base);
  return issues.length > 0 ? issues : semanticIssues(input as RuleDefinition, base);
}

/** Rule ids in messages, so "/3/field" reads as the rule an operator wrote. */
function nameRule(input: unknown, issues: ValidationIssue[]): ValidationIssue[] {
  const id = typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? issues.map((i) => ({ ...i, message: `rule "${id}": ${i.message}` })) : issues;
}

/** District rules aggregate other rules' alerts: those must exist, be sensor rules, and share the domain. */
function crossRuleIssues(rules: readonly RuleDefinition[]): ValidationIssue[] {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const issues: ValidationIssue[] = [];
  rules.forEach((rule, i) => {
    if (rule.kind !== 'district') return;
    (rule as DistrictRule).sourceRules.forEach((id, j) => {
      const source = byId.get(id);
      const path = `/${i}/sourceRules/${j}`;
      if (source === undefined) issues.push({ path, message: `rule "${rule.id}": source rule "${id}" is not declared` });
      else if (source.kind === 'district') issues.push({ path, message: `rule "${rule.id}": source rule "${id}" is itself a district rule` });
    });
  });
  return issues;
}

/**
 * Validates one rule declaration (e.g. parsed from YAML) and returns a
 * private copy, so later edits of the input cannot change a running engine.
 * Throws CITYOPS_RULES_INVALID_RULE listing every problem with its path.
 */
export function parseRuleDefinition(input: unknown): RuleDefinition {
  const issues = nameRule(input, ruleIssues(input, ''));
  if (issues.length > 0) throw invalidRuleError(issues);
  return Value.Clone(input as RuleDefinition);
}

/** Validates a list of rules; ids must be unique (CITYOPS_RULES_DUPLICATE_RULE). */
export function parseRuleDefinitions(input: unknown): RuleDefinition[] {
  if (!Array.isArray(input)) throw invalidRuleError([{ path: '', message: 'rules must be an array' }]);
  const issues = input.flatMap((rule, i) => nameRule(rule, ruleIssues(rule, `/${i}`)));
  if (issues.length > 0) throw invalidRuleError(issues);
  const seen = new Set<string>();
  for (const rule of input as RuleDefinition[]) {
    if (seen.has(rule.id)) throw duplicateRuleError(rule.id);
    seen.add(rule.id);
  }
  const cross = crossRuleIssues(input as RuleDefinition[]);
  if (cross.length > 0) throw invalidRuleError(cross);
  return Value.Clone(input as RuleDefinition[]);
}
