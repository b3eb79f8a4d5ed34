import type { Alert, Domain, LiveReading, Reading } from '@cityops/contracts';
import { createRateTrack, RATE_KIND, rebuildExtremes, type RateTrack } from './rate-track.ts';
import { lastWillAbsence, reportAbsence, tickAbsence, type AbsenceTrack } from './absence-track.ts';
import { counts, createDistrictTrack, judgeDistrict, type DistrictTrack } from './district-aggregate.ts';
import { indexCategoryAsThreshold } from './index-category.ts';
import { createAreaIndex } from './area-index.ts';
import { acknowledgeAlert, copyAlert } from './alert-build.ts';
import { deepFreeze } from './deep-freeze.ts';
import { compileThresholdRule, sensorFactor, type CompiledThresholdRule } from './compiled-rule.ts';
import { alertNotFoundError, alertResolvedError, invalidSnapshotError, sensorMismatchError } from './errors.ts';
import type { AbsenceRule, DistrictRule, RateOfChangeRule, RuleDefinition } from './rule-schema.ts';
import { assertEngineSnapshot, type EngineSnapshot, type TrackSnapshot } from './snapshot.ts';
import { createTrack, resolveTrack, THRESHOLD_KIND, type ThresholdTrack } from './threshold-track.ts';
import { applyInOrder, applyLate, DEFAULT_REORDER_POLICY, sealLog, type LateOutcome } from './event-order.ts';
import type { AlertChange, LateReadingCounts, RuleEngine, RuleEngineOptions, RuleSensor } from './types.ts';
import { parseRuleDefinitions } from './validate-rules.ts';

interface RuleSlot {
  rule: CompiledThresholdRule;
  /** Keyed by sensor id: one Map per rule avoids building composite keys per reading. */
  tracks: Map<string, ThresholdTrack>;
}

const DEFAULT_RESOLVED_MEMORY = 10_000;

/** Anything holding one open alert; acknowledging replaces `alert` in place. */
interface AlertHolder {
  alert: Alert | null;
}

/** The interval an absence rule expects from a sensor: registry, then the reading's own intervalS, then the rule's default. */
function expectedIntervalMs(rule: AbsenceRule, sensor: RuleSensor, reading?: Reading): number {
  const own = sensor.reportingIntervalS;
  if (own !== undefined && Number.isFinite(own) && own > 0) return own * 1000;
  const fromReading = (reading?.fields as Record<string, number | undefined> | undefined)?.intervalS;
  if (fromReading !== undefined && Number.isFinite(fromReading) && fromReading > 0) return fromReading * 1000;
  return rule.defaultIntervalS * 1000;
}

/**
 * The engine object is the mutability boundary: inside, state lives in Maps
 * and is updated in place; everything crossing the boundary (readings in,
 * changes, alerts and snapshots out) is plain data owned by the caller.
 */
