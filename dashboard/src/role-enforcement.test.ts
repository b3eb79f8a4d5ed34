import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { buildDashboard, type Dashboard } from './dashboard.ts';
import type { AlertComment } from './ports.ts';
import { BASEMAP_DIR, basicAuth, createMemoryDeps, createTempAccounts, sampleAlert, type MemoryDeps, type TempAccounts } from './test-fixtures.ts';

/**
 * Every route that changes something, with the least role that may call it.
 * The route table is checked against this list, so a new mutating route
 * cannot be added without deciding who may use it.
 */
const MUTATING_ROUTES = [
  { method: 'POST', url: '/api/session', role: null, body: { username: 'nobody', password: 'wrong' } },
  { method: 'DELETE', url: '/api/session', role: 'viewer', body: undefined },
  { method: 'POST', url: '/api/alerts/alrt-flood-1/ack', role: 'operator', body: { comment: 'on it' } },
  { method: 'POST', url: '/api/alerts/alrt-flood-1/comments', role: 'operator', body: { comment: 'crew dispatched' } },
] as const;
const RANK = { viewer: 0, operator: 1, admin: 2 } as const;
type Role = keyof typeof RANK;

describe('roles are enforced on the server', () => {
  let temp: TempAccounts;
  let deps: MemoryDeps;
  let dashboard: Dashboard;
  const auth: Record<Role, string> = { viewer: '', operator: '', admin: '' };

  beforeAll(async () => {
    temp = createTempAccounts();
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const { password } = await temp.users.add(`${role}1`, role);
      auth[role] = basicAuth(`${role}1`, password);
    }
    deps = createMemoryDeps(temp.users);
    const comments: AlertComment[] = [];
    deps.alerts.comment = (alertId, by, comment) => {
      const entry = { alertId, at: new Date().toISOString(), by, comment };
      comments.push(entry);
      return entry;
    };
    deps.alerts.comments = (alertId) => comments.filter((c) => c.alertId === alertId);
    dashboard = await buildDashboard(deps, { webRoot: '/nonexistent', basemapDir: BASEMAP_DIR });
    await dashboard.app.ready();
  });

  afterAll(async () => {
    await dashboard?.close();
    temp?.close();
  });

  it('lists every mutating route of the API', () => {
    const table = dashboard.app.printRoutes({ commonPrefix: false });
    const mutating = (table.match(/\b(POST|PUT|PATCH|DELETE)\b/g) ?? []).length;
    expect(mutating).toBe(MUTATING_ROUTES.length);
    for (const r of MUTATING_ROUTES) expect(dashboard.app.hasRoute({ method: r.method, url: r.url.replace('alrt-flood-1', ':id') }), `${r.method} ${r.url}`).toBe(true);
  });

  for (const route of MUTATING_ROUTES.filter((r) => r.role !== null)) {
    it(`${route.method} ${route.url} needs a signed-in ${route.role} or above`, async () => {
      const call = (authorization?: string) =>
        dashboard.app.inject({
          method: route.method,
          url: route.url,
          headers: { ...(authorization ? { authorization } : {}), ...(route.body ? { 'content-type': 'application/json' } : {}) },
          ...(route.body ? { payload: route.body } : {}),
        });
      expect((await call()).statusCode).toBe(401);
      for (const role of ['viewer', 'operator', 'admin'] as const) {
        deps.alertStore.splice(0, deps.alertStore.length, sampleAlert());
        const res = await call(auth[role]);
        if (RANK[role] < RANK[route.role as Role]) expect(res.statusCode, `${role}: ${res.body}`).toBe(403);
        else expect(res.statusCode, `${role}: ${res.body}`).toBeLessThan(300);
      }
    });
  }

  it('refuses Socket.IO connections without a signed-in user and with a wrong password', async () => {
    const { port } = await dashboard.listen({ host: '127.0.0.1', port: 0 });
    const attempt = (authOption?: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false, ...(authOption ? { auth: authOption } : {}) });
        socket.once('connect', () => {
          socket.close();
          resolve('connected');
        });
        socket.once('connect_error', (err) => {
          socket.close();
          resolve(err.message);
        });
      });
    expect(await attempt()).not.toBe('connected');
    expect(await attempt({ username: 'viewer1', password: 'not-it' })).not.toBe('connected');
    expect(await attempt({ token: 'forged-session-token' })).not.toBe('connected');
  });
});
