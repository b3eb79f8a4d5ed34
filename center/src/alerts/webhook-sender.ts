import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { Alert } from '@cityops/contracts';
import { Counter, type Registry } from 'prom-client';

export interface WebhookSenderOptions {
  url: string;
  /** Shared secret for the HMAC-SHA256 signature; unsigned when absent. */
  secret?: string;
  logger: Logger;
  metrics?: Registry;
  /** Attempts per delivery including the first. Default 6. */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt up to maxDelayMs. Defaults 500 ms / 30 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  /** Deliveries waiting beyond this are dropped oldest first (logged, counted). Default 10,000. */
  maxQueue?: number;
}

export interface WebhookSender {
  send(alert: Alert, change: string): void;
  /** Resolves when the queue is empty (tests, orderly shutdown). */
  drain(): Promise<void>;
  close(): void;
}

export const SIGNATURE_HEADER = 'x-cityops-signature';
export const TIMESTAMP_HEADER = 'x-cityops-timestamp';

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

interface Delivery {
  id: string;
  body: string;
  event: string;
}

const retryable = (status: number): boolean => status >= 500 || status === 429 || status === 408;

/**
 * Alert changes to an HTTP endpoint, one at a time in order (a receiver sees
 * "resolved" after "raised"), each retried with exponential backoff and
 * jitter on network errors, timeouts, 408/429 and 5xx; other 4xx answers are
 * final (the receiver rejected it; retrying would not help).
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const { url, secret, logger } = options;
  const maxAttempts = options.maxAttempts ?? 6;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxQueue = options.maxQueue ?? 10_000;
  const counter =
    options.metrics &&
    new Counter({ name: 'cityops_alert_webhook_deliveries_total', help: 'Alert webhook deliveries by outcome', labelNames: ['outcome'], registers: [options.metrics] });
  const queue: Delivery[] = [];
  let running: Promise<void> | null = null;
  let closed = false;
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

  async function attempt(d: Delivery): Promise<'ok' | 'retry' | 'final'> {
    const timestamp = String(Date.now());
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'cityops-webhook/1',
      'x-cityops-event': d.event,
      'x-cityops-delivery': d.id,
      [TIMESTAMP_HEADER]: timestamp,
    };
    if (secret) headers[SIGNATURE_HEADER] = signWebhook(secret, timestamp, d.body);
    try {
      const res = await fetch(url, { method: 'POST', headers, body: d.body, signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return 'ok';
      logger.warn({ url, status: res.status, delivery: d.id }, 'alert webhook answered with an error');
      return retryable(res.status) ? 'retry' : 'final';
    } catch (error) {
      logger.warn({ err: error, url, delivery: d.id }, 'alert webhook request failed');
      return 'retry';
    }
  }

  async function run(): Promise<void> {
    while (queue.length > 0 && !closed) {
      const d = queue[0]!;
      let outcome: 'ok' | 'retry' | 'final' = 'retry';
      for (let n = 1; n <= maxAttempts && !closed; n++) {
        outcome = await attempt(d);
        if (outcome !== 'retry') break;
        if (n < maxAttempts) {
          const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1));
          await sleep(backoff / 2 + Math.random() * (backoff / 2)); // jitter: many centers must not retry in lockstep
        }
      }
      queue.shift();
      const label = outcome === 'ok' ? 'delivered' : outcome === 'final' ? 'rejected' : 'failed';
      counter?.inc({ outcome: label });
      if (outcome !== 'ok') logger.error({ url, delivery: d.id, outcome: label }, 'alert webhook delivery given up');
    }
    running = null;
  }

  return {
    send(alert, change) {
      if (closed) return;
      queue.push({ id: `${alert.id}:${change}:${alert.updatedAt}`, event: `alert.${change}`, body: JSON.stringify({ change, alert }) });
      if (queue.length > maxQueue) {
        const dropped = queue.splice(1, 1)[0]; // never the one in flight
        counter?.inc({ outcome: 'dropped' });
        logger.error({ delivery: dropped?.id }, 'alert webhook queue full; dropped the oldest waiting delivery');
      }
      running ??= run();
    },
    async drain() {
      while (running) await running;
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      wake?.();
    },
  };
}
