import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Alert } from '@cityops/contracts';
import { createWebhookSender, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from './webhook-sender.ts';

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
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A real HTTP receiver on a free loopback port answering with the given statuses in turn (then 200). */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[] }> {
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
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/hooks/cityops`, received };
}

describe('alert webhooks', () => {
  it('POSTs the change signed with HMAC-SHA256, retrying 503s with backoff until delivered', async () => {
    const { url, received } = await receiver([503, 503]);
    const metrics = new Registry();
    const sender = createWebhookSender({ url, secret: 's3cret', logger: pino({ level: 'silent' }), metrics, baseDelayMs: 20, maxDelayMs: 100 });
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
    sender.close();
  });

  it('does not retry a 400, and gives up after maxAttempts on a dead endpoint', async () => {
    const { url, received } = await receiver([400]);
    const sender = createWebhookSender({ url, logger: pino({ level: 'silent' }), baseDelayMs: 5 });
    sender.send(alert, 'raised');
    await sender.drain();
    expect(received).toHaveLength(1);
    expect(received[0]!.headers[SIGNATURE_HEADER]).toBeUndefined(); // no secret → unsigned

    const dead = createWebhookSender({ url: 'http://127.0.0.1:9/unreachable', logger: pino({ level: 'silent' }), maxAttempts: 3, baseDelayMs: 5, timeoutMs: 500 });
    dead.send(alert, 'raised');
    await dead.drain(); // returns: the delivery is abandoned, not retried forever
    dead.close();
    sender.close();
  });
});
