import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '@cityops/contracts';
import { openCenterDatabase } from '../database.ts';
import { removeDir, startTestCenter, waitFor, type TestCenter } from '../test-support/harness.ts';
import { OUTBOX_TABLE, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from './webhook-sender.ts';

const SECRET = 'outbox-secret';

/**
 * "Alerts are never lost across a restart", webhooks included: a real center
 * raises and acknowledges alerts while the receiving endpoint is down, is
 * stopped with the deliveries pending, starts again on the same data dir, and
 * once the endpoint (a real node:http server) comes up every change arrives,
 * once, in order, with a valid signature.
 */
describe('webhook outbox across a center restart', () => {
  let t: TestCenter | undefined;
  let hook: Server | undefined;
  const dataDirs: string[] = [];

  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => (hook?.listening ? hook.close(() => resolve()) : resolve()));
    for (const dir of dataDirs) removeDir(dir);
  });

  it('delivers the changes pending at shutdown after the restart, once each, in order, signed', async () => {
    // A port with nothing on it: the endpoint is down.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const webhookUrl = `http://127.0.0.1:${port}/hook`;

    t = await startTestCenter({ webhookUrl, webhookSecret: SECRET });
    dataDirs.push(t.dataDir);
    const now = Date.now();
    const flood = (sensorId: string, cm: number, ts: number) =>
      t!.center.alerts.evaluate({ sensorId, domain: 'flood', ts, receivedAt: ts, fields: { waterLevelCm: cm } });
    for (let i = 0; i < 60; i++) {
      flood('flood-001', 35, now - 100_000 + i * 1000);
      flood('flood-002', 60, now - 100_000 + i * 1000);
    }
    const open = t.center.alerts.list({}).filter((a) => a.ruleId === 'flood-depth');
    expect(open.map((a) => a.subject.id).sort()).toEqual(['flood-001', 'flood-002']);
    const first = open.find((a) => a.subject.id === 'flood-001')!;
    t.center.alerts.acknowledge(first.id, 'thu', 'đã báo đội bơm');

    // Everything the center committed is in the outbox, and the head has been tried against the dead endpoint.
    const peek = openCenterDatabase(t.dataDir);
    const rows = () =>
      peek.prepare<[], { delivery_id: string; event: string; attempts: number }>(`SELECT delivery_id, event, attempts FROM ${OUTBOX_TABLE} ORDER BY seq`).all();
    await waitFor(() => ((rows()[0]?.attempts ?? 0) >= 1 ? true : undefined), 10_000, 'a failed attempt');
    const pending = rows();
    expect(pending.map((r) => r.event)).toEqual(['alert.raised', 'alert.raised', 'alert.acknowledged']);

    // Stop the center with the deliveries pending; start it again on the same data dir, endpoint still down.
    const dataDir = t.dataDir;
    await t.close();
    t = await startTestCenter({ webhookUrl, webhookSecret: SECRET }, {}, dataDir);
    await new Promise((r) => setTimeout(r, 300));
    expect(rows().map((r) => r.delivery_id)).toEqual(pending.map((r) => r.delivery_id)); // nothing lost, nothing re-ordered

    // The endpoint comes up on the same address.
    const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.end();
      });
    });
    await new Promise<void>((resolve) => hook!.listen(port, '127.0.0.1', resolve));
    // The head's backoff survived the restart: at most 30 s (the cap), in practice a few seconds here.
    await waitFor(() => (rows().length === 0 ? true : undefined), 40_000, 'the outbox to empty');
    peek.close();

    expect(received.map((r) => r.headers['x-cityops-delivery'])).toEqual(pending.map((r) => r.delivery_id));
    const bodies = received.map((r) => JSON.parse(r.body) as { change: string; alert: Alert });
    expect(bodies.map((b) => [b.change, b.alert.subject.id])).toEqual([
      ['raised', 'flood-001'],
      ['raised', 'flood-002'],
      ['acknowledged', 'flood-001'],
    ]);
    expect(bodies[2]!.alert).toMatchObject({ id: first.id, state: 'acknowledged', acknowledgedBy: 'thu' });
    for (const r of received) {
      expect(verifyWebhook(SECRET, String(r.headers[TIMESTAMP_HEADER]), r.body, String(r.headers[SIGNATURE_HEADER]))).toBe(true);
    }
  }, 60_000);
});
