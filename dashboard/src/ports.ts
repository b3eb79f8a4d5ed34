import type { Alert, AlertAuditEntry, AlertState, Domain, HistoryQuery, HistorySeries, LiveSensorCollection, Reading } from '@cityops/contracts';
import type { Logger } from 'pino';

export type { AlertAuditEntry, HistoryPoint, HistoryQuery, HistorySeries } from '@cityops/contracts';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const roleRank = (role: Role): number => ROLES.indexOf(role);
export const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && (ROLES as readonly string[]).includes(value);

export interface Operator {
  username: string;
  role: Role;
}
export interface OperatorCredentials extends Operator {
  /** Shown once; only a scrypt hash is stored. */
  password: string;
}
export interface OperatorSession {
  /** Opaque bearer secret for the cookie; only its SHA-256 is stored. */
  token: string;
  username: string;
  role: Role;
  expiresAt: number;
}

/** Operator accounts and their sign-in sessions (one adapter, so removing a user ends their sessions). */
export interface OperatorAccounts {
  add(username: string, role: Role): Promise<OperatorCredentials>; // CITYOPS_DASHBOARD_USER_EXISTS / _INVALID_USERNAME / _INVALID_ROLE
  verify(username: string, password: string): Promise<Operator | null>;
  list(): Operator[];
  remove(username: string): boolean;
  createSession(username: string): OperatorSession; // CITYOPS_DASHBOARD_USER_NOT_FOUND
  /** The session's user with their current role, or null when unknown or expired. */
  resolveSession(token: string): (Operator & { expiresAt: number }) | null;
  revokeSession(token: string): void;
}

export interface AlertFilter {
  state?: AlertState[];
  domain?: Domain;
  /** epoch ms: alerts updated at or after this time */
  since?: number;
}

export interface AlertComment {
  alertId: string;
  /** ISO-8601 */
  at: string;
  by: string;
  comment: string;
}

export interface DashboardDeps {
  sensors(): LiveSensorCollection;
  /**
   * Optional fast lookup for history requests; without it the domain is
   * found by scanning `sensors()`.
   */
  sensorDomain?(sensorId: string): Domain | undefined;
  history(query: HistoryQuery): Promise<HistorySeries>;
  /**
   * The last reading of every sensor in [from, to), in one batched store
   * query (TelemetryStore.latestIn). GET /api/snapshot uses it when present;
   * without it, one history query per sensor.
   */
  latestIn?(window: { from: number; to: number }): Promise<Reading[]>;
  alerts: {
    list(filter: AlertFilter): Alert[];
    /**
     * Errors whose `code` ends in `_NOT_FOUND` answer 404; `_RESOLVED` or
     * `_CONFLICT` answer 409; anything else is a generic 500.
     */
    acknowledge(id: string, by: string, comment?: string): Alert;
    /** POST /api/alerts/:id/comments (operator). Errors by code as for acknowledge; `_INVALID` answers 400. */
    comment?(id: string, by: string, text: string): AlertComment;
    /** GET /api/alerts/:id/comments, oldest first. */
    comments?(id: string): AlertComment[];
    /** GET /api/alerts/:id/audit: the alert's history (raised, escalated, acknowledged, commented, resolved), oldest first. */
    audit?(id: string): AlertAuditEntry[];
  };
  /** GET /api/rules: the running rule declarations and where they came from. */
  rules?(): { source: string; rules: readonly unknown[] };
  users: OperatorAccounts;
  ready(): Promise<{ ok: boolean; checks: Record<string, boolean> }>;
  metrics: { contentType: string; render(): Promise<string> };
  logger: Logger;
}


export interface DashboardOptions {
  /** The Vite build output (index.html + assets/). */
  webRoot: string;
  /** Folder with districts.geojson, roads.geojson, flood-hotspots.geojson. */
  basemapDir: string;
  /** Telemetry coalescing window; default 250 ms. */
  telemetryFlushMs?: number;
  /** Mark the session cookie Secure and send HSTS (set when served over HTTPS). */
  secureCookies?: boolean;
  /** Extra origins allowed to call mutating routes besides the request's own host (e.g. behind a proxy). */
  allowedOrigins?: string[];
  /** Time source for history defaults; default Date.now. */
  clock?: () => number;
}
