import { describe, it, expect, afterEach } from 'vitest';
import { mkdtemp, readdir, rm, stat, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Reading } from '@cityops/contracts';
import { openSpool, type Spool } from './spool.ts';
import { createSpoolMetrics } from './spool-metrics.ts';
import { backoffDelay } from './backoff.ts';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
const spools: Spool[] = [];
afterEach(async () => {
  for (const s of spools.splice(0)) s.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const r = (i: number): Reading => ({ sensorId: `fl-${i % 7}`, domain: 'flood', ts: 1_800_000_000_000 + i, receivedAt: 1, fields: { waterLevelCm: i } });
const batch = (from: number, n: number): Reading[] => Array.from({ length: n }, (_, k) => r(from + k));

async function open(opts: { maxBytes?: number; segmentBytes?: number; dir?: string; registry?: Registry } = {}) {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'cityops-spool-')));
  if (!opts.dir) dirs.push(dir);
  const registry = opts.registry ?? new Registry();
  const spool = openSpool({ dir, maxBytes: opts.maxBytes ?? 10_000_000, ...(opts.segmentBytes ? { segmentBytes: opts.segmentBytes } : {}), logger, metrics: createSpoolMetrics(registry) });
  spools.push(spool);
  return { dir, spool, registry };
}

function drainAll(spool: Spool, per = 50): Reading[] {
  const out: Reading[] = [];
  for (let b = spool.peek(per); b; b = spool.peek(per)) {
    out.push(...b.readings);
    spool.ack(b.end);
  }
  return out;
}

describe('spool (write-ahead log)', () => {
  it('gives batches back in append order, across segment files, and deletes drained segments', async () => {
    const { dir, spool } = await open({ segmentBytes: 2000 });
    for (let i = 0; i < 40; i++) spool.append(batch(i * 10, 10));
    expect((await readdir(dir)).filter((f) => f.endsWith('.wal')).length).toBeGreaterThan(5);
    expect(spool.isEmpty()).toBe(false);
    const peeked = spool.peek(25)!;
    expect(peeked.readings.map((x) => x.fields.waterLevelCm)).toEqual(batch(0, 30).map((x) => x.fields.waterLevelCm));
    expect(spool.peek(25)!.readings[0]).toEqual(r(0)); // peek does not consume
    const all = drainAll(spool);
    expect(all).toEqual(batch(0, 400));
    expect(spool.isEmpty()).toBe(true);
    expect(spool.bytes()).toBe(0);
    expect((await readdir(dir)).filter((f) => f.endsWith('.wal'))).toHaveLength(1);
  });

  it('keeps unacknowledged records and the drain position across a reopen', async () => {
    const first = await open({ segmentBytes: 3000 });
    for (let i = 0; i < 10; i++) first.spool.append(batch(i * 10, 10));
    const b = first.spool.peek(30)!;
    first.spool.ack(b.end);
    const bytes = first.spool.bytes();
    first.spool.close();
    const again = await open({ dir: first.dir, segmentBytes: 3000 });
    expect(again.spool.bytes()).toBe(bytes);
    expect(drainAll(again.spool)).toEqual(batch(30, 70));
  });

  it('cuts a torn record at the tail (a crash mid-append) and keeps the whole ones', async () => {
    const first = await open();
    first.spool.append(batch(0, 5));
    first.spool.append(batch(5, 5));
    first.spool.close();
    const wal = (await readdir(first.dir)).find((f) => f.endsWith('.wal'))!;
    const before = (await stat(join(first.dir, wal))).size;
    // A header promising 1000 bytes followed by only a few: what kill -9 during write() leaves.
    const torn = Buffer.alloc(20);
    torn.writeUInt32LE(1000, 0);
    await appendFile(join(first.dir, wal), torn);
    const again = await open({ dir: first.dir });
    expect((await stat(join(first.dir, wal))).size).toBe(before);
    again.spool.append(batch(10, 1));
    expect(drainAll(again.spool)).toEqual(batch(0, 11));
  });

  it('refuses an append past maxBytes with CITYOPS_INGEST_SPOOL_FULL, counts it, and accepts again once drained', async () => {
    const registry = new Registry();
    const { spool } = await open({ maxBytes: 4000, registry });
    let appended = 0;
    let refused: unknown;
    for (let i = 0; i < 100 && !refused; i++) {
      try {
        spool.append(batch(i * 10, 10));
        appended += 10;
      } catch (err) {
        refused = err;
      }
    }
    expect(refused).toMatchObject({ code: 'CITYOPS_INGEST_SPOOL_FULL' });
    expect(spool.bytes()).toBeLessThanOrEqual(4000);
    const text = await registry.metrics();
    expect(text).toMatch(/cityops_ingest_spool_readings_total\{op="refused_full"\} 10/);
    expect(text).toMatch(new RegExp(`cityops_ingest_spool_bytes ${spool.bytes()}`));
    expect(text).toMatch(/cityops_ingest_spool_capacity_bytes 4000/);
    expect(drainAll(spool)).toHaveLength(appended);
    spool.append(batch(0, 10));
    expect(spool.bytes()).toBeGreaterThan(0);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, with jitter in [d/2, d]', () => {
    expect(backoffDelay(1, 100, 1000, () => 1)).toBe(100);
    expect(backoffDelay(1, 100, 1000, () => 0)).toBe(50);
    expect(backoffDelay(3, 100, 1000, () => 1)).toBe(400);
    expect(backoffDelay(20, 100, 1000, () => 1)).toBe(1000);
    expect(backoffDelay(20, 100, 1000, () => 0)).toBe(500);
  });
});
