/* GET /api/alerts/:id/audit: an alert's history for every signed-in role. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDashboard, type Dashboard } from './dashboard.ts';
import type { AlertAuditEntry } from './ports.ts';
import { BASEMAP_DIR, basicAuth, createMemoryDeps, createTempAccounts, type TempAccounts } from './test-fixtures.ts';

const TRAIL: AlertAuditEntry[] = [
  { alertId: 'alrt-1', at: '2026-11-24T02:00:00.000Z', actor: 'rules', action: 'raised', detail: { severity: 'major', value: 42 } },
  { alertId: 'alrt-1', at: '2026-11-24T02:05:00.000Z', actor: 'op1', action: 'acknowledged', detail: { comment: 'Đã cử đội' } },
];

describe('GET /api/alerts/:id/audit', () => {
  let temp: TempAccounts;
  let dashboard: Dashboard;
  let webRoot: string;
  let viewer: string;

  beforeEach(async () => {
    temp = createTempAccounts();
    viewer = basicAuth('viewer1', (await temp.users.add('viewer1', 'viewer')).password);
    webRoot = mkdtempSync(join(tmpdir(), 'cityops-web-'));
    const deps = createMemoryDeps(temp.users);
    deps.alerts.audit = (id) => TRAIL.filter((e) => e.alertId === id);
    dashboard = await buildDashboard(deps, { webRoot, basemapDir: BASEMAP_DIR });
  });

  afterEach(async () => {
    await dashboard.close();
    temp.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  it('lets a viewer read the trail, oldest first', async () => {
    const res = await dashboard.app.inject({ method: 'GET', url: '/api/alerts/alrt-1/audit', headers: { authorization: viewer } });
    expect(res.statusCode).toBe(200);
    expect(res.json<AlertAuditEntry[]>().map((e) => e.action)).toEqual(['raised', 'acknowledged']);
  });

  it('answers 404 for an unknown alert and 401 without a session', async () => {
    const unknown = await dashboard.app.inject({ method: 'GET', url: '/api/alerts/nope/audit', headers: { authorization: viewer } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ code: string }>().code).toBe('CITYOPS_DASHBOARD_ALERT_NOT_FOUND');
    const anonymous = await dashboard.app.inject({ method: 'GET', url: '/api/alerts/alrt-1/audit' });
    expect(anonymous.statusCode).toBe(401);
  });
});
