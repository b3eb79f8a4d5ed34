/**
 * The rules workspace's error catalogue. Codes are stable: callers (the
 * dashboard's HTTP layer, the center's loaders) branch on `code`, never on
 * the message.
 */
export const RULES_ERROR_CODES = {
  ALERT_NOT_FOUND: 'CITYOPS_RULES_ALERT_NOT_FOUND',
  ALERT_RESOLVED: 'CITYOPS_RULES_ALERT_RESOLVED',
  INVALID_RULE: 'CITYOPS_RULES_INVALID_RULE',
  DUPLICATE_RULE: 'CITYOPS_RULES_DUPLICATE_RULE',
  INVALID_SNAPSHOT: 'CITYOPS_RULES_INVALID_SNAPSHOT',
  SENSOR_MISMATCH: 'CITYOPS_RULES_SENSOR_MISMATCH',
} as const;

export type RulesErrorCode = (typeof RULES_ERROR_CODES)[keyof typeof RULES_ERROR_CODES];

/** One problem found while validating a rule or snapshot; `path` is a JSON pointer into the input. */
export interface ValidationIssue {
  path: string;
  message: string;
}

export class RulesError extends Error {
  override readonly name = 'RulesError';
  readonly code: RulesErrorCode;
  readonly issues: readonly ValidationIssue[];

  constructor(code: RulesErrorCode, message: string, issues: readonly ValidationIssue[] = []) {
    super(message);
    this.code = code;
    this.issues = issues;
  }
}

export const isRulesError = (error: unknown, code?: RulesErrorCode): error is RulesError =>
  error instanceof RulesError && (code === undefined || error.code === code);

export const alertNotFoundError = (alertId: string): RulesError =>
  new RulesError(RULES_ERROR_CODES.ALERT_NOT_FOUND, `alert ${JSON.stringify(alertId)} is not known to the rule engine`);

export const alertResolvedError = (alertId: string): RulesError =>
  new RulesError(RULES_ERROR_CODES.ALERT_RESOLVED, `alert ${JSON.stringify(alertId)} is already resolved`);

export const invalidRuleError = (issues: readonly ValidationIssue[]): RulesError =>
  new RulesError(
    RULES_ERROR_CODES.INVALID_RULE,
    `invalid rule definition: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`,
    issues,
  );

export const duplicateRuleError = (ruleId: string): RulesError =>
  new RulesError(RULES_ERROR_CODES.DUPLICATE_RULE, `rule id ${JSON.stringify(ruleId)} is declared more than once`);

export const invalidSnapshotError = (issues: readonly ValidationIssue[]): RulesError =>
  new RulesError(
    RULES_ERROR_CODES.INVALID_SNAPSHOT,
    `invalid rule engine snapshot: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`,
    issues,
  );

export const sensorMismatchError = (readingSensorId: string, sensorId: string): RulesError =>
  new RulesError(
    RULES_ERROR_CODES.SENSOR_MISMATCH,
    `reading is from sensor ${JSON.stringify(readingSensorId)} but was evaluated with sensor ${JSON.stringify(sensorId)}`,
  );
