import type { Database } from '@cityops/sqlite';
import type { Logger } from 'pino';
import type { Alert, AlertAuditEntry, AlertState, Domain, Reading } from '@cityops/contracts';
import { AlertServiceError } from './alert-errors.ts';
import { createRuleEngine, type AlertChange, type LateReadingCounts, type RuleAreas, type RuleDefinition, type RuleEngine, type RuleSensor } from '@cityops/rules';
import type { SensorDirectory } from '../sensors/sensor-directory.ts';

export interface AlertFilter {
  state?: AlertState[];
  domain?: Domain;
  since?: number;
  limit?: number;
}


export interface AlertComment {
  alertId: string;
  at: string;
  by: string;
  comment: string;
}

export interface AlertService {
  /** Air readings may carry `aqi` (LiveReading) for index-category rules. */
  evaluate(reading: Reading): void;
  tick(now: number): void;
  /** A sensor's status message: offline (Last Will) raises, online resolves absence alerts. */
  status(sensorId: string, online: boolean, ts: number): void;
  /** Adds a comment to an alert (open or resolved); audited. CITYOPS_CENTER_ALERT_NOT_FOUND / _COMMENT_INVALID. */
  comment(id: string, by: string, text: string): AlertComment;
  comments(id: string): AlertComment[];
  /** The rules running now. */
  rules(): readonly RuleDefinition[];
  /**
   * Swaps the rule set without a restart: window state and open alerts of
   * rules that remain carry over; open alerts of removed rules are resolved
   * (audited as such) so none is left open with nothing able to clear it.
   */
  reloadRules(rules: readonly RuleDefinition[]): void;
  acknowledge(id: string, by: string, comment?: string): Alert;
  list(filter?: AlertFilter): Alert[];
  get(id: string): Alert | undefined;
  audit(alertId: string): AlertAuditEntry[];
  /** Writes the engine's window state; also done on every alert change. */
  saveState(): void;
  /** Late readings since the center started, over rule reloads (metrics). */
  lateReadings(): LateReadingCounts;
}

export interface AlertServiceOptions {
  db: Database;
  rules: readonly RuleDefinition[];
  sensors: SensorDirectory;
  /** Called after an alert change is committed (Socket.IO, retained MQTT, waking the webhook sender). */
  publish(alert: Alert, change: AlertChange['kind']): void;
  /**
   * Called inside the transaction that commits each alert change, for writes
   * that must stand or fall with it (the webhook outbox). Synchronous; a throw
   * rolls the change back.
   */
  record?(alert: Alert, change: AlertChange['kind']): void;
  logger: Logger;
  clock?: () => number;
  /** District polygons for district rules (turf point-in-polygon); without them the registry's district decides. */
  areas?: RuleAreas;
  /** Reorder window for late readings (engine default 10 min). */
  reorderWindowMs?: number;
}

export function toRuleSensor(entry: ReturnType<SensorDirectory['get']>): RuleSensor | undefined {
  if (!entry) return undefined;
  const p = entry.feature.properties;
  return {
    id: p.id,
    domain: p.domain,
    name: p.name,
    district: p.district,
    location: entry.feature.geometry.coordinates,
    ...(p.freeFlowKmh !== undefined ? { freeFlowKmh: p.freeFlowKmh } : {}),
    ...(p.alertLevelsCm !== undefined ? { alertLevelsCm: p.alertLevelsCm } : {}),
    ...(p.reportingIntervalS !== undefined ? { reportingIntervalS: p.reportingIntervalS } : {}),
  };
}

/**
 * Owns the rule engine and makes its alert changes durable: alerts and their
 * audit trail in SQLite, committed in one transaction with the engine's
 * snapshot so a restart never re-raises an alert that is already open.
 */
