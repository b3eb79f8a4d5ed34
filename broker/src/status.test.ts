import { describe, expect, it } from 'vitest';
import { parseStatus } from './status.ts';

const parse = (body: string, source: 'status' | 'will' = 'status') => parseStatus('air', 'air-001', Buffer.from(body), source, 1_000);

describe('parseStatus', () => {
  it('reads online and the timestamp in either contract form', () => {
    expect(parse('{"online":true,"ts":1700000000000}')).toEqual({
      ok: true,
      event: { domain: 'air', sensorId: 'air-001', online: true, ts: 1_700_000_000_000, source: 'status' },
    });
    expect(parse('{"online":false,"ts":"2026-03-01T08:00:00+07:00"}')).toMatchObject({
      event: { online: false, ts: Date.parse('2026-03-01T01:00:00Z') },
    });
  });

  it('falls back to the receive time when ts is absent or unreadable', () => {
    expect(parse('{"online":false}', 'will')).toMatchObject({ ok: true, event: { ts: 1_000, source: 'will' } });
    expect(parse('{"online":false,"ts":"not a date at all"}')).toMatchObject({ ok: true, event: { ts: 1_000 } });
  });

  it('rejects non-JSON and schema mismatches', () => {
    expect(parse('online')).toMatchObject({ ok: false });
    expect(parse('{"online":"yes"}')).toMatchObject({ ok: false });
    expect(parse('{}')).toMatchObject({ ok: false });
    expect(parse('[true]')).toMatchObject({ ok: false });
  });
});
