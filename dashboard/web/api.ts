import type { Alert, AlertAuditEntry, HistorySeries, LiveSensorCollection } from '@cityops/contracts';

export type Role = 'viewer' | 'operator' | 'admin';
export interface Me {
  username: string;
  role: Role;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const payload: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const code = (payload as { code?: unknown } | null)?.code;
    throw new ApiError(res.status, typeof code === 'string' ? code : `HTTP_${res.status}`);
  }
  return payload as T;
}

/** Set by the server beside the httpOnly session cookie; without it there is no session to ask about. */
const hasSessionHint = (): boolean => document.cookie.split(';').some((c) => c.trim().startsWith('cityops_signed_in='));

export async function currentUser(): Promise<Me | null> {
  if (!hasSessionHint()) return null;
  try {
    return await request<Me>('GET', '/api/session');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export const signIn = (username: string, password: string): Promise<Me> =>
  request<Me>('POST', '/api/session', { username, password });
export const signOut = (): Promise<void> => request<void>('DELETE', '/api/session');
export const fetchSensors = (): Promise<LiveSensorCollection> => request('GET', '/api/sensors');
export const fetchOpenAlerts = (): Promise<Alert[]> => request('GET', '/api/alerts?state=active,acknowledged');
export const acknowledgeAlert = (id: string, comment?: string): Promise<Alert> =>
  request('POST', `/api/alerts/${encodeURIComponent(id)}/ack`, comment ? { comment } : {});
export const fetchHistory = (id: string, from: number, to: number, everyMs: number): Promise<HistorySeries> =>
  request('GET', `/api/sensors/${encodeURIComponent(id)}/history?from=${from}&to=${to}&every=${Math.round(everyMs / 1000)}s`);

let rules: Promise<unknown> | undefined;
/** The server's rule definitions, fetched once; an empty list when the server has no rules endpoint. */
export const fetchRules = (): Promise<unknown> =>
  (rules ??= request<unknown>('GET', '/api/rules').catch((err: unknown) => {
    rules = undefined;
    if (err instanceof ApiError && err.status === 404) return [];
    throw err;
  }));

export interface CitySnapshot {
  at: number;
  lookbackMs: number;
  readings: { sensorId: string; domain: string; ts: number; fields: Record<string, number> }[];
  alerts: Alert[];
}
export const fetchSnapshot = (at: number): Promise<CitySnapshot> => request('GET', `/api/snapshot?at=${Math.round(at)}`);

export const fetchAlertAudit = (id: string): Promise<AlertAuditEntry[]> => request('GET', `/api/alerts/${encodeURIComponent(id)}/audit`);
export type { AlertAuditEntry };
