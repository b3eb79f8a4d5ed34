import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@cityops/sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Alert } from '@cityops/contracts';
import { openCenterDatabase } from '../database.ts';
import { removeDir } from '../test-support/harness.ts';
import { createWebhookSender, OUTBOX_TABLE, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from './webhook-sender.ts';

const alert: Alert = {
  id: 'flood-depth.fl-01.1757919600000',
  ruleId: 'flood-depth',
  domain: 'flood',
  severity: 'major',
  state: 'active',
  subject: { kind: 'sensor', id: 'fl-01' },
  location: [106.7, 10.8],
  district: 'Bình Thạnh',
  raisedAt: '2025-09-15T07:00:00.000Z',
  updatedAt: '2025-09-15T07:00:00.000Z',
  value: 34,
  threshold: 30,
  message: { vi: 'Ngập 34 cm', en: 'Flooding 34 cm' },
};

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server | undefined;
const dirs: string[] = [];
const dbs: Database[] = [];
afterEach(async () => {
  await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
  server = undefined;
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) removeDir(dir);
});

/** The center database in a fresh data dir (a real SQLite file, as the center opens it). */
function centerDb(dir = mkdtempSync(join(tmpdir(), 'cityops-webhook-'))): { db: Database; dir: string } {
  if (!dirs.includes(dir)) dirs.push(dir);
  const db = openCenterDatabase(dir);
  dbs.push(db);
  return { db, dir };
}

