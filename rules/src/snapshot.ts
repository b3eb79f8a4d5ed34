import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Alert } from '@cityops/contracts';
import { invalidSnapshotError, type ValidationIssue } from './errors.ts';

const nullableTime = Type.Union([Type.Number(), Type.Null()]);

export const TrackSnapshotSchema = Type.Object(
  {
    ruleId: Type.String(),
    sensorId: Type.String(),
    lastTs: Type.Number(),
    /** Arrival time of the reading at lastTs (absent in snapshots written before it existed). */
    lastHeard: Type.Optional(Type.Number()),
    pendingSince: nullableTime,
    clearSince: nullableTime,
    lowerSince: nullableTime,
    lowerLevel: Type.Integer({ minimum: -1 }),
    level: Type.Integer({ minimum: -1 }),
    /** The open alert of this (rule, sensor), if any. */
    alert: Type.Union([Alert, Type.Null()]),
  },
  { additionalProperties: false },
);
export type TrackSnapshot = Static<typeof TrackSnapshotSchema>;

const RuleSensorSchema = Type.Object(
  {
    id: Type.String(),
    domain: Type.Union([Type.Literal('traffic'), Type.Literal('flood'), Type.Literal('air')]),
    name: Type.String(),
    district: Type.String(),
    location: Type.Tuple([Type.Number(), Type.Number()]),
  },
  { additionalProperties: true },
);
const openAlert = Type.Union([Alert, Type.Null()]);

export const RateSnapshotSchema = Type.Object(
  {
    ruleId: Type.String(),
    sensor: RuleSensorSchema,
    samples: Type.Array(Type.Tuple([Type.Number(), Type.Number()])),
    latestTs: Type.Number(),
    clearSince: nullableTime,
    alert: openAlert,
  },
  { additionalProperties: false },
);
export const AbsenceSnapshotSchema = Type.Object(
  { ruleId: Type.String(), sensor: RuleSensorSchema, lastTs: Type.Number(), intervalMs: Type.Number(), alert: openAlert },
  { additionalProperties: false },
);
export const DistrictSnapshotSchema = Type.Object(
  { ruleId: Type.String(), district: Type.String(), alert: openAlert },
  { additionalProperties: false },
);

/**
 * Version 1: per-(rule, sensor) threshold window state plus recently resolved
 * alert ids; the other rule kinds' state is optional so older snapshots load.
 * District member sets are not stored: they are rebuilt from the open alerts.
 */
export const EngineSnapshotSchema = Type.Object(
  {
    version: Type.Literal(1),
    tracks: Type.Array(TrackSnapshotSchema),
    resolvedAlertIds: Type.Array(Type.String()),
    rate: Type.Optional(Type.Array(RateSnapshotSchema)),
    absence: Type.Optional(Type.Array(AbsenceSnapshotSchema)),
    district: Type.Optional(Type.Array(DistrictSnapshotSchema)),
  },
  { additionalProperties: false },
);
export type EngineSnapshot = Static<typeof EngineSnapshotSchema>;

/** Checks a snapshot read back from storage; throws CITYOPS_RULES_INVALID_SNAPSHOT. */
export function assertEngineSnapshot(input: unknown): asserts input is EngineSnapshot {
  const issues: ValidationIssue[] = [];
  for (const error of Value.Errors(EngineSnapshotSchema, input)) {
    issues.push({ path: error.path, message: error.message });
    if (issues.length >= 20) break;
  }
  if (issues.length > 0) throw invalidSnapshotError(issues);
  const snapshot = input as EngineSnapshot;
  const seen = new Set<string>();
  snapshot.tracks.forEach((track, i) => {
    const key = `${track.ruleId}\u0000${track.sensorId}`;
    if (seen.has(key)) issues.push({ path: `/tracks/${i}`, message: `duplicate state for rule ${track.ruleId} and sensor ${track.sensorId}` });
    seen.add(key);
    if (track.alert !== null && track.alert.state === 'resolved') {
      issues.push({ path: `/tracks/${i}/alert/state`, message: 'only open alerts belong in a snapshot' });
    }
    if ((track.alert === null) !== (track.level < 0)) {
      issues.push({ path: `/tracks/${i}/level`, message: 'level must be ≥ 0 exactly when an alert is open' });
    }
  });
  if (issues.length > 0) throw invalidSnapshotError(issues);
}
