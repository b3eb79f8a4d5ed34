import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SESSION_COOKIE, SIGNED_IN_HINT_COOKIE } from '../auth.ts';
import { dashboardError } from '../errors.ts';
import type { OperatorAccounts } from '../ports.ts';
import type { SignInThrottle } from '../sign-in-throttle.ts';
import { operatorOf, requireSignedIn, sessionTokenOf } from '../request-auth.ts';

export interface SessionRoutesOptions {
  users: OperatorAccounts;
  secureCookies: boolean;
  throttle: SignInThrottle;
  /** Ends live connections that rode on a session being signed out. */
  onSignOut(token: string): void;
}

const SignInBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
});

/** Sign-in for the map: an httpOnly SameSite=Strict cookie holding an opaque session token. */
export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (app, { users, secureCookies, throttle, onSignOut }) => {
  const cookieOptions = { httpOnly: true, sameSite: 'strict', path: '/', secure: secureCookies } as const;

  app.post('/session', { schema: { body: SignInBody } }, async (request, reply) => {
    const key = `${request.body.username.toLowerCase()}|${request.ip}`;
    if (!throttle.allowed(key)) throw dashboardError('CITYOPS_DASHBOARD_TOO_MANY_ATTEMPTS');
    const operator = await users.verify(request.body.username, request.body.password);
    if (!operator) {
      throttle.failed(key);
      request.log.info({ username: request.body.username }, 'sign-in refused');
      throw dashboardError('CITYOPS_DASHBOARD_INVALID_CREDENTIALS');
    }
    throttle.succeeded(key);
    const session = users.createSession(operator.username);
    reply.setCookie(SESSION_COOKIE, session.token, {
      ...cookieOptions,
      expires: new Date(session.expiresAt),
    });
    reply.setCookie(SIGNED_IN_HINT_COOKIE, '1', { ...cookieOptions, httpOnly: false, expires: new Date(session.expiresAt) });
    request.log.info({ username: operator.username }, 'signed in');
    return { username: session.username, role: session.role, expiresAt: new Date(session.expiresAt).toISOString() };
  });

  await app.register(async (signedIn) => {
    signedIn.addHook('onRequest', requireSignedIn(users));

    signedIn.get('/session', async (request) => operatorOf(request));

    signedIn.delete('/session', async (request, reply) => {
      const token = sessionTokenOf(request);
      if (token) {
        users.revokeSession(token);
        onSignOut(token);
      }
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
      reply.clearCookie(SIGNED_IN_HINT_COOKIE, { ...cookieOptions, httpOnly: false });
      return reply.status(204).send();
    });
  });
};