/** A real HTTP receiver on a free loopback port (or the given one) answering with the given statuses in turn (then 200). */
async function receiver(statuses: number[], port = 0): Promise<{ url: string; port: number; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
  const bound = (server!.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${bound}/hooks/cityops`, port: bound, received };
}

/** A loopback port with nothing listening on it: an endpoint that is down. */
async function downPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const silent = pino({ level: 'silent' });
const at = (minute: number) => new Date(Date.UTC(2025, 8, 15, 7, minute)).toISOString();

describe('alert webhooks', () => {
  it('POSTs the change signed with HMAC-SHA256, retrying 503s with backoff until delivered', async () => {
    const { url, received } = await receiver([503, 503]);
    const metrics = new Registry();
    const sender = createWebhookSender({ url, secret: 's3cret', db: centerDb().db, logger: silent, metrics, baseDelayMs: 20, maxDelayMs: 100 });
    sender.send(alert, 'raised');
    sender.send({ ...alert, state: 'resolved', updatedAt: '2025-09-15T07:30:00.000Z' }, 'resolved');
    await sender.drain();
    expect(received).toHaveLength(4); // 503, 503, 200 for the first; 200 for the second, in order
    const last = received[2]!;
    expect(JSON.parse(last.body)).toEqual({ change: 'raised', alert });
    expect(last.headers['x-cityops-event']).toBe('alert.raised');
    const ts = String(last.headers[TIMESTAMP_HEADER]);
    expect(verifyWebhook('s3cret', ts, last.body, String(last.headers[SIGNATURE_HEADER]))).toBe(true);
    expect(verifyWebhook('wrong', ts, last.body, String(last.headers[SIGNATURE_HEADER]))).toBe(false);
    expect(received[0]!.headers['x-cityops-delivery']).toBe(received[2]!.headers['x-cityops-delivery']); // same id: receivers can de-duplicate
    expect(JSON.parse(received[3]!.body).change).toBe('resolved');
    expect(await metrics.getSingleMetricAsString('cityops_alert_webhook_deliveries_total')).toMatch(/outcome="delivered"} 2/);
    await sender.close();
  });

  it('does not retry a 400, and gives up after maxAttempts on a dead endpoint', async () => {
    const { url, received } = await receiver([400]);
    const { db } = centerDb();
    const sender = createWebhookSender({ url, db, logger: silent, baseDelayMs: 5 });
    sender.send(alert, 'raised');
    await sender.drain();
    expect(received).toHaveLength(1);
    expect(received[0]!.headers[SIGNATURE_HEADER]).toBeUndefined(); // no secret → unsigned

    expect(sender.pending()).toBe(0); // rejected for good: out of the outbox

    const dead = createWebhookSender({ url: 'http://127.0.0.1:9/unreachable', db, logger: silent, maxAttempts: 3, baseDelayMs: 5, timeoutMs: 500 });
    dead.send(alert, 'raised');
    await dead.drain(); // returns: with maxAttempts the delivery is abandoned, not retried forever
    expect(dead.pending()).toBe(0);
    await dead.close();
    await sender.close();
  });

  it('keeps pending deliveries across a restart, with their attempt counts and backoff, and delivers each once, in order, signed', async () => {
    const port = await downPort();
    const url = `http://127.0.0.1:${port}/hooks/cityops`;
    const { db, dir } = centerDb();
    const first = createWebhookSender({ url, secret: 's3cret', db, logger: silent, baseDelayMs: 50, maxDelayMs: 200, timeoutMs: 500 });
    const b = { ...alert, id: 'flood-depth.fl-02.1757919700000', subject: { kind: 'sensor' as const, id: 'fl-02' } };
    const changes: Array<[Alert, string]> = [
      [alert, 'raised'],
      [b, 'raised'],
      [{ ...alert, state: 'acknowledged', acknowledgedBy: 'thu', updatedAt: at(5) }, 'acknowledged'],
      [{ ...b, severity: 'critical', value: 55, updatedAt: at(6) }, 'updated'],
      [{ ...alert, state: 'resolved', resolvedAt: at(30), updatedAt: at(30) }, 'resolved'],
    ];
    // As the alert service does: the outbox row is written inside the alert change's transaction.
    db.transaction(() => changes.forEach(([a, c]) => first.enqueue(a, c)))();
    first.notify();
    const outbox = () => db.prepare<[], { delivery_id: string; attempts: number; next_attempt_at: number; last_error: string | null }>(
      `SELECT delivery_id, attempts, next_attempt_at, last_error FROM ${OUTBOX_TABLE} ORDER BY seq`).all();
    await expect.poll(() => outbox()[0]?.attempts ?? 0, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    await first.close(); // the center stops while the endpoint is down
    db.close();

    // The process restarts: a new database handle on the same file, a new sender.
    const reopened = centerDb(dir).db;
    const kept = reopened.prepare<[], { delivery_id: string; attempts: number; next_attempt_at: number; last_error: string | null }>(
      `SELECT delivery_id, attempts, next_attempt_at, last_error FROM ${OUTBOX_TABLE} ORDER BY seq`).all();
    expect(kept).toHaveLength(5);
    expect(kept[0]!.attempts).toBeGreaterThanOrEqual(2); // the head kept its attempt count…
    expect(kept[0]!.next_attempt_at).toBeGreaterThan(0); // …and the time of its next try
    expect(kept[0]!.last_error).toBeTruthy();
    expect(kept.slice(1).every((r) => r.attempts === 0)).toBe(true); // the rest waited their turn, in order

    const { received } = await receiver([], port); // the endpoint comes back on the same address
    const metrics = new Registry();
    const second = createWebhookSender({ url, secret: 's3cret', db: reopened, logger: silent, metrics, baseDelayMs: 50, maxDelayMs: 200, timeoutMs: 500 });
    second.notify(); // what startCenter does once it listens
    await expect.poll(() => second.pending(), { timeout: 5000 }).toBe(0);
    await second.close();

    expect(received.map((r) => r.headers['x-cityops-delivery'])).toEqual(kept.map((r) => r.delivery_id)); // each once, in commit order
    expect(received.map((r) => JSON.parse(r.body) as { change: string; alert: Alert })).toEqual(changes.map(([a, c]) => ({ change: c, alert: a })));
    for (const r of received) {
      expect(verifyWebhook('s3cret', String(r.headers[TIMESTAMP_HEADER]), r.body, String(r.headers[SIGNATURE_HEADER]))).toBe(true);
    }
    expect(await metrics.getSingleMetricAsString('cityops_alert_webhook_deliveries_total')).toMatch(/outcome="delivered"} 5/);
  });

  it('is bounded: past maxPending the oldest waiting deliveries are dropped (logged, counted), never the one in flight', async () => {
    const port = await downPort();
    const { db } = centerDb();
    const metrics = new Registry();
    const logged: Array<{ dropped?: number; msg?: string }> = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line) as { dropped?: number; msg?: string }) });
    const sender = createWebhookSender({ url: `http://127.0.0.1:${port}/hooks`, db, logger, metrics, maxPending: 3, baseDelayMs: 10_000, timeoutMs: 500 });
    for (let i = 0; i < 7; i++) sender.send({ ...alert, value: 30 + i, updatedAt: at(i) }, i === 0 ? 'raised' : 'updated');
    expect(sender.pending()).toBe(3);
    const left = db.prepare<[], { body: string }>(`SELECT body FROM ${OUTBOX_TABLE} ORDER BY seq`).all().map((r) => (JSON.parse(r.body) as { alert: Alert }).alert.value);
    expect(left).toEqual([30, 35, 36]); // the head (first change, possibly in flight) and the newest
    expect(await metrics.getSingleMetricAsString('cityops_alert_webhook_deliveries_total')).toMatch(/outcome="dropped"} 4/);
    expect(await metrics.getSingleMetricAsString('cityops_alert_webhook_pending')).toMatch(/cityops_alert_webhook_pending 3/);
    expect(logged.filter((l) => l.msg?.includes('outbox full')).reduce((n, l) => n + (l.dropped ?? 0), 0)).toBe(4);
    await sender.close();
  });
});
