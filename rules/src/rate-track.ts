import type { Alert } from '@cityops/contracts';
import { copyAlert, newAlert, resolveAlert, updateAlert } from './alert-build.ts';
import { renderTemplate } from './message-format.ts';
import type { RateOfChangeRule } from './rule-schema.ts';
import { emptyLog, type ReadingLog, type TrackKind } from './event-order.ts';
import type { AlertChange, RuleSensor } from './types.ts';

/** Window state of one (rate rule, sensor): the samples of the last `window` ms, in event-time order. */
export interface RateTrack {
  readonly rule: RateOfChangeRule;
  readonly sensorId: string;
  sensor: RuleSensor;
  /** [ts, value] pairs sorted by ts. */
  samples: Array<[number, number]>;
  latestTs: number;
  clearSince: number | null;
  alert: Alert | null;
  /**
   * Monotonic deque over the samples of the current window (lowest first for
   * 'rise', highest first for 'fall'): the window's extreme in O(1) for
   * in-order samples. Derived state, rebuilt after a late sample.
   */
  extremes: Array<[number, number]>;
  /** Recent readings and checkpoints, so a late reading can be put in its place (event-order.ts). */
  log: ReadingLog<RateState>;
}

/** The window state a re-run starts from. */
export interface RateState {
  samples: Array<[number, number]>;
  latestTs: number;
  clearSince: number | null;
  alert: Alert | null;
}

export const createRateTrack = (rule: RateOfChangeRule, sensor: RuleSensor): RateTrack => ({
  rule,
  sensorId: sensor.id,
  sensor,
  samples: [],
  latestTs: -Infinity,
  clearSince: null,
  alert: null,
  extremes: [],
  log: emptyLog(),
});

/** Appends an in-order sample to the deque and returns the window's change at it. */
function pushExtreme(track: RateTrack, ts: number, value: number): number {
  const rise = track.rule.direction === 'rise';
  const q = track.extremes;
  while (q.length > 0 && (rise ? q[q.length - 1]![1] >= value : q[q.length - 1]![1] <= value)) q.pop();
  q.push([ts, value]);
  let head = 0;
  while (q[head]![0] < ts - track.rule.window) head++;
  if (head > 0) q.splice(0, head);
  const extreme = q[0]![1];
  return rise ? value - extreme : extreme - value;
}

export function rebuildExtremes(track: RateTrack): void {
  track.extremes = [];
  for (const [t, v] of track.samples) pushExtreme(track, t, v);
}

/** Change at sample i against the window before it: rise = value − lowest, fall = highest − value. */
function changeAt(track: RateTrack, i: number): number {
  const [ts, value] = track.samples[i]!;
  const rise = track.rule.direction === 'rise';
  let extreme = value;
  for (let j = i - 1; j >= 0; j--) {
    const [t, v] = track.samples[j]!;
    if (t < ts - track.rule.window) break;
    if (rise ? v < extreme : v > extreme) extreme = v;
  }
  return rise ? value - extreme : extreme - value;
}

function message(track: RateTrack, change: number): Alert['message'] {
  const ctx = { value: change, unit: track.rule.unit, threshold: track.rule.change, sensorName: track.sensor.name, district: track.sensor.district };
  return { vi: renderTemplate(track.rule.message.vi, 'vi', ctx), en: renderTemplate(track.rule.message.en, 'en', ctx) };
}

function update(track: RateTrack, ts: number, change: number): AlertChange {
  track.alert = updateAlert(track.alert!, Math.max(ts, Date.parse(track.alert!.updatedAt)), change, message(track, change));
  return { kind: 'updated', alert: copyAlert(track.alert) };
}

/**
 * The start of the calm after `from`: the first sample following the last
 * hot one at or after `from`, or null if the newest sample is still hot.
 * Only used for late samples (O(n·w)), so in-order readings stay cheap.
 */
