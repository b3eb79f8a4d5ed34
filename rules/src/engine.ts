import type { Alert, Domain, Reading } from '@cityops/contracts';
import { acknowledgeAlert, copyAlert } from './alert-build.ts';
import { deepFreeze } from './deep-freeze.ts';
import { compileThresholdRule, sensorFactor, type CompiledThresholdRule } from './compiled-rule.ts';
import { alertNotFoundError, alertResolvedError, invalidSnapshotError, sensorMismatchError } from './errors.ts';
import type { RuleDefinition } from './rule-schema.ts';
import { assertEngineSnapshot, type EngineSnapshot, type TrackSnapshot } from './snapshot.ts';
import { createTrack, resolveTrack, stepThreshold, type ThresholdTrack } from './threshold-track.ts';
import type { AlertChange, RuleEngine, RuleEngineOptions, RuleSensor } from './types.ts';
import { parseRuleDefinitions } from './validate-rules.ts';

interface RuleSlot {
  rule: CompiledThresholdRule;
  /** Keyed by sensor id: one Map per rule avoids building composite keys per reading. */
  tracks: Map<string, ThresholdTrack>;
}

const DEFAULT_RESOLVED_MEMORY = 10_000;

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
  for (const def of rules) {
    const slot: RuleSlot = { rule: compileThresholdRule(def), tracks: new Map() };
    slots.set(def.id, slot);
    const list = byDomain.get(def.domain);
    if (list === undefined) byDomain.set(def.domain, [slot]);
    else list.push(slot);
  }

  const openById = new Map<string, ThresholdTrack>();
  /** Open alerts whose clear condition is holding: the only candidates for tick(). */
  const clearing = new Set<ThresholdTrack>();
  /** Insertion-ordered, so the oldest id is evicted first. */
  const resolvedIds = new Set<string>();

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
      const track = createTrack(slot.rule, saved.sensorId, saved.lastTs);
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
  }

  return {
    rules,

    evaluate(reading: Reading, sensor: RuleSensor): AlertChange[] {
      const out: AlertChange[] = [];
      const domainSlots = byDomain.get(reading.domain);
      if (domainSlots === undefined) return out;
      if (reading.sensorId !== sensor.id) throw sensorMismatchError(reading.sensorId, sensor.id);
      const ts = reading.ts;
      const fields = reading.fields as Record<string, number | undefined>;
      for (let i = 0; i < domainSlots.length; i++) {
        const slot = domainSlots[i]!;
        const rule = slot.rule;
        const value = fields[rule.field];
        if (value === undefined || !Number.isFinite(value)) continue;
        const factor = sensorFactor(rule, sensor);
        if (Number.isNaN(factor)) continue;
        let track = slot.tracks.get(reading.sensorId);
        if (track === undefined) {
          track = createTrack(rule, reading.sensorId, ts);
          slot.tracks.set(reading.sensorId, track);
        } else if (ts < track.lastTs) {
          // Out of order: ignored for transitions until event-time reordering lands.
          continue;
        } else {
          track.lastTs = ts;
        }
        const change = stepThreshold(track, value, ts, sensor, factor);
        if (change !== null || track.alert !== null) record(track, change, out);
      }
      return out;
    },

    tick(now: number): AlertChange[] {
      const out: AlertChange[] = [];
      for (const track of clearing) {
        const since = track.clearSince;
        if (since === null || now - since < track.rule.clearForMs) continue;
        // Resolve at the moment the clear window completed, not at `now`, so
        // the result does not depend on how often the caller ticks.
        const at = since + track.rule.clearForMs;
        if (at > track.lastTs) track.lastTs = at;
        record(track, resolveTrack(track, at), out);
      }
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

    openAlerts(): Alert[] {
      const alerts: Alert[] = [];
      for (const track of openById.values()) if (track.alert !== null) alerts.push(copyAlert(track.alert));
      // Oldest first, by value rather than by Map history, so a restored engine lists them identically.
      return alerts.sort((a, b) => (a.raisedAt < b.raisedAt ? -1 : a.raisedAt > b.raisedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    snapshot(): EngineSnapshot {
      const tracks: TrackSnapshot[] = [];
      for (const slot of slots.values()) {
        for (const track of slot.tracks.values()) {
          tracks.push({
            ruleId: track.rule.id,
            sensorId: track.sensorId,
            lastTs: track.lastTs,
            pendingSince: track.pendingSince,
            clearSince: track.clearSince,
            lowerSince: track.lowerSince,
            lowerLevel: track.lowerLevel,
            level: track.level,
            alert: track.alert === null ? null : copyAlert(track.alert),
          });
        }
      }
      return { version: 1, tracks, resolvedAlertIds: [...resolvedIds] };
    },
  };
}
