import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Database } from '@cityops/sqlite';
import type { Logger } from 'pino';
import type { Alert } from '@cityops/contracts';
import { Counter, Gauge, type Registry } from 'prom-client';

export interface WebhookSenderOptions {
  url: string;
  /** Shared secret for the HMAC-SHA256 signature; unsigned when absent. */
  secret?: string;
  /** The center database: pending deliveries live in `center_webhook_outbox` and survive a restart. */
  db: Database;
  logger: Logger;
  metrics?: Registry;
  /** Attempts per delivery including the first; unset → retried until delivered (the outbox cap bounds the wait). */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt up to maxDelayMs. Defaults 500 ms / 30 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  /** Pending deliveries kept; beyond it the oldest waiting ones are dropped (logged, counted). Default 10,000. */
  maxPending?: number;
  clock?: () => number;
}

export interface WebhookSender {
  /**
   * Writes the delivery to the outbox, synchronously. Call it inside the
   * transaction that commits the alert change: both are kept, or neither.
   */
  enqueue(alert: Alert, change: string): void;
  /** Starts delivering what the outbox holds (after a commit; also at start). */
  notify(): void;
  /** enqueue + notify, for callers without a transaction of their own. */
  send(alert: Alert, change: string): void;
  /** Deliveries waiting in the outbox. */
  pending(): number;
  /** Resolves when the outbox is empty or the sender closed (tests, orderly shutdown). */
  drain(): Promise<void>;
  /** Stops sending (aborts a request in flight; it stays in the outbox) and resolves once the loop has stopped. */
  close(): Promise<void>;
}

export const SIGNATURE_HEADER = 'x-cityops-signature';
export const TIMESTAMP_HEADER = 'x-cityops-timestamp';
export const OUTBOX_TABLE = 'center_webhook_outbox';

