import type { Alert } from '@cityops/contracts';
import { severityRank } from '@cityops/contracts';
import { copyAlert, resolveAlert } from './alert-build.ts';
import { buildAlertId } from './alert-id.ts';
import type { AlertChange } from './types.ts';

/**
 * Event time, not arrival time. Gateways flush buffers and replays interleave,
 * so a sensor's readings can arrive out of order. A track (threshold or rate
 * of change, per rule and sensor) keeps its recent readings and a few
 * checkpoints of its window state; a late reading is put in its place and the
 * window is re-run from the checkpoint before it, so the alerts come out as
 * in-order processing gives them. In-order readings, the common case, cost
 * two array pushes and a checkpoint every few readings.
 */
export interface ReorderPolicy {
  /** How far behind the newest reading a late one is still put in order. */
  windowMs: number;
  /** Bound on the readings kept per (rule, sensor), whatever the window. */
  maxReadings: number;
  /** Readings between checkpoints: re-running costs at most this many extra steps. */
  checkpointEvery: number;
}

export const DEFAULT_REORDER_POLICY: ReorderPolicy = { windowMs: 10 * 60_000, maxReadings: 256, checkpointEvery: 16 };

/** The window state before the reading at sequence position `seq`; `lastTs` is the newest event time applied before it. */
export interface Checkpoint<S> {
  seq: number;
  lastTs: number;
  state: S;
}

/** What a track keeps to put a late reading in its place. */
export interface ReadingLog<S> {
  /** Recent readings in event-time order, interleaved [ts, value, ts, value, …]: one array to write per reading. */
  readings: number[];
  /** Index in `readings` of the first kept reading: dropping moves it, and the array is compacted only now and then. */
  head: number;
  /** Position in the track's reading sequence of the first kept reading. */
  seq: number;
  /** States before some of the recent readings, oldest first: where a re-run starts. */
  checkpoints: Array<Checkpoint<S>>;
  /** Alerts a re-run knows under their in-order id but the stream under another. */
  aliases: Map<string, { id: string; raisedAt: string }> | null;
}

export const emptyLog = <S>(): ReadingLog<S> => ({ readings: [], head: 0, seq: 0, checkpoints: [], aliases: null });

/** A track kind as the re-run sees it: its state, and one step of its pure evaluation. */
export interface TrackKind<T extends { alert: Alert | null; log: ReadingLog<S> }, S, C> {
  /** The newest event time applied (−∞ before the first reading). */
  lastTs(track: T): number;
  save(track: T): S;
  load(track: T, state: S): void;
  /** An empty track of the same rule and sensor, to re-run on. */
  scratch(track: T): T;
  step(track: T, value: number, ts: number, context: C): AlertChange | null;
  /** Readings between checkpoints when saving a state costs more than a few fields (the policy's otherwise). */
  checkpointEvery?: number;
}

/** Forgets the kept readings: after a resolution by tick(), nothing before it may be re-run (resolutions are final). */
export function sealLog(log: ReadingLog<unknown>): void {
  log.seq += (log.readings.length - log.head) / 2;
  log.readings = [];
  log.head = 0;
  log.checkpoints = [];
  log.aliases = null;
}

/** A re-run's alert under the id the stream knows it by. */
function aliased(log: ReadingLog<unknown>, alert: Alert): Alert {
  const alias = log.aliases?.get(alert.id);
  if (alias === undefined) return alert;
  // A continued alert starts later than its in-order twin: none of its times may precede its start.
  const notBefore = (time: string): string => (Date.parse(time) < Date.parse(alias.raisedAt) ? alias.raisedAt : time);
  const renamed: Alert = { ...alert, id: alias.id, raisedAt: alias.raisedAt, updatedAt: notBefore(alert.updatedAt) };
  if (alert.resolvedAt !== undefined) renamed.resolvedAt = notBefore(alert.resolvedAt);
  return renamed;
}

