import type { Operator, OperatorAccounts } from './ports.ts';

export const SESSION_COOKIE = 'cityops_session';
/**
 * Holds no secret, readable by the page: it tells the page whether asking
 * GET /api/session is worthwhile, so a signed-out visit makes no request
 * that answers 401 (Chromium logs those as console errors).
 */
export const SIGNED_IN_HINT_COOKIE = 'cityops_signed_in';

export interface Credentials {
  /** The session token from the cookie, `Authorization: Bearer` or Socket.IO `auth.token`. */
  token?: string;
  basic?: { username: string; password: string };
}

/** Reads `Authorization: Basic ...` or `Bearer ...`; anything else yields nothing. */
export function parseAuthorization(header: string | undefined): Credentials {
  if (!header) return {};
  const space = header.indexOf(' ');
  if (space < 0) return {};
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer' && value) return { token: value };
  if (scheme !== 'basic') return {};
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return {};
  return { basic: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } };
}

/**
 * One authentication path for HTTP and Socket.IO. A session token wins over
 * Basic so a browser's cookie is never shadowed by a stale header.
 */
export async function authenticate(users: OperatorAccounts, credentials: Credentials): Promise<Operator | null> {
  if (credentials.token) {
    const session = users.resolveSession(credentials.token);
    if (session) return { username: session.username, role: session.role };
  }
  if (credentials.basic) {
    return users.verify(credentials.basic.username, credentials.basic.password);
  }
  return null;
}

/**
 * CSRF defence for state-changing requests: a present Origin must be this
 * host (or an allowed origin). Browsers always send Origin on cross-origin
 * POST/DELETE, so a forged request cannot pass by omitting it.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
