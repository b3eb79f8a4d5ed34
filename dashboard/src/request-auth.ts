import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { authenticate, originAllowed, parseAuthorization, SESSION_COOKIE, SIGNED_IN_HINT_COOKIE } from './auth.ts';
import { dashboardError } from './errors.ts';
import { roleRank, type Operator, type OperatorAccounts, type Role } from './ports.ts';

// A WeakMap instead of a request decoration keeps fastify's global types untouched for other workspaces.
const operators = new WeakMap<FastifyRequest, Operator>();

export function operatorOf(request: FastifyRequest): Operator {
  const operator = operators.get(request);
  if (!operator) throw dashboardError('CITYOPS_DASHBOARD_UNAUTHENTICATED');
  return operator;
}

export function sessionTokenOf(request: FastifyRequest): string | undefined {
  return request.cookies[SESSION_COOKIE];
}

/** Denies every route of the scope it is added to unless the caller signs in (cookie, Bearer or Basic). */
export function requireSignedIn(users: OperatorAccounts): onRequestAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = parseAuthorization(request.headers.authorization);
    const token = sessionTokenOf(request) ?? header.token;
    const operator = await authenticate(users, { ...header, ...(token ? { token } : {}) });
    if (!operator) {
      // Only challenge callers that tried Basic: a challenge on the page's own fetches would pop the browser's login dialog.
      if (header.basic) reply.header('www-authenticate', 'Basic realm="CityOps", charset="UTF-8"');
      // The session is gone (expired, revoked, user removed): stop the page from asking again on its next load.
      if (request.cookies[SIGNED_IN_HINT_COOKIE]) reply.clearCookie(SIGNED_IN_HINT_COOKIE, { path: '/', sameSite: 'strict' });
      throw dashboardError('CITYOPS_DASHBOARD_UNAUTHENTICATED');
    }
    operators.set(request, operator);
  };
}

export function requireRole(minimum: Role): onRequestAsyncHookHandler {
  return async (request: FastifyRequest) => {
    if (roleRank(operatorOf(request).role) < roleRank(minimum)) throw dashboardError('CITYOPS_DASHBOARD_FORBIDDEN');
  };
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * CSRF: HTML forms can only send urlencoded, multipart or text/plain bodies
 * without a preflight, so requiring JSON on bodies rules out forged form
 * posts; the Origin check covers fetches from other sites. DELETE carries no
 * body and cannot come from a form, so only its Origin is checked.
 */
export function csrfGuard(allowedOrigins: readonly string[]): onRequestAsyncHookHandler {
  return async (request: FastifyRequest) => {
    if (!MUTATING.has(request.method)) return;
    if (request.headers['sec-fetch-site'] === 'cross-site') throw dashboardError('CITYOPS_DASHBOARD_CROSS_ORIGIN');
    if (!originAllowed(request.headers.origin, request.headers.host, allowedOrigins)) {
      throw dashboardError('CITYOPS_DASHBOARD_CROSS_ORIGIN');
    }
    if (request.method === 'DELETE') return;
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') throw dashboardError('CITYOPS_DASHBOARD_UNSUPPORTED_MEDIA_TYPE');
  };
}