/** `sha256=<hex>` over `${timestamp}.${body}`: the timestamp is signed so a captured request cannot be replayed later unnoticed. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers (and tests): constant-time check of a signature header. */
export function verifyWebhook(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

interface OutboxRow {
  seq: number;
  delivery_id: string;
  event: string;
  body: string;
  attempts: number;
  next_attempt_at: number;
}

const retryable = (status: number): boolean => status >= 500 || status === 429 || status === 408;

/**
 * Alert changes to an HTTP endpoint through a durable outbox.
 *
 * Each change is a row of `center_webhook_outbox`, written in the alert
 * change's own transaction, and leaves the table only once the endpoint
 * accepted it (2xx), refused it for good (4xx other than 408/429), it ran out
 * of `maxAttempts`, or the cap dropped it. Rows are sent one at a time in
 * commit order (a receiver sees "resolved" after "raised"), so delivery is at
 * least once and in order; a restart resumes the head row with its attempt
 * count and backoff. Retries back off exponentially with jitter on network
 * errors, timeouts, 408/429 and 5xx. `X-CityOps-Delivery` is stable across
 * retries and restarts so receivers can de-duplicate.
 *
 * Bounded: an endpoint that stays down would otherwise grow the table
 * forever, so at most `maxPending` rows are kept; past it the oldest waiting
 * rows (never the one in flight) are deleted, logged with their count and
 * counted as `outcome="dropped"`.
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const { url, secret, logger, db } = options;
  const maxAttempts = options.maxAttempts ?? Infinity;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxPending = options.maxPending ?? 10_000;
  const clock = options.clock ?? Date.now;

  db.exec(`
    CREATE TABLE IF NOT EXISTS ${OUTBOX_TABLE} (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      delivery_id TEXT NOT NULL,
      alert_id TEXT NOT NULL,
      event TEXT NOT NULL,
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      last_error TEXT
    );
  `);
  const insert = db.prepare(`INSERT INTO ${OUTBOX_TABLE} (delivery_id, alert_id, event, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)`);
  const count = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${OUTBOX_TABLE}`);
  const head = db.prepare<[], OutboxRow>(`SELECT seq, delivery_id, event, body, attempts, next_attempt_at FROM ${OUTBOX_TABLE} ORDER BY seq LIMIT 1`);
  const remove = db.prepare(`DELETE FROM ${OUTBOX_TABLE} WHERE seq = ?`);
  const reschedule = db.prepare(`UPDATE ${OUTBOX_TABLE} SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE seq = ?`);
  // The oldest rows past the cap, sparing the head (it may be in flight).
  const dropOldest = db.prepare(`DELETE FROM ${OUTBOX_TABLE} WHERE seq IN (
      SELECT seq FROM ${OUTBOX_TABLE} WHERE seq > (SELECT min(seq) FROM ${OUTBOX_TABLE}) ORDER BY seq LIMIT ?)`);

  const counter =
    options.metrics &&
    new Counter({ name: 'cityops_alert_webhook_deliveries_total', help: 'Alert webhook deliveries by outcome', labelNames: ['outcome'], registers: [options.metrics] });
  if (options.metrics) {
    new Gauge({
      name: 'cityops_alert_webhook_pending',
      help: 'Alert webhook deliveries waiting in the outbox',
      registers: [options.metrics],
      collect() {
        if (db.open) this.set(count.get()!.n);
      },
    });
  }

  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;
  const abort = new AbortController();
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    }).finally(() => {
      wake = null;
      timer = undefined;
    });

  async function attempt(d: OutboxRow): Promise<{ outcome: 'ok' | 'retry' | 'final'; error?: string }> {
    const timestamp = String(clock());
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'cityops-webhook/1',
      'x-cityops-event': d.event,
      'x-cityops-delivery': d.delivery_id,
      [TIMESTAMP_HEADER]: timestamp,
    };
    if (secret) headers[SIGNATURE_HEADER] = signWebhook(secret, timestamp, d.body);
    try {
      const res = await fetch(url, { method: 'POST', headers, body: d.body, signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), abort.signal]) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { outcome: 'ok' };
      logger.warn({ url, status: res.status, delivery: d.delivery_id }, 'alert webhook answered with an error');
      return { outcome: retryable(res.status) ? 'retry' : 'final', error: `HTTP ${res.status}` };
    } catch (error) {
      if (!closed) logger.warn({ err: error, url, delivery: d.delivery_id }, 'alert webhook request failed');
      return { outcome: 'retry', error: error instanceof Error ? error.message : String(error) };
    }
  }

  async function run(): Promise<void> {
    try {
      while (!closed && db.open) {
        const d = head.get();
        if (!d) break;
        const wait = d.next_attempt_at - clock();
        if (wait > 0) {
          // Capped: a clock set back must not park the queue for longer than one backoff step.
          await sleep(Math.min(wait, maxDelayMs));
          if (wait > maxDelayMs && !closed && db.open) reschedule.run(d.attempts, clock(), null, d.seq);
          continue;
        }
        const { outcome, error } = await attempt(d);
        if (closed || !db.open) break; // the row stays; the next start sends it again (at least once)
        const attempts = d.attempts + 1;
        if (outcome === 'retry' && attempts < maxAttempts) {
          const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempts - 1));
          // Jitter: many centers must not retry in lockstep. Kept in the row, so a restart keeps the backoff.
          reschedule.run(attempts, clock() + backoff / 2 + Math.random() * (backoff / 2), error ?? null, d.seq);
          continue;
        }
        remove.run(d.seq);
        const label = outcome === 'ok' ? 'delivered' : outcome === 'final' ? 'rejected' : 'failed';
        counter?.inc({ outcome: label });
        if (outcome !== 'ok') logger.error({ url, delivery: d.delivery_id, outcome: label, attempts, error }, 'alert webhook delivery given up');
      }
    } catch (error) {
      logger.error({ err: error }, 'alert webhook sender stopped');
    }
  }

  const sender: WebhookSender = {
    enqueue(alert, change) {
      const now = clock();
      insert.run(`${alert.id}:${change}:${alert.updatedAt}`, alert.id, `alert.${change}`, JSON.stringify({ change, alert }), now, now);
      const excess = count.get()!.n - maxPending;
      if (excess > 0) {
        dropOldest.run(excess);
        counter?.inc({ outcome: 'dropped' }, excess);
        logger.error({ dropped: excess, maxPending, url }, 'alert webhook outbox full; dropped the oldest waiting deliveries');
      }
    },
    notify() {
      if (closed) return;
      // A new row never shortens the head's backoff (the head goes first, in order); the loop
      // only needs to look again if it is on its way out.
      if (running) {
        again = true;
        return;
      }
      again = false;
      running = run().finally(() => {
        running = null;
        if (again) sender.notify();
      });
    },
    send(alert, change) {
      if (closed) return;
      sender.enqueue(alert, change);
      sender.notify();
    },
    pending: () => (db.open ? count.get()!.n : 0),
    async drain() {
      while (running) await running;
    },
    async close() {
      closed = true;
      abort.abort();
      if (timer) clearTimeout(timer);
      wake?.();
      while (running) await running;
    },
  };
  return sender;
}
