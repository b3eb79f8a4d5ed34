/*
 * GET /api/snapshot: the city at an instant, rebuilt from the history port
 * and the alert list, for the map's time slider.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '@cityops/contracts';
import { alertAt, type CitySnapshot } from './city-snapshot.ts';
import { buildDashboard, type Dashboard } from './dashboard.ts';
import { BASEMAP_DIR, basicAuth, createMemoryDeps, createTempAccounts, sampleAlert, type MemoryDeps, type TempAccounts } from './test-fixtures.ts';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const MIN = 60_000;

describe('GET /api/snapshot', () => {
  let temp: TempAccounts;
  let deps: MemoryDeps;
  let dashboard: Dashboard;
  let webRoot: string;
  let auth: { authorization: string };

  beforeEach(async () => {
    temp = createTempAccounts();
    auth = { authorization: basicAuth('viewer1', (await temp.users.add('viewer1', 'viewer')).password) };
    webRoot = mkdtempSync(join(tmpdir(), 'cityops-web-'));
    deps = createMemoryDeps(temp.users);
    // Every flood sensor read 5 cm per 5 minutes rising; the others have no history.
    deps.history = async (query) => {
      deps.historyCalls.push(query);
      const points = [];
      if (query.domain === 'flood') {
        for (let ts = NOW - 120 * MIN; ts <= NOW; ts += 5 * MIN) {
          if (ts >= query.from && ts <= query.to) points.push({ ts, fields: { waterLevelCm: (ts - (NOW - 120 * MIN)) / MIN } });
        }
      }
      return { ...query, everyMs: null, points };
    };
    dashboard = await buildDashboard(deps, { webRoot, basemapDir: BASEMAP_DIR, clock: () => NOW });
  });

  afterEach(async () => {
    await dashboard.close();
    temp.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  const get = (url: string, headers: Record<string, string> = auth) => dashboard.app.inject({ method: 'GET', url, headers });

  it('returns the last reading of each sensor at the instant, and the alerts open then', async () => {
    const at = NOW - 58 * MIN;
    deps.alertStore.push(
      sampleAlert({ id: 'before-resolved', raisedAt: new Date(NOW - 100 * MIN).toISOString(), resolvedAt: new Date(NOW - 80 * MIN).toISOString(), state: 'resolved' }),
      sampleAlert({ id: 'open-then', raisedAt: new Date(NOW - 70 * MIN).toISOString(), resolvedAt: new Date(NOW - 10 * MIN).toISOString(), state: 'resolved' }),
      sampleAlert({ id: 'acked-later', raisedAt: new Date(NOW - 65 * MIN).toISOString(), acknowledgedAt: new Date(NOW - 30 * MIN).toISOString(), acknowledgedBy: 'op1', state: 'acknowledged' }),
      sampleAlert({ id: 'raised-later', raisedAt: new Date(NOW - 20 * MIN).toISOString() }),
    );
    const res = await get(`/api/snapshot?at=${new Date(at).toISOString()}`);
    expect(res.statusCode).toBe(200);
    const body = res.json<CitySnapshot>();
    expect(body.at).toBe(at);
    expect(body.lookbackMs).toBe(15 * MIN);
    // 4 flood sensors; the reading at NOW-60 min (level 60) is the last one at or before NOW-58 min.
    expect(body.readings.map((r) => r.sensorId).sort()).toEqual(['fld-huynhtanphat', 'fld-kinhduongvuong', 'fld-lythuongkiet', 'fld-nguyenhuucanh']);
    expect(body.readings.every((r) => r.ts === NOW - 60 * MIN && r.fields.waterLevelCm === 60)).toBe(true);
    expect(body.alerts.map((a) => [a.id, a.state])).toEqual([['open-then', 'active'], ['acked-later', 'active']]);
    expect(body.alerts[1]?.acknowledgedBy).toBeUndefined();
    // Without the batched port: one bounded history query per sensor ([from, to) with to just past `at`).
    expect(deps.historyCalls).toHaveLength(12);
    expect(deps.historyCalls.every((q) => q.to === at + 1 && q.from === at - 15 * MIN)).toBe(true);
  });

  it('asks a store with the batched port once for the whole fleet, and keeps only registry sensors', async () => {
    const windows: Array<{ from: number; to: number }> = [];
    const at = NOW - 58 * MIN;
    deps.latestIn = async (window) => {
      windows.push(window);
      const r = (sensorId: string, domain: Reading['domain'], ts: number, fields: Reading['fields']): Reading => ({ sensorId, domain, ts, receivedAt: ts + 100, fields, district: 'Quận 1' });
      return [
        r('trf-nguyenhue', 'traffic', at, { speedKmh: 21 }),
        r('fld-nguyenhuucanh', 'flood', at - 5 * MIN, { waterLevelCm: 33 }),
        r('fld-retired', 'flood', at - MIN, { waterLevelCm: 3 }), // no longer in the registry
        r('air-thuduc', 'flood', at - MIN, { waterLevelCm: 3 }), // a registry id, but another domain
      ];
    };
    const res = await get(`/api/snapshot?at=${at}`);
    expect(res.statusCode).toBe(200);
    expect(res.json<CitySnapshot>().readings).toEqual([
      { sensorId: 'trf-nguyenhue', domain: 'traffic', ts: at, fields: { speedKmh: 21 } },
      { sensorId: 'fld-nguyenhuucanh', domain: 'flood', ts: at - 5 * MIN, fields: { waterLevelCm: 33 } },
    ]);
    expect(windows).toEqual([{ from: at - 15 * MIN, to: at + 1 }]);
    expect(deps.historyCalls).toEqual([]);
  });

  it('takes a look-back and epoch milliseconds', async () => {
    const res = await get(`/api/snapshot?at=${NOW - 2 * MIN}&lookback=1m`);
    expect(res.statusCode).toBe(200);
    expect(res.json<CitySnapshot>().readings).toEqual([]);
  });

  it('refuses bad instants and look-backs with stable codes, and anonymous callers', async () => {
    for (const url of ['/api/snapshot?at=yesterday', `/api/snapshot?at=${NOW + 3_600_000}`, `/api/snapshot?at=${NOW}&lookback=7h`, '/api/snapshot']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json<{ code: string }>().code, url).toMatch(/^CITYOPS_DASHBOARD_BAD_(QUERY|REQUEST)$/);
    }
    const anonymous = await get(`/api/snapshot?at=${NOW}`, {});
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json<{ code: string }>().code).toBe('CITYOPS_DASHBOARD_UNAUTHENTICATED');
  });

  it('keeps an acknowledgement made before the instant', () => {
    const alert = sampleAlert({ raisedAt: new Date(NOW - 10 * MIN).toISOString(), acknowledgedAt: new Date(NOW - 5 * MIN).toISOString(), acknowledgedBy: 'op1', state: 'acknowledged' });
    expect(alertAt(alert, NOW)?.state).toBe('acknowledged');
    expect(alertAt(alert, NOW - 7 * MIN)?.state).toBe('active');
    expect(alertAt(alert, NOW - 11 * MIN)).toBeNull();
  });
});
