/*
 * Shared by this workspace's tests only: an in-memory DashboardDeps (the
 * dashboard's own port, implemented over arrays) and real SQLite accounts in
 * a temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from '@cityops/sqlite';
import type { Alert, Domain, LiveSensorCollection, LiveSensorFeature } from '@cityops/contracts';
import { pino } from 'pino';
import { createSqliteOperatorAccounts } from './operator-accounts.ts';
import type { AlertFilter, DashboardDeps, HistoryQuery, OperatorAccounts } from './ports.ts';

export const DASHBOARD_DIR = fileURLToPath(new URL('..', import.meta.url));
export const BASEMAP_DIR = join(DASHBOARD_DIR, 'basemap', 'hcmc');

function sensor(
  id: string,
  domain: Domain,
  name: string,
  district: string,
  coordinates: [number, number],
  extra: Partial<LiveSensorFeature['properties']> = {},
): LiveSensorFeature {
  return {
    type: 'Feature',
    properties: { id, domain, name, district, online: true, latest: null, ...extra },
    geometry: { type: 'Point', coordinates },
  };
}

const T0 = Date.UTC(2026, 10, 24, 2, 0, 0);
const latest = (fields: Record<string, number>) => ({ ts: T0, receivedAt: T0 + 40, fields });

/** A handful of real places in central HCMC, one per colour class (osmWayId: the nearest basemap way). */
export function sampleSensors(): LiveSensorFeature[] {
  return [
    sensor('trf-nguyenhue', 'traffic', 'Nguyễn Huệ', 'Quận 1', [106.7036, 10.7745], { roadName: 'Nguyễn Huệ', osmWayId: 377881079, freeFlowKmh: 40, latest: latest({ speedKmh: 36, volume: 120, occupancyPct: 12, intervalS: 60 }) }),
    sensor('trf-lethanhton', 'traffic', 'Lê Thánh Tôn', 'Quận 1', [106.6985, 10.7790], { roadName: 'Lê Thánh Tôn', osmWayId: 747231131, freeFlowKmh: 40, latest: latest({ speedKmh: 22, volume: 300, occupancyPct: 35, intervalS: 60 }) }),
    sensor('trf-cmt8', 'traffic', 'Cách Mạng Tháng Tám', 'Quận 3', [106.6870, 10.7790], { roadName: 'Cách Mạng Tháng Tám', osmWayId: 408246393, freeFlowKmh: 45, latest: latest({ speedKmh: 14, volume: 410, occupancyPct: 55, intervalS: 60 }) }),
    sensor('trf-dienbienphu', 'traffic', 'Điện Biên Phủ', 'Quận Bình Thạnh', [106.7050, 10.8010], { roadName: 'Điện Biên Phủ', osmWayId: 189165792, freeFlowKmh: 50, latest: latest({ speedKmh: 6, volume: 520, occupancyPct: 80, intervalS: 60 }) }),
    sensor('trf-vovankiet', 'traffic', 'Võ Văn Kiệt', 'Quận 5', [106.6760, 10.7530], { roadName: 'Võ Văn Kiệt', osmWayId: 1018414111, freeFlowKmh: 60, online: false }),
    sensor('fld-nguyenhuucanh', 'flood', 'Nguyễn Hữu Cảnh', 'Quận Bình Thạnh', [106.7190, 10.7890], { latest: latest({ waterLevelCm: 42, intervalS: 300 }) }),
    sensor('fld-huynhtanphat', 'flood', 'Huỳnh Tấn Phát', 'Quận 7', [106.7290, 10.7380], { latest: latest({ waterLevelCm: 18, intervalS: 300 }) }),
    sensor('fld-lythuongkiet', 'flood', 'Lý Thường Kiệt', 'Quận 10', [106.6530, 10.7885], { latest: latest({ waterLevelCm: 3, intervalS: 300 }) }),
    sensor('fld-kinhduongvuong', 'flood', 'Kinh Dương Vương', 'Quận 6', [106.6350, 10.7490], { latest: latest({ waterLevelCm: 61, intervalS: 300 }) }),
    sensor('air-usconsulate', 'air', 'Lãnh sự quán Hoa Kỳ', 'Quận 1', [106.7000, 10.7828], { latest: latest({ pm25: 31, pm10: 48 }) }),
    sensor('air-tansonnhat', 'air', 'Tân Sơn Nhất', 'Quận Tân Bình', [106.6630, 10.8100], { latest: latest({ pm25: 58, pm10: 80 }) }),
    sensor('air-thuduc', 'air', 'Thủ Đức', 'Tp Thủ Đức', [106.7580, 10.8500], { latest: latest({ pm25: 9, pm10: 20 }) }),
  ];
}

