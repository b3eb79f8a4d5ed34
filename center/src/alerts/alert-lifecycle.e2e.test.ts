import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { telemetryTopic, type Alert } from '@cityops/contracts';
import { HCMC_DEFAULT_RULES } from '@cityops/rules';
import { cli, removeDir, signIn, startTestCenter, waitFor, type TestCenter } from '../test-support/harness.ts';
import { loadRulesFile } from './rules-file.ts';
import { verifyWebhook } from './webhook-sender.ts';

const DEFAULT_RULES_FILE = join(import.meta.dirname, '../../../rules/hcmc-default-rules.yaml');
const SENSOR = 'flood-lc-101';

/**
 * The alert lifecycle on a real center: a burst of out-of-order readings →
 * one alert; comments and audit; a signed webhook; a restart mid-incident
 * with no duplicate and no lost alert; rules reloaded from the file.
 */
describe('alert lifecycle across a restart', () => {
  let t: TestCenter;
  let hook: Server;
  const hooks: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let hookUrl = '';
  let rulesFile = '';
  let device = { username: '', password: '' };
  let operator = { username: '', password: '' };
  let cookie = '';

  beforeAll(async () => {
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hooks.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    t = await startTestCenter({ webhookUrl: hookUrl, webhookSecret: 'shared-secret' });
    rulesFile = join(t.dataDir, 'rules.yaml');
    copyFileSync(DEFAULT_RULES_FILE, rulesFile);
    await t.close(); // restart with the rules file in the data dir
    t = await startTestCenter({ webhookUrl: hookUrl, webhookSecret: 'shared-secret', rulesFile }, {}, t.dataDir);
    operator = (await cli(t.dataDir, 'users', 'add', 'thu', '--role', 'operator')) as typeof operator;
    cookie = await signIn(t.httpUrl, operator.username, operator.password);
    device = (await cli(t.dataDir, 'devices', 'add', SENSOR, '--domain', 'flood', '--lon', '106.70', '--lat', '10.77', '--name', 'Lê Lợi', '--district', 'Quận 1')) as typeof device;
  });

  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => hook.close(() => resolve()));
    if (t) removeDir(t.dataDir);
  });

  const publish = async (readings: Array<{ ts: number; cm: number }>) => {
    const client = await mqtt.connectAsync(t.mqttUrl, { ...device, clientId: `lc-${Math.random()}`, reconnectPeriod: 0 });
    // All at once, not awaited one by one: a burst on one connection.
    await Promise.all(readings.map((r) => client.publishAsync(telemetryTopic('hcmc', 'flood', SENSOR), JSON.stringify({ ts: r.ts, waterLevelCm: r.cm, intervalS: 60 }), { qos: 1 })));
    await client.endAsync();
  };
  const floodAlerts = () => t.center.alerts.list({}).filter((a) => a.ruleId === 'flood-depth' && a.subject.id === SENSOR);
  const api = async (path: string, init: RequestInit = {}) =>
    fetch(`${t.httpUrl}${path}`, { ...init, headers: { cookie, 'content-type': 'application/json', ...(init.headers ?? {}) } });

  it('the shipped rules file is the built-in HCMC rule set', () => {
    expect(loadRulesFile(DEFAULT_RULES_FILE)).toEqual(HCMC_DEFAULT_RULES);
  });

  it('keeps exactly one open alert per rule and sensor through a burst, a restart, escalation and resolution', async () => {
    const now = Date.now();
    // 60 readings, 1 s apart, 35 cm, sent shuffled and concurrently
    const burst = Array.from({ length: 60 }, (_, i) => ({ ts: now - 100_000 + i * 1000, cm: 35 }));
    for (let i = burst.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [burst[i], burst[j]] = [burst[j]!, burst[i]!];
    }
    await publish(burst);
    const [raised] = await waitFor(() => (floodAlerts().length > 0 ? floodAlerts() : undefined), 5000, 'flood alert');
    expect(floodAlerts()).toHaveLength(1);
    expect(raised).toMatchObject({ state: 'active', severity: 'major' });
    // Event time: however the burst arrived, the alert ends with the in-order start (30 s hold from the first reading).
    await waitFor(() => floodAlerts().find((a) => a.raisedAt === new Date(now - 70_000).toISOString()), 5000, 'in-order start');
    expect(floodAlerts().map((a) => a.id)).toEqual([raised!.id]);
    const metricsText = await (await fetch(`${t.httpUrl}/metrics`)).text();
    const reordered = Number(/cityops_rules_late_readings_total\{outcome="reordered"\} (\d+)/.exec(metricsText)?.[1]);
    expect(reordered).toBeGreaterThan(0); // the shuffled burst really arrived out of order
    expect(metricsText).toMatch(/cityops_rules_late_readings_total\{outcome="dropped"\} 0/);

    // comments and audit
    const posted = await api(`/api/alerts/${encodeURIComponent(raised!.id)}/comments`, { method: 'POST', body: JSON.stringify({ comment: 'Đã báo đội bơm nước Quận 1' }) });
    expect(posted.status).toBe(201);
    expect(await posted.json()).toMatchObject({ alertId: raised!.id, by: 'thu', comment: 'Đã báo đội bơm nước Quận 1' });
    expect((await api('/api/alerts/nope/comments', { method: 'POST', body: JSON.stringify({ comment: 'x' }) })).status).toBe(404);
    expect((await api(`/api/alerts/${encodeURIComponent(raised!.id)}/comments`, { method: 'POST', body: JSON.stringify({ comment: '   ' }) })).status).toBe(400);
    const listed = (await (await api(`/api/alerts/${encodeURIComponent(raised!.id)}/comments`)).json()) as Array<{ comment: string }>;
    expect(listed.map((c) => c.comment)).toEqual(['Đã báo đội bơm nước Quận 1']);

    // signed webhook for the raise
    const delivered = await waitFor(() => hooks.find((h) => JSON.parse(h.body).alert?.id === raised!.id), 5000, 'webhook');
    expect(JSON.parse(delivered.body).change).toBe('raised');
    expect(verifyWebhook('shared-secret', String(delivered.headers['x-cityops-timestamp']), delivered.body, String(delivered.headers['x-cityops-signature']))).toBe(true);

    // restart mid-incident
    const dataDir = t.dataDir;
    await t.close();
    t = await startTestCenter({ webhookUrl: hookUrl, webhookSecret: 'shared-secret', rulesFile }, {}, dataDir);
    cookie = await signIn(t.httpUrl, operator.username, operator.password);
    expect(floodAlerts().map((a) => [a.id, a.state])).toEqual([[raised!.id, 'active']]);

    await publish([{ ts: now - 30_000, cm: 55 }, { ts: now - 20_000, cm: 56 }]);
    await waitFor(() => floodAlerts().find((a) => a.severity === 'critical'), 5000, 'escalation');
    await publish([{ ts: now - 10_000, cm: 1 }, { ts: now + 25_000, cm: 1 }, { ts: now + 55_000, cm: 1 }]);
    const resolved = await waitFor(() => floodAlerts().find((a) => a.state === 'resolved'), 5000, 'resolution');
    expect(resolved.id).toBe(raised!.id);
    expect(resolved.resolvedAt).toBe(new Date(now + 55_000).toISOString());
    expect(floodAlerts()).toHaveLength(1); // never a second alert for this incident

    const actions = t.center.alerts.audit(raised!.id).map((e) => `${e.action}:${e.actor}`);
    // Raised once, corrected in place while late burst readings were put in order, escalated, resolved once.
    expect(actions[0]).toBe('raised:system');
    expect(actions.at(-1)).toBe('resolved:system');
    expect(actions.filter((a) => a === 'commented:thu')).toHaveLength(1);
    expect(actions.slice(actions.indexOf('commented:thu') + 1, -1)).toContain('updated:system');
    expect(actions.slice(1, -1).every((a) => a === 'updated:system' || a === 'commented:thu')).toBe(true);
  });

  it('lists the rules and reloads them from the file without a restart; an invalid edit keeps the running rules', async () => {
    const listed = (await (await api('/api/rules')).json()) as { source: string; rules: Array<{ id: string }> };
    expect(listed.source).toBe(rulesFile);
    expect(listed.rules.map((r) => r.id)).toEqual(HCMC_DEFAULT_RULES.map((r) => r.id));

    const original = readFileSync(rulesFile, 'utf8');
    writeFileSync(rulesFile, original.replace('id: air-pm25', 'id: air-pm25-instant'));
    await waitFor(async () => {
      const body = (await (await api('/api/rules')).json()) as { rules: Array<{ id: string }> };
      return body.rules.some((r) => r.id === 'air-pm25-instant') ? true : undefined;
    }, 10_000, 'reloaded rules');

    writeFileSync(rulesFile, original.replace('change: 10', 'change: -10'));
    await new Promise((r) => setTimeout(r, 2500)); // two polls of the file
    const after = (await (await api('/api/rules')).json()) as { rules: Array<{ id: string }> };
    expect(after.rules.some((r) => r.id === 'air-pm25-instant')).toBe(true);
  });
});
