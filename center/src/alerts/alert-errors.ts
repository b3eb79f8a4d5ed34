/** Errors of the alert service and its rule file; stable codes, tests assert `err.code`. */
export const ALERT_ERRORS = {
  CITYOPS_CENTER_RULES_FILE_INVALID: 'the rules file could not be loaded',
  CITYOPS_CENTER_ALERT_NOT_FOUND: 'alert not found',
  CITYOPS_CENTER_COMMENT_INVALID: 'a comment needs 1 to 2000 characters',
} as const;
export type AlertErrorCode = keyof typeof ALERT_ERRORS;

export class AlertServiceError extends Error {
  readonly code: AlertErrorCode;
  /** For rule files: one entry per problem, `path` a JSON pointer into the file's rule list. */
  readonly issues: ReadonlyArray<{ path: string; message: string }>;
  constructor(code: AlertErrorCode, message: string = ALERT_ERRORS[code], issues: ReadonlyArray<{ path: string; message: string }> = []) {
    super(message);
    this.name = 'AlertServiceError';
    this.code = code;
    this.issues = issues;
  }
}