export function createAlertService(options: AlertServiceOptions): AlertService {
  const { db, sensors, logger } = options;
  const clock = options.clock ?? Date.now;
  db.exec(`
    CREATE TABLE IF NOT EXISTS center_alerts (
      id TEXT PRIMARY KEY,
      rule_id TEXT NOT NULL,
      domain TEXT NOT NULL,
      subject_kind TEXT NOT NULL,
      subject_id TEXT NOT NULL,
      state TEXT NOT NULL,
      severity TEXT NOT NULL,
      district TEXT NOT NULL,
      raised_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      body TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS center_alerts_state ON center_alerts (state, updated_at);
    CREATE INDEX IF NOT EXISTS center_alerts_updated ON center_alerts (updated_at);
    CREATE TABLE IF NOT EXISTS center_alert_audit (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      alert_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      detail TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS center_alert_audit_alert ON center_alert_audit (alert_id, seq);
    CREATE TABLE IF NOT EXISTS center_rule_state (
      name TEXT PRIMARY KEY,
      snapshot TEXT NOT NULL,
      saved_at INTEGER NOT NULL
    );
  `);
  const upsertAlert = db.prepare(`INSERT INTO center_alerts
      (id, rule_id, domain, subject_kind, subject_id, state, severity, district, raised_at, updated_at, body)
      VALUES (@id, @ruleId, @domain, @subjectKind, @subjectId, @state, @severity, @district, @raisedAt, @updatedAt, @body)
      ON CONFLICT (id) DO UPDATE SET state = excluded.state, severity = excluded.severity,
        updated_at = excluded.updated_at, body = excluded.body`);
  const insertAudit = db.prepare('INSERT INTO center_alert_audit (alert_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)');
  const saveSnapshot = db.prepare(`INSERT INTO center_rule_state (name, snapshot, saved_at) VALUES ('engine', ?, ?)
      ON CONFLICT (name) DO UPDATE SET snapshot = excluded.snapshot, saved_at = excluded.saved_at`);
  const loadSnapshot = db.prepare<[], { snapshot: string }>("SELECT snapshot FROM center_rule_state WHERE name = 'engine'");
  const selectOne = db.prepare<[string], { body: string }>('SELECT body FROM center_alerts WHERE id = ?');
  const selectComments = db.prepare<[string], { alert_id: string; at: number; actor: string; detail: string }>(
    "SELECT alert_id, at, actor, detail FROM center_alert_audit WHERE alert_id = ? AND action = 'commented' ORDER BY seq",
  );
  const selectAudit = db.prepare<[string], { alert_id: string; at: number; actor: string; action: string; detail: string }>(
    'SELECT alert_id, at, actor, action, detail FROM center_alert_audit WHERE alert_id = ? ORDER BY seq',
  );

  const saved = loadSnapshot.get();
  const areas = {
    ...(options.areas ? { areas: options.areas } : {}),
    ...(options.reorderWindowMs === undefined ? {} : { reorderWindowMs: options.reorderWindowMs }),
  };
  let engine: RuleEngine;
  /** Counts of the engines a rules reload replaced, so the metric never goes down. */
  const lateBefore: LateReadingCounts = { reordered: 0, dropped: 0, withdrawn: 0, renamed: 0, omitted: 0, keptAsSent: 0 };
  try {
    engine = createRuleEngine({ rules: options.rules, ...areas, ...(saved ? { snapshot: JSON.parse(saved.snapshot) } : {}) });
  } catch (error) {
    // A snapshot from an incompatible rule set must not keep the center down; open alerts stay in SQLite.
    logger.error({ err: error }, 'rule engine state could not be restored; starting with empty window state');
    engine = createRuleEngine({ rules: options.rules, ...areas });
  }
  // Silence windows start now: the center was not listening while it was down.
  engine.resume(clock());

  let currentRules: readonly RuleDefinition[] = engine.rules;

  const record = (change: AlertChange, actor: string, detail: Record<string, unknown>) => {
    const a = change.alert;
    upsertAlert.run({
      id: a.id,
      ruleId: a.ruleId,
      domain: a.domain,
      subjectKind: a.subject.kind,
      subjectId: a.subject.id,
      state: a.state,
      severity: a.severity,
      district: a.district,
      raisedAt: Date.parse(a.raisedAt),
      updatedAt: Date.parse(a.updatedAt),
      body: JSON.stringify(a),
    });
    insertAudit.run(a.id, clock(), actor, change.kind, JSON.stringify({ severity: a.severity, state: a.state, value: a.value, ...detail }));
  };

  const commit = db.transaction((changes: AlertChange[], actor: string, detail: Record<string, unknown>) => {
    for (const change of changes) {
      record(change, actor, detail);
      options.record?.(change.alert, change.kind);
    }
    saveSnapshot.run(JSON.stringify(engine.snapshot()), clock());
  });

  const apply = (changes: AlertChange[], actor = 'system', detail: Record<string, unknown> = {}) => {
    if (changes.length === 0) return;
    commit(changes, actor, detail);
    for (const change of changes) {
      try {
        options.publish(change.alert, change.kind);
      } catch (error) {
        logger.error({ err: error, alertId: change.alert.id }, 'publishing an alert change failed');
      }
    }
  };

  return {
    evaluate(reading) {
      const sensor = toRuleSensor(sensors.get(reading.sensorId));
      if (!sensor) return;
      apply(engine.evaluate(reading, sensor));
    },
    tick(now) {
      apply(engine.tick(now));
    },
    status(sensorId, online, ts) {
      const sensor = toRuleSensor(sensors.get(sensorId));
      if (!sensor) return;
      apply(engine.status(sensor, online, ts), 'system', { source: online ? 'status' : 'last-will' });
    },
    comment(id, by, text) {
      const comment = text.trim();
      if (comment.length === 0 || comment.length > 2000) throw new AlertServiceError('CITYOPS_CENTER_COMMENT_INVALID');
      if (!selectOne.get(id)) throw new AlertServiceError('CITYOPS_CENTER_ALERT_NOT_FOUND', `alert ${JSON.stringify(id)} not found`);
      const at = clock();
      insertAudit.run(id, at, by, 'commented', JSON.stringify({ comment }));
      return { alertId: id, at: new Date(at).toISOString(), by, comment };
    },
    comments(id) {
      if (!selectOne.get(id)) throw new AlertServiceError('CITYOPS_CENTER_ALERT_NOT_FOUND', `alert ${JSON.stringify(id)} not found`);
      return selectComments.all(id).map((r) => ({
        alertId: r.alert_id,
        at: new Date(r.at).toISOString(),
        by: r.actor,
        comment: String((JSON.parse(r.detail) as { comment?: unknown }).comment ?? ''),
      }));
    },
    rules: () => currentRules,
    lateReadings() {
      const now = engine.lateReadings();
      const sum = { ...lateBefore };
      for (const k of Object.keys(sum) as Array<keyof LateReadingCounts>) sum[k] += now[k];
      return sum;
    },
    reloadRules(rules) {
      const next = createRuleEngine({ rules, ...areas, snapshot: engine.snapshot() });
      const kept = new Set(next.openAlerts().map((a) => a.id));
      const at = clock();
      const orphans: AlertChange[] = engine
        .openAlerts()
        .filter((a) => !kept.has(a.id))
        .map((a) => ({ kind: 'resolved', alert: { ...a, state: 'resolved', resolvedAt: new Date(at).toISOString(), updatedAt: new Date(at).toISOString() } }));
      for (const [k, v] of Object.entries(engine.lateReadings()) as Array<[keyof LateReadingCounts, number]>) lateBefore[k] += v;
      engine = next;
      currentRules = next.rules;
      if (orphans.length > 0) apply(orphans, 'system', { reason: 'rule removed' });
      else saveSnapshot.run(JSON.stringify(engine.snapshot()), clock());
    },
    acknowledge(id, by, comment) {
      const change = engine.acknowledge(id, by, clock());
      apply([change], by, comment ? { comment } : {});
      return change.alert;
    },
    list(filter = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.state?.length) {
        where.push(`state IN (${filter.state.map(() => '?').join(', ')})`);
        params.push(...filter.state);
      }
      if (filter.domain) {
        where.push('domain = ?');
        params.push(filter.domain);
      }
      if (filter.since !== undefined) {
        where.push('updated_at >= ?');
        params.push(filter.since);
      }
      const sql = `SELECT body FROM center_alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY updated_at DESC LIMIT ?`;
      params.push(Math.min(filter.limit ?? 1000, 10_000));
      return (db.prepare(sql).all(...params) as { body: string }[]).map((r) => JSON.parse(r.body) as Alert);
    },
    get(id) {
      const row = selectOne.get(id);
      return row ? (JSON.parse(row.body) as Alert) : undefined;
    },
    audit(alertId) {
      return selectAudit.all(alertId).map((r) => ({
        alertId: r.alert_id,
        at: new Date(r.at).toISOString(),
        actor: r.actor,
        action: r.action,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
      }));
    },
    saveState() {
      saveSnapshot.run(JSON.stringify(engine.snapshot()), clock());
    },
  };
}
