import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDashboard, type Dashboard } from './dashboard.ts';
import type { ErrorBody } from './errors.ts';
import { BASEMAP_DIR, basicAuth, createMemoryDeps, createTempAccounts, sampleAlert, type MemoryDeps, type TempAccounts } from './test-fixtures.ts';

const NOW = Date.UTC(2026, 10, 24, 3, 0, 0);

describe('dashboard HTTP API', () => {
  let temp: TempAccounts;
  let deps: MemoryDeps;
  let dashboard: Dashboard;
  let webRoot: string;
  const passwords: Record<string, string> = {};

  beforeEach(async () => {
    temp = createTempAccounts();
    for (const [name, role] of [['viewer1', 'viewer'], ['op1', 'operator'], ['admin1', 'admin']] as const) {
      passwords[name] = (await temp.users.add(name, role)).password;
    }
    webRoot = mkdtempSync(join(tmpdir(), 'cityops-web-'));
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>CityOps</title>');
    writeFileSync(join(webRoot, 'assets', 'app-abc123.js'), 'console.log(1)');
    deps = createMemoryDeps(temp.users);
    dashboard = await buildDashboard(deps, { webRoot, basemapDir: BASEMAP_DIR, clock: () => NOW });
  });

  afterEach(async () => {
    await dashboard.close();
    temp.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  const signIn = async (username: string): Promise<string> => {
    const res = await dashboard.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload: { username, password: passwords[username] },
    });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'cityops_session');
    expect(cookie).toBeDefined();
    return `cityops_session=${cookie?.value}`;
  };
  const asViewer = () => ({ authorization: basicAuth('viewer1', passwords.viewer1 ?? '') });

  describe('session', () => {
    it('signs in with a hardened cookie, reports the user, and signs out', async () => {
      const res = await dashboard.app.inject({
        method: 'POST',
        url: '/api/session',
        headers: { 'content-type': 'application/json' },
        payload: { username: 'op1', password: passwords.op1 },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ username: 'op1', role: 'operator' });
      const [setCookie = '', hint = ''] = [res.headers['set-cookie']].flat().map(String);
      expect(setCookie).toMatch(/^cityops_session=[A-Za-z0-9_-]{43};/);
      // The page-readable hint carries no secret.
      expect(hint).toMatch(/^cityops_signed_in=1;/);
      expect(hint).not.toContain('HttpOnly');
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('SameSite=Strict');
      expect(setCookie).toContain('Path=/');
      expect(setCookie).not.toContain('Secure');
      const cookie = setCookie.split(';')[0] ?? '';

      const me = await dashboard.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toEqual({ username: 'op1', role: 'operator' });

      const out = await dashboard.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } });
      expect(out.statusCode).toBe(204);
      expect(String(out.headers['set-cookie'])).toMatch(/cityops_session=;/);
      expect(String(out.headers['set-cookie'])).toMatch(/cityops_signed_in=;/);
      const after = await dashboard.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: `${cookie}; cityops_signed_in=1` } });
      expect(after.statusCode).toBe(401);
      expect(String(after.headers['set-cookie'])).toMatch(/cityops_signed_in=;/);
      expect(after.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_UNAUTHENTICATED');
    });

    it('refuses wrong passwords and malformed bodies', async () => {
      const wrong = await dashboard.app.inject({
        method: 'POST',
        url: '/api/session',
        headers: { 'content-type': 'application/json' },
        payload: { username: 'op1', password: 'nope' },
      });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_INVALID_CREDENTIALS');
      expect(wrong.headers['set-cookie']).toBeUndefined();

      const missing = await dashboard.app.inject({
        method: 'POST',
        url: '/api/session',
        headers: { 'content-type': 'application/json' },
        payload: { username: 'op1' },
      });
      expect(missing.statusCode).toBe(400);
      expect(missing.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_BAD_REQUEST');

      const broken = await dashboard.app.inject({
        method: 'POST',
        url: '/api/session',
        headers: { 'content-type': 'application/json' },
        payload: '{"username":',
      });
      expect(broken.statusCode).toBe(400);
      expect(broken.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_BAD_REQUEST');
    });

    it('throttles repeated failed sign-ins for a user from one address', async () => {
      const attempt = (password: string) =>
        dashboard.app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: { username: 'op1', password } });
      for (let i = 0; i < 5; i++) expect((await attempt('guess')).statusCode).toBe(401);
      const locked = await attempt(passwords.op1 ?? '');
      expect(locked.statusCode).toBe(429);
      expect(locked.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_TOO_MANY_ATTEMPTS');
      expect(locked.headers['set-cookie']).toBeUndefined();
      // Other users are unaffected.
      expect((await dashboard.app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: { username: 'viewer1', password: passwords.viewer1 } })).statusCode).toBe(200);
    });

    it('marks the cookie Secure and sends HSTS when secureCookies is set', async () => {
      const secure = await buildDashboard(deps, { webRoot, basemapDir: BASEMAP_DIR, secureCookies: true });
      try {
        const res = await secure.app.inject({
          method: 'POST',
          url: '/api/session',
          headers: { 'content-type': 'application/json' },
          payload: { username: 'op1', password: passwords.op1 },
        });
        expect(String(res.headers['set-cookie'])).toContain('Secure');
        expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
      } finally {
        await secure.close();
      }
    });
  });

  describe('authentication', () => {
    it('requires a signed-in user on every /api route but sign-in', async () => {
      for (const url of ['/api/sensors', '/api/sensors/trf-cmt8/history', '/api/alerts', '/api/session']) {
        const res = await dashboard.app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(401);
        expect(res.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_UNAUTHENTICATED');
        // No Basic challenge for the page's own requests: it would pop the browser's login dialog.
        expect(res.headers['www-authenticate']).toBeUndefined();
      }
    });

    it('accepts HTTP Basic for scripts and challenges bad Basic credentials', async () => {
      const ok = await dashboard.app.inject({ method: 'GET', url: '/api/sensors', headers: asViewer() });
      expect(ok.statusCode).toBe(200);
      const bad = await dashboard.app.inject({ method: 'GET', url: '/api/sensors', headers: { authorization: basicAuth('viewer1', 'wrong') } });
      expect(bad.statusCode).toBe(401);
      expect(bad.headers['www-authenticate']).toMatch(/^Basic realm="CityOps"/);
    });

    it('accepts the session token as a Bearer token', async () => {
      const cookie = await signIn('viewer1');
      const token = cookie.split('=')[1];
      const res = await dashboard.app.inject({ method: 'GET', url: '/api/alerts', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(200);
    });
  });

  describe('sensors', () => {
    it('returns the live registry', async () => {
      const res = await dashboard.app.inject({ method: 'GET', url: '/api/sensors', headers: asViewer() });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json<{ type: string; features: Array<{ properties: { id: string } }> }>();
      expect(body.type).toBe('FeatureCollection');
      expect(body.features.map((f) => f.properties.id)).toContain('fld-nguyenhuucanh');
    });

    it('queries history with defaults, ISO/epoch bounds and buckets', async () => {
      const def = await dashboard.app.inject({ method: 'GET', url: '/api/sensors/fld-huynhtanphat/history', headers: asViewer() });
      expect(def.statusCode).toBe(200);
      expect(deps.historyCalls.at(-1)).toEqual({ sensorId: 'fld-huynhtanphat', domain: 'flood', from: NOW - 86_400_000, to: NOW });
      expect(def.json()).toMatchObject({ sensorId: 'fld-huynhtanphat', everyMs: null, points: [{ ts: NOW - 86_400_000 }] });

      const res = await dashboard.app.inject({
        method: 'GET',
        url: `/api/sensors/trf-cmt8/history?from=${encodeURIComponent('2026-11-24T07:00:00+07:00')}&to=${NOW}&every=5m`,
        headers: asViewer(),
      });
      expect(res.statusCode).toBe(200);
      expect(deps.historyCalls.at(-1)).toEqual({ sensorId: 'trf-cmt8', domain: 'traffic', from: Date.UTC(2026, 10, 24, 0), to: NOW, everyMs: 300_000 });
    });

    it('answers 404 for unknown sensors and 400 for bad queries', async () => {
      const unknown = await dashboard.app.inject({ method: 'GET', url: '/api/sensors/nope-123/history', headers: asViewer() });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_SENSOR_NOT_FOUND');
      for (const query of ['every=5x', 'from=tomorrow', `from=${NOW}&to=${NOW - 1000}`, 'every=1s&from=0']) {
        const res = await dashboard.app.inject({ method: 'GET', url: `/api/sensors/trf-cmt8/history?${query}`, headers: asViewer() });
        expect(res.statusCode, query).toBe(400);
        expect(res.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_BAD_QUERY');
      }
      const badId = await dashboard.app.inject({ method: 'GET', url: '/api/sensors/BAD%20ID/history', headers: asViewer() });
      expect(badId.statusCode).toBe(400);
    });

    it('uses deps.sensorDomain when present', async () => {
      const looked: string[] = [];
      const fast = await buildDashboard(
        { ...deps, sensorDomain: (id) => (looked.push(id), id === 'x-only' ? 'air' : undefined) },
        { webRoot, basemapDir: BASEMAP_DIR, clock: () => NOW },
      );
      try {
        const res = await fast.app.inject({ method: 'GET', url: '/api/sensors/x-only/history', headers: asViewer() });
        expect(res.statusCode).toBe(200);
        expect(deps.historyCalls.at(-1)?.domain).toBe('air');
        expect(looked).toEqual(['x-only']);
      } finally {
        await fast.close();
      }
    });
  });

  describe('alerts', () => {
    beforeEach(() => {
      deps.alertStore.push(
        sampleAlert(),
        sampleAlert({ id: 'alrt-air-1', domain: 'air', severity: 'minor', updatedAt: '2026-11-23T00:00:00.000Z' }),
        sampleAlert({ id: 'alrt-old', state: 'resolved', resolvedAt: '2026-11-24T01:00:00.000Z' }),
      );
    });
    const ack = (id: string, headers: Record<string, string>, payload: unknown = {}) =>
      dashboard.app.inject({ method: 'POST', url: `/api/alerts/${id}/ack`, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(payload) });

    it('lists with state (comma list), domain and since filters', async () => {
      const get = async (query: string) => {
        const res = await dashboard.app.inject({ method: 'GET', url: `/api/alerts${query}`, headers: asViewer() });
        expect(res.statusCode, query).toBe(200);
        return res.json<Array<{ id: string }>>().map((a) => a.id);
      };
      expect(await get('')).toEqual(['alrt-flood-1', 'alrt-air-1', 'alrt-old']);
      expect(await get('?state=active,acknowledged')).toEqual(['alrt-flood-1', 'alrt-air-1']);
      expect(await get('?state=resolved')).toEqual(['alrt-old']);
      expect(await get('?domain=air')).toEqual(['alrt-air-1']);
      expect(await get(`?since=${encodeURIComponent('2026-11-24T00:00:00Z')}&state=active`)).toEqual(['alrt-flood-1']);
      for (const bad of ['?state=open', '?domain=noise', '?since=soon']) {
        const res = await dashboard.app.inject({ method: 'GET', url: `/api/alerts${bad}`, headers: asViewer() });
        expect(res.statusCode, bad).toBe(400);
        expect(res.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_BAD_QUERY');
      }
    });

    it('lets operators and admins acknowledge as themselves, but not viewers', async () => {
      const viewer = await ack('alrt-flood-1', { cookie: await signIn('viewer1') });
      expect(viewer.statusCode).toBe(403);
      expect(viewer.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_FORBIDDEN');
      expect(deps.acks).toEqual([]);

      const op = await ack('alrt-flood-1', { cookie: await signIn('op1') }, { comment: ' đã cử đội xử lý ' });
      expect(op.statusCode).toBe(200);
      expect(op.json()).toMatchObject({ id: 'alrt-flood-1', state: 'acknowledged', acknowledgedBy: 'op1' });
      expect(deps.acks).toEqual([{ id: 'alrt-flood-1', by: 'op1', comment: 'đã cử đội xử lý' }]);

      const admin = await ack('alrt-air-1', { authorization: basicAuth('admin1', passwords.admin1 ?? '') });
      expect(admin.statusCode).toBe(200);
      expect(deps.acks.at(-1)).toEqual({ id: 'alrt-air-1', by: 'admin1', comment: undefined });
    });

    it('maps the alert service errors to 404/409 and hides unknown ones behind a generic 500', async () => {
      const op = { cookie: await signIn('op1') };
      const missing = await ack('alrt-none', op);
      expect(missing.statusCode).toBe(404);
      expect(missing.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_ALERT_NOT_FOUND');
      const resolved = await ack('alrt-old', op);
      expect(resolved.statusCode).toBe(409);
      expect(resolved.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_ALERT_CONFLICT');
      const boom = await ack('explode', op);
      expect(boom.statusCode).toBe(500);
      expect(boom.json()).toEqual({ statusCode: 500, code: 'CITYOPS_DASHBOARD_INTERNAL', message: 'Internal server error.' });
      expect(boom.body).not.toContain('/var/lib');
      const tooLong = await ack('alrt-flood-1', op, { comment: 'x'.repeat(1001) });
      expect(tooLong.statusCode).toBe(400);
    });
  });

  describe('CSRF', () => {
    it('rejects form posts and non-JSON bodies', async () => {
      const op = { cookie: await signIn('op1') };
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
        const res = await dashboard.app.inject({ method: 'POST', url: '/api/alerts/alrt-flood-1/ack', headers: { ...op, 'content-type': type }, payload: 'comment=x' });
        expect(res.statusCode, type).toBe(415);
        expect(res.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_UNSUPPORTED_MEDIA_TYPE');
      }
      const signInForm = await dashboard.app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'username=op1&password=x' });
      expect(signInForm.statusCode).toBe(415);
      expect(deps.acks).toEqual([]);
    });

    it('rejects mutating requests from another origin, accepts the same origin', async () => {
      deps.alertStore.push(sampleAlert());
      const op = { cookie: await signIn('op1'), 'content-type': 'application/json' };
      const evil = await dashboard.app.inject({ method: 'POST', url: '/api/alerts/alrt-flood-1/ack', headers: { ...op, host: 'cityops.local:8080', origin: 'https://evil.example' }, payload: '{}' });
      expect(evil.statusCode).toBe(403);
      expect(evil.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_CROSS_ORIGIN');
      const crossSite = await dashboard.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: op.cookie, 'sec-fetch-site': 'cross-site' } });
      expect(crossSite.statusCode).toBe(403);
      const wrongPort = await dashboard.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: op.cookie, host: 'cityops.local:8080', origin: 'http://cityops.local:9999' } });
      expect(wrongPort.statusCode).toBe(403);
      expect(deps.acks).toEqual([]);
      const same = await dashboard.app.inject({ method: 'POST', url: '/api/alerts/alrt-flood-1/ack', headers: { ...op, host: 'cityops.local:8080', origin: 'http://cityops.local:8080' }, payload: '{}' });
      expect(same.statusCode).toBe(200);
    });
  });

  describe('health and metrics', () => {
    it('answers liveness, readiness and metrics without authentication', async () => {
      const live = await dashboard.app.inject({ method: 'GET', url: '/healthz' });
      expect(live.statusCode).toBe(200);
      expect(live.json()).toEqual({ ok: true });
      const ready = await dashboard.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ ok: true, checks: { store: true, broker: true } });
      deps.readiness = { ok: false, checks: { store: true, broker: false } };
      const notReady = await dashboard.app.inject({ method: 'GET', url: '/readyz' });
      expect(notReady.statusCode).toBe(503);
      expect(notReady.json()).toEqual({ ok: false, checks: { store: true, broker: false } });
      const metrics = await dashboard.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(metrics.body).toContain('cityops_test_total 1');
    });

    it('answers 503 when the readiness check throws', async () => {
      deps.ready = async () => {
        throw new Error('store gone');
      };
      const res = await dashboard.app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.body).not.toContain('store gone');
    });
  });

  describe('static files', () => {
    it('serves the web build with cache headers, CSP and an index.html fallback', async () => {
      const index = await dashboard.app.inject({ method: 'GET', url: '/' });
      expect(index.statusCode).toBe(200);
      expect(index.body).toContain('<title>CityOps</title>');
      expect(index.headers['cache-control']).toBe('no-cache');
      expect(index.headers['content-security-policy']).toContain("default-src 'self'");
      // The map's worker is a same-origin script (MapLibre's CSP build): no blob: workers.
      expect(index.headers['content-security-policy']).toContain("worker-src 'self';");
      expect(index.headers['content-security-policy']).not.toMatch(/(worker|child)-src[^;]*blob:/);
      expect(index.headers['x-content-type-options']).toBe('nosniff');

      const asset = await dashboard.app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');

      const deepLink = await dashboard.app.inject({ method: 'GET', url: '/alerts/alrt-1', headers: { accept: 'text/html' } });
      expect(deepLink.statusCode).toBe(200);
      expect(deepLink.body).toContain('<title>CityOps</title>');

      const apiMiss = await dashboard.app.inject({ method: 'GET', url: '/api/nothing', headers: { accept: 'text/html', ...asViewer() } });
      expect(apiMiss.statusCode).toBe(404);
      expect(apiMiss.json<ErrorBody>().code).toBe('CITYOPS_DASHBOARD_NOT_FOUND');
      const assetMiss = await dashboard.app.inject({ method: 'GET', url: '/assets/gone.js', headers: { accept: 'text/html' } });
      expect(assetMiss.statusCode).toBe(404);
    });

    it('serves the HCMC basemap', async () => {
      const res = await dashboard.app.inject({ method: 'GET', url: '/basemap/districts.geojson' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
      expect(res.headers['cache-control']).toBe('public, max-age=3600');
      const districts = res.json<{ features: Array<{ properties: { name_vi: string } }> }>();
      expect(districts.features.map((f) => f.properties.name_vi)).toContain('Quận Bình Thạnh');
      const missing = await dashboard.app.inject({ method: 'GET', url: '/basemap/../package.json' });
      expect(missing.statusCode).toBe(404);
    });
  });
});
