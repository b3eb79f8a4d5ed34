import type { Alert } from '@cityops/contracts';
import { describe, expect, it } from 'vitest';
import { OpenAlerts } from './alert-list.ts';

const alert = (id: string, severity: Alert['severity'], raisedAt: string, extra: Partial<Alert> = {}): Alert => ({
  id,
  ruleId: 'r',
  domain: 'flood',
  severity,
  state: 'active',
  subject: { kind: 'sensor', id: 's' },
  location: [106.7, 10.78],
  district: 'Quận 1',
  raisedAt,
  updatedAt: raisedAt,
  value: 1,
  message: { vi: 'v', en: 'e' },
  ...extra,
});

describe('OpenAlerts', () => {
  it('orders by severity then newest, upserts by id and drops resolved alerts', () => {
    const list = new OpenAlerts();
    list.replace([
      alert('a', 'minor', '2026-11-24T01:00:00Z'),
      alert('b', 'critical', '2026-11-24T00:00:00Z'),
      alert('c', 'minor', '2026-11-24T02:00:00Z'),
    ]);
    expect(list.ordered().map((a) => a.id)).toEqual(['b', 'c', 'a']);
    list.upsert(alert('a', 'critical', '2026-11-24T01:00:00Z', { updatedAt: '2026-11-24T03:00:00Z' }));
    expect(list.ordered().map((a) => a.id)).toEqual(['a', 'b', 'c']);
    list.upsert(alert('b', 'critical', '2026-11-24T00:00:00Z', { state: 'resolved', updatedAt: '2026-11-24T04:00:00Z' }));
    expect(list.ordered().map((a) => a.id)).toEqual(['a', 'c']);
  });

  it('keeps the newer version when events arrive out of order', () => {
    const list = new OpenAlerts();
    list.upsert(alert('a', 'major', '2026-11-24T01:00:00Z', { state: 'acknowledged', updatedAt: '2026-11-24T02:00:00Z', acknowledgedBy: 'op1' }));
    list.upsert(alert('a', 'major', '2026-11-24T01:00:00Z'));
    expect(list.get('a')?.state).toBe('acknowledged');
  });
});
