export { createRuleEngine } from './engine.ts';
export type { AlertChange, LateReadingCounts, RuleEngine, RuleEngineOptions, RuleSensor } from './types.ts';
export {
  RuleDefinitionSchema,
  ThresholdRuleSchema,
  RateOfChangeRuleSchema,
  AbsenceRuleSchema,
  DistrictRuleSchema,
  IndexCategoryRuleSchema,
  type RateOfChangeRule,
  type AbsenceRule,
  type DistrictRule,
  type IndexCategoryRule,
  ThresholdLevelSchema,
  LocalizedText,
  RULE_KIND_SCHEMAS,
  RULE_ID_PATTERN,
  MESSAGE_PLACEHOLDERS,
  type RuleDefinition,
  type ThresholdRule,
  type ThresholdLevel,
  type RuleKind,
} from './rule-schema.ts';
export { parseRuleDefinition, parseRuleDefinitions } from './validate-rules.ts';
export { HCMC_DEFAULT_RULES } from './hcmc-default-rules.ts';
export { CATEGORY_MIN_AQI } from './index-category.ts';
export { createAreaIndex, type AreaIndex, type RuleAreas } from './area-index.ts';
export { EngineSnapshotSchema, TrackSnapshotSchema, assertEngineSnapshot, type EngineSnapshot, type TrackSnapshot } from './snapshot.ts';
export { buildAlertId } from './alert-id.ts';
export { buildMessage, formatNumber, renderTemplate, type Language, type MessageContext } from './message-format.ts';
export {
  RulesError,
  RULES_ERROR_CODES,
  isRulesError,
  type RulesErrorCode,
  type ValidationIssue,
} from './errors.ts';
export * from './aqi/index.ts';
