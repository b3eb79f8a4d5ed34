import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecordingWriter, formatHcmcTimestamp } from '@cityops/simulators';
import type { Alert } from '@cityops/contracts';
import { cli, removeDir, startTestCenter, waitFor, type TestCenter } from '../test-support/harness.ts';

/**
 * `cityops replay` end to end against real centers: the same recording
 * replayed into two fresh centers gives the same alerts (issue 6, determinism).
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const T0 = Date.parse('2026-10-06T16:00:00+07:00');
const MIN = 60_000;

/**
 * A recording with clean episodes: floods rising through 10/30/50 cm and
 * receding, a PM2.5 episode, a traffic jam; each clears and stays clear
 * longer than its rule's clear window.
 */
async function writeRecording(dir: string): Promise<{ files: string[]; readings: number }> {
  const writer = createRecordingWriter({ dir, maxBytes: 64 * 1024 });
  const lines: { t: number; topic: string; body: object }[] = [];
  const flood = (id: string, peakCm: number, startMin: number) => {
    for (let s = 0; s <= 40 * 60; s += 15) {
      const t = T0 + startMin * MIN + s * 1000;
      const rise = Math.min(1, s / 600);
      const fall = s > 1200 ? Math.max(0, 1 - (s - 1200) / 300) : 1;
      lines.push({ t, topic: `city/hcmc/flood/${id}/telemetry`, body: { ts: formatHcmcTimestamp(t), waterLevelCm: Math.round(peakCm * rise * fall * 10) / 10, intervalS: 15 } });
    }
  };
  flood('flood-001', 60, 0);
  flood('flood-002', 35, 3);
  flood('flood-003', 8, 0); // below every level: no alert
  for (let s = 0; s <= 60 * 60; s += 60) {
    const t = T0 + s * 1000;
    const pm25 = s >= 10 * 60 && s < 30 * 60 ? 140 : 20;
    lines.push({ t, topic: 'city/hcmc/air/air-healthyair-2/telemetry', body: { ts: formatHcmcTimestamp(t), pm25, pm10: pm25 * 1.5 } });
    const speed = s >= 5 * 60 && s < 25 * 60 ? 8 : 38;
    lines.push({ t, topic: 'city/hcmc/traffic/traffic-001/telemetry', body: { ts: formatHcmcTimestamp(t), speedKmh: speed, volume: 120, occupancyPct: 30, intervalS: 60 } });
  }
  // recorded in receive order, not sorted: the replayer must restore event-time order per sensor
  lines.sort((a, b) => a.topic.localeCompare(b.topic) || a.t - b.t);
  for (const l of lines) writer.write({ receivedAt: l.t + 150, topic: l.topic, payload: Buffer.from(JSON.stringify(l.body)) });
  return { files: await writer.close(), readings: lines.length };
}

const settledAlerts = async (t: TestCenter): Promise<Alert[]> => {
  let last = '';
  let stableSince = Date.now();
  return waitFor(() => {
    const alerts = t.center.alerts.list({});
    const now = JSON.stringify(alerts);
    if (now !== last) {
      last = now;
      stableSince = Date.now();
      return undefined;
    }
    return Date.now() - stableSince > 500 ? alerts : undefined;
  }, 15_000, 'alerts to settle');
};

const fingerprint = (alerts: Alert[]) =>
  alerts
    .map((a) => ({ ruleId: a.ruleId, subject: a.subject, severity: a.severity, state: a.state, raisedAt: a.raisedAt, resolvedAt: a.resolvedAt ?? null, value: a.value }))
    .sort((a, b) => `${a.ruleId}/${a.subject.id}/${a.raisedAt}`.localeCompare(`${b.ruleId}/${b.subject.id}/${b.raisedAt}`));

describe('cityops replay', () => {
  it('replaying the same recording into two fresh centers yields the same alerts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cityops-replay-'));
    cleanups.push(() => removeDir(dir));
    const { readings } = await writeRecording(dir);

    const runs: ReturnType<typeof fingerprint>[] = [];
    for (let run = 0; run < 2; run++) {
      const t = await startTestCenter();
      cleanups.push(() => removeDir(t.dataDir));
      cleanups.push(() => t.close());
      const summary = (await cli(t.dataDir, 'replay', dir, '--speed', 'max', '--url', t.mqttUrl)) as Record<string, unknown>;
      expect(summary).toMatchObject({ source: 'recording', total: readings, acked: readings, errors: 0, unplayable: 0 });
      expect(await t.center.store.count()).toBe(readings);
      runs.push(fingerprint(await settledAlerts(t)));
    }
    const [a, b] = runs;
    expect(a).toEqual(b);
    const rules = new Set(a!.map((x) => `${x.ruleId}:${x.subject.id}`));
    // the episodes raise at least these (the default rule set grows; others may fire too, the same in both runs)
    for (const expected of ['flood-depth:flood-001', 'flood-depth:flood-002', 'air-pm25:air-healthyair-2', 'traffic-congestion:traffic-001']) expect(rules).toContain(expected);
    expect(rules).not.toContain('flood-depth:flood-003');
    // event times come from the readings, not from when the replay ran
    for (const x of a!) expect(Date.parse(x.raisedAt) - T0).toBeGreaterThanOrEqual(0);
    for (const x of a!) expect(Date.parse(x.raisedAt) - T0).toBeLessThan(2 * 60 * MIN);
  }, 60_000);

  it('replays through a gateway account as batches: every reading stored once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cityops-replay-gw-'));
    cleanups.push(() => removeDir(dir));
    const { readings } = await writeRecording(dir);
    const t = await startTestCenter();
    cleanups.push(() => removeDir(t.dataDir));
    cleanups.push(() => t.close());
    const summary = (await cli(t.dataDir, 'replay', dir, '--speed', 'max', '--gateway', 'replay-gw', '--url', t.mqttUrl)) as Record<string, number>;
    expect(summary).toMatchObject({ readings, errors: 0 });
    expect(summary.acked).toBeLessThan(readings / 10);
    expect(await t.center.store.count()).toBe(readings);
    expect(t.center.devices.get('replay-gw')).toMatchObject({ kind: 'gateway' });
  }, 60_000);
});