export function createRuleEngine(options: RuleEngineOptions): RuleEngine {
  // Compiled rules share these objects, so `engine.rules` must not be editable from outside.
  const rules: readonly RuleDefinition[] = deepFreeze(parseRuleDefinitions(options.rules));
  const resolvedMemory = Math.max(0, options.resolvedAlertMemory ?? DEFAULT_RESOLVED_MEMORY);
  const slots = new Map<string, RuleSlot>();
  const byDomain = new Map<Domain, RuleSlot[]>();
  const rateRules = new Map<string, { rule: RateOfChangeRule; tracks: Map<string, RateTrack> }>();
  const absenceRules = new Map<string, { rule: AbsenceRule; tracks: Map<string, AbsenceTrack> }>();
  const districtRules = new Map<string, { rule: DistrictRule; tracks: Map<string, DistrictTrack> }>();
  for (const def of rules) {
    if (def.kind === 'rate-of-change') rateRules.set(def.id, { rule: def, tracks: new Map() });
    else if (def.kind === 'absence') absenceRules.set(def.id, { rule: def, tracks: new Map() });
    else if (def.kind === 'district') districtRules.set(def.id, { rule: def, tracks: new Map() });
    else {
      const compiled = def.kind === 'threshold' ? compileThresholdRule(def) : compileThresholdRule(indexCategoryAsThreshold(def), def.index);
      const slot: RuleSlot = { rule: compiled, tracks: new Map() };
      slots.set(def.id, slot);
      const domain = compiled.def.domain;
      const list = byDomain.get(domain);
      if (list === undefined) byDomain.set(domain, [slot]);
      else list.push(slot);
    }
  }
  const rateByDomain = new Map<Domain, Array<{ rule: RateOfChangeRule; tracks: Map<string, RateTrack> }>>();
  for (const r of rateRules.values()) rateByDomain.set(r.rule.domain, [...(rateByDomain.get(r.rule.domain) ?? []), r]);
  const hasDistricts = districtRules.size > 0;
  const areaIndex = options.areas === undefined ? undefined : createAreaIndex(options.areas);
  /** Sensor id → area name (sensors do not move; the polygon test runs once per sensor). */
  const areaMemo = new Map<string, string>();
  const districtOf = (alert: Alert): string => {
    if (areaIndex === undefined) return alert.district;
    let name = areaMemo.get(alert.subject.id);
    if (name === undefined) {
      name = areaIndex.areaOf(alert.location) ?? alert.district;
      areaMemo.set(alert.subject.id, name);
    }
    return name;
  };

  const reorder = { ...DEFAULT_REORDER_POLICY, ...(options.reorderWindowMs === undefined ? {} : { windowMs: Math.max(0, options.reorderWindowMs) }) };
  /** Reused for every threshold step: no allocation per reading. */
  const thresholdContext: { sensor: RuleSensor; factor: number } = { sensor: undefined as unknown as RuleSensor, factor: 1 };
  const countLate = (late: LateOutcome | null): LateOutcome | null => {
    if (late === null) {
      lateCounts.dropped++;
      return null;
    }
    lateCounts.reordered++;
    lateCounts.withdrawn += late.withdrawn;
    lateCounts.renamed += late.renamed;
    lateCounts.omitted += late.omitted;
    lateCounts.keptAsSent += late.keptAsSent;
    return late;
  };
  const lateCounts: LateReadingCounts = { reordered: 0, dropped: 0, withdrawn: 0, renamed: 0, omitted: 0, keptAsSent: 0 };

  const openById = new Map<string, AlertHolder>();
  /** Open alerts whose clear condition is holding: the only candidates for tick(). */
  const clearing = new Set<ThresholdTrack>();
  /** Insertion-ordered, so the oldest id is evicted first. */
  const resolvedIds = new Set<string>();

  const idTaken = (id: string): boolean => openById.has(id) || resolvedIds.has(id);

  const rememberResolved = (id: string): void => {
    if (resolvedMemory === 0) return;
    resolvedIds.add(id);
    if (resolvedIds.size > resolvedMemory) {
      const oldest = resolvedIds.values().next();
      if (oldest.done !== true) resolvedIds.delete(oldest.value);
    }
  };

  const record = (track: ThresholdTrack, change: AlertChange | null, out: AlertChange[]): void => {
    if (change !== null) {
      if (change.kind === 'raised') openById.set(change.alert.id, track);
      else if (change.kind === 'resolved') {
        openById.delete(change.alert.id);
        rememberResolved(change.alert.id);
      }
      out.push(change);
    }
    if (track.clearSince !== null) clearing.add(track);
    else clearing.delete(track);
  };

  /** Bookkeeping of a change from a non-threshold holder. */
  const note = (holder: AlertHolder, change: AlertChange | null, out: AlertChange[]): void => {
    if (change === null) return;
    if (change.kind === 'raised') openById.set(change.alert.id, holder);
    else if (change.kind === 'resolved') {
      openById.delete(change.alert.id);
      rememberResolved(change.alert.id);
    }
    out.push(change);
  };

  /**
   * District incidents follow the sensor alerts: every sensor change in `out`
   * from index `from` on moves membership, then the touched districts are
   * re-judged once each.
   */
  const aggregate = (out: AlertChange[], from: number): void => {
    if (!hasDistricts) return;
    const end = out.length;
    for (const { rule, tracks } of districtRules.values()) {
      const touched = new Map<DistrictTrack, number>();
      for (let i = from; i < end; i++) {
        const { alert } = out[i]!;
        if (alert.subject.kind !== 'sensor' || !rule.sourceRules.includes(alert.ruleId)) continue;
        const district = districtOf(alert);
        let track = tracks.get(district);
        if (track === undefined) tracks.set(district, (track = createDistrictTrack(rule, district)));
        if (counts(rule, alert)) track.members.set(alert.id, [alert.location[0], alert.location[1]]);
        else track.members.delete(alert.id);
        touched.set(track, Math.max(touched.get(track) ?? -Infinity, Date.parse(alert.updatedAt)));
      }
      for (const [track, at] of touched) note(track, judgeDistrict(track, at), out);
    }
  };

  if (options.snapshot !== undefined) restore(options.snapshot);

  function restore(snapshot: EngineSnapshot): void {
    assertEngineSnapshot(snapshot);
    snapshot.tracks.forEach((saved: TrackSnapshot, i) => {
      // State of rules no longer configured is dropped: nothing could ever evaluate or clear it.
      const slot = slots.get(saved.ruleId);
      if (slot === undefined) return;
      if (saved.level >= slot.rule.levels.length) {
        throw invalidSnapshotError([{ path: `/tracks/${i}/level`, message: `rule ${saved.ruleId} has only ${slot.rule.levels.length} levels` }]);
      }
      const track = createTrack(slot.rule, saved.sensorId, saved.lastTs, saved.lastHeard ?? saved.lastTs);
      track.pendingSince = saved.pendingSince;
      track.clearSince = saved.clearSince;
      track.lowerSince = saved.lowerSince;
      track.lowerLevel = saved.lowerLevel;
      track.level = saved.level;
      track.alert = saved.alert === null ? null : copyAlert(saved.alert);
      slot.tracks.set(saved.sensorId, track);
      if (track.alert !== null) {
        if (openById.has(track.alert.id)) {
          throw invalidSnapshotError([{ path: `/tracks/${i}/alert/id`, message: `alert ${track.alert.id} appears twice` }]);
        }
        openById.set(track.alert.id, track);
        if (track.clearSince !== null) clearing.add(track);
      }
    });
    for (const id of snapshot.resolvedAlertIds) rememberResolved(id);
    const adopt = (holder: AlertHolder, path: string): void => {
      if (holder.alert === null) return;
      if (openById.has(holder.alert.id)) throw invalidSnapshotError([{ path, message: `alert ${holder.alert.id} appears twice` }]);
      openById.set(holder.alert.id, holder);
    };
    snapshot.rate?.forEach((saved, i) => {
      const entry = rateRules.get(saved.ruleId);
      if (entry === undefined) return;
      const track = createRateTrack(entry.rule, saved.sensor as RuleSensor);
      track.samples = saved.samples.map(([t, v]) => [t, v]);
      rebuildExtremes(track);
      track.latestTs = saved.latestTs;
      track.clearSince = saved.clearSince;
      track.alert = saved.alert === null ? null : copyAlert(saved.alert);
      entry.tracks.set(track.sensorId, track);
      adopt(track, `/rate/${i}/alert/id`);
    });
    snapshot.absence?.forEach((saved, i) => {
      const entry = absenceRules.get(saved.ruleId);
      if (entry === undefined) return;
      const sensor = saved.sensor as RuleSensor;
      const track: AbsenceTrack = { rule: entry.rule, sensor, domain: sensor.domain, lastTs: saved.lastTs, intervalMs: saved.intervalMs, alert: saved.alert === null ? null : copyAlert(saved.alert) };
      entry.tracks.set(sensor.id, track);
      adopt(track, `/absence/${i}/alert/id`);
    });
    snapshot.district?.forEach((saved, i) => {
      const entry = districtRules.get(saved.ruleId);
      if (entry === undefined || saved.alert === null) return;
      const track = createDistrictTrack(entry.rule, saved.district);
      track.alert = copyAlert(saved.alert);
      entry.tracks.set(saved.district, track);
      adopt(track, `/district/${i}/alert/id`);
    });
    // Membership is derived from the open sensor alerts, so it can never disagree with them.
    for (const { rule, tracks } of districtRules.values()) {
      for (const holder of openById.values()) {
        const alert = holder.alert;
        if (alert === null || !counts(rule, alert)) continue;
        const district = districtOf(alert);
        let track = tracks.get(district);
        if (track === undefined) tracks.set(district, (track = createDistrictTrack(rule, district)));
        track.members.set(alert.id, [alert.location[0], alert.location[1]]);
      }
    }
  }

  return {
    rules,

    evaluate(reading: Reading, sensor: RuleSensor): AlertChange[] {
      const out: AlertChange[] = [];
      if (reading.sensorId !== sensor.id) throw sensorMismatchError(reading.sensorId, sensor.id);
      const ts = reading.ts;
      const fields = reading.fields as Record<string, number | undefined>;
      for (const { rule, tracks } of absenceRules.values()) {
        if (rule.domain !== undefined && rule.domain !== reading.domain) continue;
        // Silence is about the link, so arrival time counts: a replay or a gateway's backfill of old
        // event times must not look like a sensor that stopped talking.
        const heard = reading.receivedAt;
        let track = tracks.get(sensor.id);
        const intervalMs = expectedIntervalMs(rule, sensor, reading);
        if (track === undefined) {
          tracks.set(sensor.id, { rule, sensor, domain: reading.domain, lastTs: heard, intervalMs, alert: null });
          continue;
        }
        note(track, reportAbsence(track, heard, intervalMs, sensor), out);
      }
      const rates = rateByDomain.get(reading.domain);
      if (rates !== undefined) {
        for (const { rule, tracks } of rates) {
          const value = fields[rule.field];
          if (value === undefined || !Number.isFinite(value)) continue;
          let track = tracks.get(sensor.id);
          if (track === undefined) tracks.set(sensor.id, (track = createRateTrack(rule, sensor)));
          if (ts >= track.latestTs) {
            note(track, applyInOrder(RATE_KIND, track, value, ts, sensor, reorder), out);
            continue;
          }
          const late = countLate(applyLate(RATE_KIND, track, value, ts, sensor, idTaken));
          if (late !== null) for (const change of late.changes) note(track, change, out);
        }
      }
      const domainSlots = byDomain.get(reading.domain);
      if (domainSlots === undefined) {
        if (out.length > 0) aggregate(out, 0);
        return out;
      }
      const aqi = (reading as LiveReading).aqi;
      for (let i = 0; i < domainSlots.length; i++) {
        const slot = domainSlots[i]!;
        const rule = slot.rule;
        const value = rule.index === null ? fields[rule.field] : aqi?.[rule.index]?.value;
        if (value === undefined || !Number.isFinite(value)) continue;
        const factor = sensorFactor(rule, sensor);
        if (Number.isNaN(factor)) continue;
        let track = slot.tracks.get(reading.sensorId);
        if (track === undefined) {
          track = createTrack(rule, reading.sensorId);
          slot.tracks.set(reading.sensorId, track);
        }
        thresholdContext.sensor = sensor;
        thresholdContext.factor = factor;
        if (ts >= track.lastTs) {
          track.lastHeard = reading.receivedAt;
          const change = applyInOrder(THRESHOLD_KIND, track, value, ts, thresholdContext, reorder);
          if (change !== null || track.alert !== null) record(track, change, out);
          continue;
        }
        const late = countLate(applyLate(THRESHOLD_KIND, track, value, ts, thresholdContext, idTaken));
        if (late === null) continue;
        for (const change of late.changes) record(track, change, out);
        record(track, null, out);
      }
      if (out.length > 0) aggregate(out, 0);
      return out;
    },

    status(sensor: RuleSensor, online: boolean, ts: number): AlertChange[] {
      const out: AlertChange[] = [];
      for (const { rule, tracks } of absenceRules.values()) {
        if (rule.domain !== undefined && rule.domain !== sensor.domain) continue;
        let track = tracks.get(sensor.id);
        if (track === undefined) {
          track = { rule, sensor, domain: sensor.domain, lastTs: online ? ts : -Infinity, intervalMs: expectedIntervalMs(rule, sensor), alert: null };
          tracks.set(sensor.id, track);
          if (online) continue;
        }
        if (online) note(track, reportAbsence(track, ts, track.intervalMs, sensor), out);
        else if (rule.lastWill) note(track, lastWillAbsence(track, Number.isFinite(track.lastTs) ? Math.max(ts, track.lastTs) : ts), out);
      }
      if (out.length > 0) aggregate(out, 0);
      return out;
    },

    tick(now: number): AlertChange[] {
      const out: AlertChange[] = [];
      for (const track of clearing) {
        const since = track.clearSince;
        // The sensor's own clock: its newest event time plus the time since that reading arrived, so a
        // replay or a backfilling gateway (event times far behind `now`) clears in event time too.
        if (since === null || track.lastTs + (now - track.lastHeard) - since < track.rule.clearForMs) continue;
        // Resolve at the moment the clear window completed, not at `now`, so
        // the result does not depend on how often the caller ticks.
        const at = since + track.rule.clearForMs;
        if (at > track.lastTs) track.lastTs = at;
        record(track, resolveTrack(track, at), out);
        sealLog(track.log);
      }
      for (const { tracks } of absenceRules.values()) {
        for (const track of tracks.values()) if (Number.isFinite(track.lastTs)) note(track, tickAbsence(track, now), out);
      }
      if (out.length > 0) aggregate(out, 0);
      return out;
    },

    acknowledge(alertId: string, by: string, at: number): AlertChange {
      const track = openById.get(alertId);
      if (track === undefined || track.alert === null) {
        throw resolvedIds.has(alertId) ? alertResolvedError(alertId) : alertNotFoundError(alertId);
      }
      if (track.alert.state !== 'acknowledged') track.alert = acknowledgeAlert(track.alert, by, at);
      return { kind: 'acknowledged', alert: copyAlert(track.alert) };
    },

    lateReadings() {
      return { ...lateCounts };
    },

    openAlerts(): Alert[] {
      const alerts: Alert[] = [];
      for (const track of openById.values()) if (track.alert !== null) alerts.push(copyAlert(track.alert));
      // Oldest first, by value rather than by Map history, so a restored engine lists them identically.
      return alerts.sort((a, b) => (a.raisedAt < b.raisedAt ? -1 : a.raisedAt > b.raisedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    resume(now: number): void {
      for (const { tracks } of absenceRules.values()) {
        for (const track of tracks.values()) if (track.alert === null && Number.isFinite(track.lastTs) && track.lastTs < now) track.lastTs = now;
      }
    },

    snapshot(): EngineSnapshot {
      const tracks: TrackSnapshot[] = [];
      for (const slot of slots.values()) {
        for (const track of slot.tracks.values()) {
          tracks.push({
            ruleId: track.rule.id,
            sensorId: track.sensorId,
            lastTs: track.lastTs,
            lastHeard: track.lastHeard,
            pendingSince: track.pendingSince,
            clearSince: track.clearSince,
            lowerSince: track.lowerSince,
            lowerLevel: track.lowerLevel,
            level: track.level,
            alert: track.alert === null ? null : copyAlert(track.alert),
          });
        }
      }
      const rate = [...rateRules.values()].flatMap(({ tracks: t }) =>
        [...t.values()].map((r) => ({
          ruleId: r.rule.id,
          sensor: { ...r.sensor, location: [r.sensor.location[0], r.sensor.location[1]] as [number, number] },
          samples: r.samples.map(([a, b]) => [a, b] as [number, number]),
          latestTs: r.latestTs,
          clearSince: r.clearSince,
          alert: r.alert === null ? null : copyAlert(r.alert),
        })),
      );
      // Sensors never heard from (lastTs −∞ after an early Last Will) are not JSON numbers; they restart unknown.
      const absence = [...absenceRules.values()].flatMap(({ tracks: t }) =>
        [...t.values()]
          .filter((a) => Number.isFinite(a.lastTs) || a.alert !== null)
          .map((a) => ({
            ruleId: a.rule.id,
            sensor: { ...a.sensor, location: [a.sensor.location[0], a.sensor.location[1]] as [number, number] },
            lastTs: Number.isFinite(a.lastTs) ? a.lastTs : 0,
            intervalMs: a.intervalMs,
            alert: a.alert === null ? null : copyAlert(a.alert),
          })),
      );
      const district = [...districtRules.values()].flatMap(({ tracks: t }) =>
        [...t.values()].filter((d) => d.alert !== null).map((d) => ({ ruleId: d.rule.id, district: d.district, alert: copyAlert(d.alert!) })),
      );
      return { version: 1, tracks, resolvedAlertIds: [...resolvedIds], rate, absence, district };
    },
  };
}