function addAlias(log: ReadingLog<unknown>, from: string, to: { id: string; raisedAt: string }): void {
  const aliases = (log.aliases ??= new Map());
  for (const [key, value] of aliases) if (value.id === from) aliases.set(key, to);
  aliases.set(from, to);
  // Aliases only matter while a checkpoint can still reproduce the old id; a handful is plenty.
  if (aliases.size > 16) aliases.delete(aliases.keys().next().value!);
}

/** Applies a reading at or after the newest one: the step itself plus the bookkeeping for later re-runs. */
export function applyInOrder<T extends { alert: Alert | null; log: ReadingLog<S> }, S, C>(
  kind: TrackKind<T, S, C>,
  track: T,
  value: number,
  ts: number,
  context: C,
  policy: ReorderPolicy,
): AlertChange | null {
  const log = track.log;
  const cps = log.checkpoints;
  const seq = log.seq + (log.readings.length - log.head) / 2;
  const newest = cps[cps.length - 1];
  if (newest === undefined || seq - newest.seq >= (kind.checkpointEvery ?? policy.checkpointEvery)) cps.push({ seq, lastTs: kind.lastTs(track), state: kind.save(track) });
  log.readings.push(ts, value);
  const change = kind.step(track, value, ts, context);
  const horizon = ts - policy.windowMs;
  while (cps.length >= 2 && (cps[1]!.lastTs <= horizon || log.readings.length - log.head > 2 * policy.maxReadings)) {
    cps.shift();
    const drop = cps[0]!.seq - log.seq;
    log.head += 2 * drop;
    log.seq += drop;
    if (log.head >= 256 && 2 * log.head >= log.readings.length) {
      log.readings.copyWithin(0, log.head);
      log.readings.length -= log.head;
      log.head = 0;
    }
  }
  return change;
}

/** What a re-run could not make identical to in-order processing (see reconcile). */
export interface LateOutcome {
  changes: AlertChange[];
  /** Open alerts the in-order run never raised, resolved at the late reading's time. */
  withdrawn: number;
  /** Alerts carried under another id than in order: an open incident keeps the id operators have, a resolved one goes on under a fresh id. */
  renamed: number;
  /** Alerts that began and ended inside the window while another was open, left out. */
  omitted: number;
  /** Resolved alerts already sent that in order would differ (another start, an earlier end): kept as sent. */
  keptAsSent: number;
}

/**
 * A reading older than the newest one applied. Returns the alert changes that
 * bring the track to what in-order processing gives, or null when the reading
 * is older than anything kept (too late to place; the caller counts it).
 */
export function applyLate<T extends { alert: Alert | null; log: ReadingLog<S> }, S, C>(
  kind: TrackKind<T, S, C>,
  track: T,
  value: number,
  ts: number,
  context: C,
  idTaken: (id: string) => boolean,
): LateOutcome | null {
  const log = track.log;
  const cps = log.checkpoints;
  let ci = cps.length - 1;
  while (ci >= 0 && cps[ci]!.lastTs > ts) ci--;
  if (ci < 0) return null;
  const start = cps[ci]!;
  const readings = log.readings;
  const h = log.head;
  const count = (readings.length - h) / 2;
  const from = start.seq - log.seq;

  // What was decided from the checkpoint on without the late reading: re-run rather than
  // stored, because re-running is exact and only happens for late readings.
  const before = kind.scratch(track);
  kind.load(before, start.state);
  const initialAlert = before.alert === null ? null : aliased(log, before.alert);
  const previous: AlertChange[] = [];
  for (let j = from; j < count; j++) {
    const change = kind.step(before, readings[h + 2 * j + 1]!, readings[h + 2 * j]!, context);
    if (change !== null) previous.push({ kind: change.kind, alert: aliased(log, change.alert) });
  }

  let pos = count;
  while (pos > from && readings[h + 2 * (pos - 1)]! > ts) pos--; // after equal times: arrival order breaks ties, as in order
  readings.splice(h + 2 * pos, 0, ts, value);
  for (let k = ci + 1; k < cps.length; k++) cps[k]!.seq += 1;

  const after = kind.scratch(track);
  kind.load(after, start.state);
  const next: AlertChange[] = [];
  let k = ci + 1;
  for (let j = from; j <= count; j++) {
    const cp = cps[k];
    if (cp !== undefined && cp.seq - log.seq === j) {
      cps[k] = { seq: cp.seq, lastTs: cp.lastTs, state: kind.save(after) };
      k++;
    }
    const change = kind.step(after, readings[h + 2 * j + 1]!, readings[h + 2 * j]!, context);
    if (change !== null) next.push({ kind: change.kind, alert: aliased(log, change.alert) });
  }

  const out = reconcile(track.alert, initialAlert, previous, next, ts, idTaken);
  kind.load(track, kind.save(after));
  track.alert = out.open;
  for (const [from, to] of out.renames) addAlias(log, from, to);
  return out;
}