export function sampleAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'alrt-flood-1',
    ruleId: 'flood.depth',
    domain: 'flood',
    severity: 'major',
    state: 'active',
    subject: { kind: 'sensor', id: 'fld-nguyenhuucanh' },
    location: [106.719, 10.789],
    district: 'Quận Bình Thạnh',
    raisedAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    value: 42,
    threshold: 30,
    message: { vi: 'Ngập 42 cm tại Nguyễn Hữu Cảnh', en: 'Flooding 42 cm at Nguyen Huu Canh' },
    ...overrides,
  };
}

export class CodedError extends Error {
  constructor(readonly code: string) {
    super(`${code}: secret internal detail /var/lib/cityops`);
  }
}

export interface MemoryDeps extends DashboardDeps {
  historyCalls: HistoryQuery[];
  alertStore: Alert[];
  readiness: { ok: boolean; checks: Record<string, boolean> };
  acks: Array<{ id: string; by: string; comment: string | undefined }>;
}

export function createMemoryDeps(users: OperatorAccounts, sensors: LiveSensorFeature[] = sampleSensors()): MemoryDeps {
  const historyCalls: HistoryQuery[] = [];
  const alertStore: Alert[] = [];
  const deps: MemoryDeps = {
    acks: [],
    historyCalls,
    alertStore,
    readiness: { ok: true, checks: { store: true, broker: true } },
    sensors: (): LiveSensorCollection => ({ type: 'FeatureCollection', features: sensors }),
    async history(query) {
      historyCalls.push(query);
      return { ...query, everyMs: query.everyMs ?? null, points: [{ ts: query.from, fields: { waterLevelCm: 12 } }] };
    },
    alerts: {
      list(filter: AlertFilter) {
        return alertStore.filter(
          (a) =>
            (!filter.state || filter.state.includes(a.state)) &&
            (!filter.domain || a.domain === filter.domain) &&
            (filter.since === undefined || Date.parse(a.updatedAt) >= filter.since),
        );
      },
      // The trail a real alert service would keep: raised, then each acknowledgement made through the API.
      audit(id) {
        const alert = alertStore.find((a) => a.id === id);
        if (!alert) return [];
        return [
          { alertId: id, at: alert.raisedAt, actor: 'rules', action: 'raised', detail: { severity: alert.severity, value: alert.value } },
          ...deps.acks.filter((a) => a.id === id).map((a) => ({ alertId: id, at: alert.acknowledgedAt ?? alert.updatedAt, actor: a.by, action: 'acknowledged', detail: a.comment ? { comment: a.comment } : {} })),
        ];
      },
      acknowledge(id, by, comment) {
        if (id === 'explode') throw new Error('database is locked at /var/lib/cityops/center.db');
        const index = alertStore.findIndex((a) => a.id === id);
        const alert = alertStore[index];
        if (!alert) throw new CodedError('CITYOPS_RULES_ALERT_NOT_FOUND');
        if (alert.state === 'resolved') throw new CodedError('CITYOPS_RULES_ALERT_RESOLVED');
        const now = new Date().toISOString();
        const updated: Alert = { ...alert, state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: by, updatedAt: now };
        alertStore[index] = updated;
        deps.acks.push({ id, by, comment });
        return updated;
      },
    },
    users,
    async ready() {
      return deps.readiness;
    },
    metrics: {
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      render: async () => '# HELP cityops_test_total x\n# TYPE cityops_test_total counter\ncityops_test_total 1\n',
    },
    logger: pino({ level: process.env.CITYOPS_TEST_LOG ?? 'silent' }),
  };
  return deps;
}

export interface TempAccounts {
  dir: string;
  db: BetterSqlite3.Database;
  users: OperatorAccounts;
  close(): void;
}

export function createTempAccounts(options: { clock?: () => number; sessionTtlMs?: number } = {}): TempAccounts {
  const dir = mkdtempSync(join(tmpdir(), 'cityops-dashboard-'));
  const db = new BetterSqlite3(join(dir, 'center.db'));
  db.pragma('journal_mode = WAL');
  // Low scrypt cost: tests create many users; production uses the default.
  const users = createSqliteOperatorAccounts(db, { scryptCost: 1024, ...options });
  return {
    dir,
    db,
    users,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const basicAuth = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
