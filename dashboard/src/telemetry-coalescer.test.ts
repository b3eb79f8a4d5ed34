import type { Reading } from '@cityops/contracts';
import { describe, expect, it } from 'vitest';
import { createTelemetryCoalescer } from './telemetry-coalescer.ts';

const reading = (sensorId: string, ts: number, speedKmh: number): Reading => ({
  sensorId,
  domain: 'traffic',
  ts,
  receivedAt: ts,
  fields: { speedKmh },
});

describe('createTelemetryCoalescer', () => {
  it('keeps the newest reading per sensor and sends one batch per window', async () => {
    const batches: Reading[][] = [];
    const coalescer = createTelemetryCoalescer((b) => batches.push(b), 20);
    for (let i = 0; i < 10; i++) coalescer.add(reading('a', 1000 + i, i));
    coalescer.add(reading('b', 1000, 50));
    coalescer.add(reading('a', 500, 99)); // late backfill must not win
    expect(coalescer.pending()).toBe(2);
    await new Promise((r) => setTimeout(r, 60));
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual([reading('a', 1009, 9), reading('b', 1000, 50)]);
    // Nothing pending: no empty batches.
    await new Promise((r) => setTimeout(r, 60));
    expect(batches).toHaveLength(1);
    coalescer.close();
  });

  it('drops pending readings on close', async () => {
    const batches: Reading[][] = [];
    const coalescer = createTelemetryCoalescer((b) => batches.push(b), 10);
    coalescer.add(reading('a', 1, 1));
    coalescer.close();
    coalescer.add(reading('a', 2, 2));
    await new Promise((r) => setTimeout(r, 40));
    expect(batches).toEqual([]);
  });
});