/** Each alert id's last version in a run that started with `initial` open. */
function finalVersions(initial: Alert | null, changes: readonly AlertChange[]): Map<string, Alert> {
  const versions = new Map<string, Alert>();
  if (initial !== null) versions.set(initial.id, initial);
  for (const { alert } of changes) versions.set(alert.id, alert);
  return versions;
}

/** The operator's acknowledgement survives a re-run unless the re-run made the alert more severe. */
function keepAcknowledgement(alert: Alert, live: Alert | null): Alert {
  if (live === null || live.id !== alert.id || live.acknowledgedAt === undefined) return alert;
  if (severityRank(alert.severity) > severityRank(live.severity)) return alert;
  return {
    ...alert,
    state: alert.state === 'resolved' ? 'resolved' : 'acknowledged',
    acknowledgedAt: live.acknowledgedAt,
    ...(live.acknowledgedBy === undefined ? {} : { acknowledgedBy: live.acknowledgedBy }),
  };
}

const sameFacts = (a: Alert, b: Alert): boolean =>
  a.severity === b.severity && a.value === b.value && a.threshold === b.threshold && a.updatedAt === b.updatedAt;

/**
 * Turns "what was decided" (previous, ending in `live`) into "what in order
 * decides" (next). Resolutions are final (contracts §4), so two differences
 * cannot be rewritten and are settled forward instead: an open alert the
 * in-order run never raised is resolved (withdrawn) at the late reading's
 * time, and an alert the in-order run keeps open but that was already
 * resolved continues as a new alert. Closings come first, so there is never
 * more than one open alert per (rule, sensor) in the stream.
 */