function calmSince(track: RateTrack, from: number): number | null {
  const samples = track.samples;
  let lastHot = -1;
  for (let i = 0; i < samples.length; i++) {
    if (samples[i]![0] < from) continue;
    if (changeAt(track, i) >= track.rule.change) lastHot = i;
  }
  if (lastHot < 0) return null;
  const next = samples[lastHot + 1];
  return next === undefined ? null : next[0];
}

/**
 * Applies one sample at event time `ts`. Samples are kept sorted, so a late
 * one is judged against the readings that really preceded it: a late fast
 * rise still raises (at its own time). Only samples at or after the newest
 * one move the clear window, so a late calm reading cannot resolve early.
 */
export function stepRate(track: RateTrack, ts: number, value: number, sensor: RuleSensor): AlertChange | null {
  const rule = track.rule;
  track.sensor = sensor;
  if (ts < track.latestTs - rule.window) return null; // older than any window still being judged
  const samples = track.samples;
  const isLatest = ts > track.latestTs;
  let change: number;
  if (isLatest) {
    // The common case, O(1) amortised: append, slide the window, read the extreme.
    samples.push([ts, value]);
    track.latestTs = ts;
    let drop = 0;
    while (samples[drop]![0] < ts - rule.window) drop++;
    if (drop > 0) samples.splice(0, drop);
    change = pushExtreme(track, ts, value);
  } else {
    let i = samples.length;
    while (i > 0 && samples[i - 1]![0] > ts) i--;
    if (i > 0 && samples[i - 1]![0] === ts) {
      samples[i - 1]![1] = value; // same event time: the later report wins
      i--;
    } else samples.splice(i, 0, [ts, value]);
    change = changeAt(track, i);
    rebuildExtremes(track);
  }
  const hot = change >= rule.change;

  if (track.alert === null) {
    if (!hot) return null;
    track.clearSince = isLatest ? null : calmSince(track, ts);
    track.alert = newAlert({
      ruleId: rule.id,
      domain: rule.domain,
      severity: rule.severity,
      subject: { kind: 'sensor', id: sensor.id },
      location: sensor.location,
      district: sensor.district,
      at: ts,
      value: change,
      threshold: rule.change,
      message: message(track, change),
    });
    return { kind: 'raised', alert: copyAlert(track.alert) };
  }
  if (!isLatest) {
    // A late sample may have been the hot one: re-derive where the calm began from the samples after it.
    if (hot) track.clearSince = calmSince(track, ts);
    return hot && change > track.alert.value ? update(track, ts, change) : null;
  }
  if (hot) {
    track.clearSince = null;
    return change > track.alert.value ? update(track, ts, change) : null;
  }
  track.clearSince ??= ts;
  if (ts - track.clearSince < rule.clear.for) return null;
  const resolved = resolveAlert(track.alert, ts);
  track.alert = null;
  track.clearSince = null;
  return { kind: 'resolved', alert: resolved };
}

/** Rate tracks for the event-order re-run: `context` is the sensor. */
export const RATE_KIND: TrackKind<RateTrack, RateState, RuleSensor> = {
  lastTs: (track) => track.latestTs,
  save: (t) => ({ samples: t.samples.map(([ts, v]) => [ts, v]), latestTs: t.latestTs, clearSince: t.clearSince, alert: t.alert }),
  load(t, s) {
    t.samples = s.samples.map(([ts, v]) => [ts, v]);
    t.latestTs = s.latestTs;
    t.clearSince = s.clearSince;
    t.alert = s.alert;
    rebuildExtremes(t);
  },
  scratch: (t) => createRateTrack(t.rule, t.sensor),
  step: (track, value, ts, sensor) => stepRate(track, ts, value, sensor),
  // A saved state copies the window's samples (90 at one reading per 10 s over 15 min):
  // rarer checkpoints keep that off the per-reading cost; a re-run replays at most 64 more.
  checkpointEvery: 64,
};
