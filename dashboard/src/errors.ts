/**
 * The dashboard's error catalogue. Codes are stable (clients and tests match
 * on them); messages are safe to show to any caller because they are ours,
 * never an upstream exception's text.
 */
export const DASHBOARD_ERRORS = {
  CITYOPS_DASHBOARD_BAD_REQUEST: { status: 400, message: 'The request is not valid.' },
  CITYOPS_DASHBOARD_BAD_QUERY: { status: 400, message: 'The query parameters are not valid.' },
  CITYOPS_DASHBOARD_UNAUTHENTICATED: { status: 401, message: 'Sign in first.' },
  CITYOPS_DASHBOARD_INVALID_CREDENTIALS: { status: 401, message: 'Wrong username or password.' },
  CITYOPS_DASHBOARD_FORBIDDEN: { status: 403, message: 'Your role does not allow this.' },
  CITYOPS_DASHBOARD_CROSS_ORIGIN: { status: 403, message: 'Cross-origin requests may not change anything.' },
  CITYOPS_DASHBOARD_NOT_FOUND: { status: 404, message: 'Not found.' },
  CITYOPS_DASHBOARD_SENSOR_NOT_FOUND: { status: 404, message: 'No sensor with this id.' },
  CITYOPS_DASHBOARD_ALERT_NOT_FOUND: { status: 404, message: 'No alert with this id.' },
  CITYOPS_DASHBOARD_ALERT_CONFLICT: { status: 409, message: 'The alert cannot be acknowledged in its current state.' },
  CITYOPS_DASHBOARD_PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  CITYOPS_DASHBOARD_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send the body as application/json.' },
  CITYOPS_DASHBOARD_TOO_MANY_ATTEMPTS: { status: 429, message: 'Too many failed sign-ins; try again later.' },
  CITYOPS_DASHBOARD_INTERNAL: { status: 500, message: 'Internal server error.' },
  // Account administration (CLI / adapter), never sent over HTTP.
  CITYOPS_DASHBOARD_USER_EXISTS: { status: 409, message: 'A user with this name already exists.' },
  CITYOPS_DASHBOARD_USER_NOT_FOUND: { status: 404, message: 'No user with this name.' },
  CITYOPS_DASHBOARD_INVALID_USERNAME: { status: 400, message: 'Usernames are 1-64 characters: letters, digits, . _ -' },
  CITYOPS_DASHBOARD_INVALID_ROLE: { status: 400, message: 'The role must be viewer, operator or admin.' },
  CITYOPS_DASHBOARD_INVALID_OPTIONS: { status: 500, message: 'The dashboard options are not valid.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type DashboardErrorCode = keyof typeof DASHBOARD_ERRORS;

export class DashboardError extends Error {
  readonly code: DashboardErrorCode;
  readonly statusCode: number;

  constructor(code: DashboardErrorCode, detail?: string) {
    const entry = DASHBOARD_ERRORS[code];
    super(detail ?? entry.message);
    this.name = 'DashboardError';
    this.code = code;
    this.statusCode = entry.status;
  }
}

export const dashboardError = (code: DashboardErrorCode, detail?: string): DashboardError =>
  new DashboardError(code, detail);

export const isDashboardError = (err: unknown): err is DashboardError => err instanceof DashboardError;

/** The JSON body of every error answer. */
export interface ErrorBody {
  statusCode: number;
  code: DashboardErrorCode;
  message: string;
}
