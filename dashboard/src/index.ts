export { buildDashboard, type Dashboard } from './dashboard.ts';
export { createSqliteOperatorAccounts, type OperatorAccountsOptions } from './operator-accounts.ts';
export { createTelemetryCoalescer, type TelemetryCoalescer } from './telemetry-coalescer.ts';
export { CONTENT_SECURITY_POLICY } from './security-headers.ts';
export { SESSION_COOKIE, SIGNED_IN_HINT_COOKIE } from './auth.ts';
export type { LiveServer } from './live.ts';
export {
  ROLES,
  isRole,
  roleRank,
  type AlertFilter,
  type DashboardDeps,
  type DashboardOptions,
  type HistoryPoint,
  type HistoryQuery,
  type HistorySeries,
  type Operator,
  type OperatorAccounts,
  type OperatorCredentials,
  type OperatorSession,
  type Role,
} from './ports.ts';
export { DASHBOARD_ERRORS, DashboardError, isDashboardError, type DashboardErrorCode, type ErrorBody } from './errors.ts';