function reconcile(
  live: Alert | null,
  initial: Alert | null,
  previous: readonly AlertChange[],
  next: readonly AlertChange[],
  lateTs: number,
  idTaken: (id: string) => boolean,
): LateOutcome & { open: Alert | null; renames: Array<[string, { id: string; raisedAt: string }]> } {
  const was = finalVersions(initial, previous);
  const now = finalVersions(initial, next);
  const changes: AlertChange[] = [];
  let open: Alert | null = live;
  let renamed = 0;
  let withdrawn = 0;
  let omitted = 0;
  let keptAsSent = 0;
  // A past incident the stream already told differently stays told that way: one alert per incident.
  let toldDifferently = false;
  for (const [id, sent] of was) {
    if (sent.state === 'resolved' && !now.has(id)) {
      keptAsSent++;
      toldDifferently = true;
    }
  }
  /** Ids already given out (a withdrawn alert's, say) are never reused: the next free millisecond is. */
  const renames = new Map<string, string>();
  const aliases: Array<[string, { id: string; raisedAt: string }]> = [];
  const freeId = (alert: Alert, at: number): string => {
    let t = at;
    let id = buildAlertId(alert.ruleId, alert.subject.id, t);
    while (idTaken(id) || was.has(id)) id = buildAlertId(alert.ruleId, alert.subject.id, ++t);
    return id;
  };

  let merged: string | null = null;
  if (live !== null) {
    const target = now.get(live.id);
    let nowOpen: Alert | undefined;
    for (const a of now.values()) if (a.state !== 'resolved') nowOpen = a;
    if (target === undefined && nowOpen !== undefined) {
      // The incident is still on; in order it started at another reading. One incident is one
      // alert, so the open one takes the in-order facts (and start, unless that alert was sent
      // and resolved already) under the id operators already have.
      merged = nowOpen.id;
      const raisedAt = was.has(nowOpen.id) ? live.raisedAt : nowOpen.raisedAt;
      const updatedAt = Date.parse(nowOpen.updatedAt) < Date.parse(raisedAt) ? raisedAt : nowOpen.updatedAt;
      const alert = keepAcknowledgement({ ...copyAlert(nowOpen), id: live.id, raisedAt, updatedAt }, live);
      if (!sameFacts(alert, live) || alert.state !== live.state || alert.raisedAt !== live.raisedAt) changes.push({ kind: 'updated', alert });
      open = alert;
      renamed++;
      aliases.push([nowOpen.id, { id: live.id, raisedAt }]);
    } else if (target === undefined) {
      changes.push({ kind: 'resolved', alert: resolveAlert(live, Math.max(lateTs, Date.parse(live.raisedAt))) });
      open = null;
      withdrawn++;
    } else if (target.state === 'resolved') {
      changes.push({ kind: 'resolved', alert: keepAcknowledgement(target, live) });
      open = null;
    }
  }
  for (const change of next) {
    const id = change.alert.id;
    if (was.has(id) || id === merged) continue;
    // An alert that began and ended inside the re-run window is left out when another is open in
    // the stream (two open alerts for one rule and sensor) or the stream told that past otherwise.
    if (now.get(id)!.state === 'resolved' && (toldDifferently || (open !== null && open.id !== id))) {
      if (change.kind === 'raised') omitted++;
      continue;
    }
    const alert = copyAlert(change.alert);
    if (!renames.has(id)) {
      renames.set(id, idTaken(id) ? freeId(alert, Date.parse(alert.raisedAt)) : id);
      if (renames.get(id) !== id) {
        renamed++;
        aliases.push([id, { id: renames.get(id)!, raisedAt: alert.raisedAt }]);
      }
    }
    alert.id = renames.get(id)!;
    changes.push({ kind: change.kind, alert });
    open = alert.state === 'resolved' ? null : alert;
  }
  for (const [id, target] of now) {
    if (!was.has(id) || id === merged) continue;
    if (target.state === 'resolved') {
      const sent = was.get(id)!;
      if (sent.state === 'resolved' && sent.resolvedAt !== target.resolvedAt) keptAsSent++;
      continue;
    }
    if (live !== null && live.id === id) {
      const kept = keepAcknowledgement(target, live);
      if (!sameFacts(kept, live) || kept.state !== live.state) changes.push({ kind: 'updated', alert: copyAlert(kept) });
      open = kept;
    } else {
      // Resolved earlier in the stream, open in order: the situation goes on, as a new alert from the late reading.
      const at = Math.max(lateTs, Date.parse(was.get(id)!.updatedAt) + 1);
      const raisedAt = new Date(at).toISOString();
      const alert: Alert = { ...copyAlert(target), id: freeId(target, at), state: 'active', raisedAt, updatedAt: raisedAt };
      delete alert.acknowledgedAt;
      delete alert.acknowledgedBy;
      changes.push({ kind: 'raised', alert });
      open = alert;
      renamed++;
      aliases.push([id, { id: alert.id, raisedAt }]);
    }
  }
  return { changes, open, withdrawn, renamed, omitted, keptAsSent, renames: aliases };
}
