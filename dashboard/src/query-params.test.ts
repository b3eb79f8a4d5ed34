import { describe, expect, it } from 'vitest';
import type { DashboardError } from './errors.ts';
import { parseAlertStates, parseEvery, parseHistoryWindow, parseInstant } from './query-params.ts';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as DashboardError).code;
  }
  return undefined;
};

describe('query parameters', () => {
  it('parses instants as ISO-8601 or epoch ms', () => {
    expect(parseInstant('2026-11-24T09:00:00+07:00', 'from')).toBe(Date.UTC(2026, 10, 24, 2));
    expect(parseInstant('1790000000000', 'from')).toBe(1_790_000_000_000);
    expect(codeOf(() => parseInstant('yesterday', 'from'))).toBe('CITYOPS_DASHBOARD_BAD_QUERY');
  });

  it('parses bucket widths', () => {
    expect(parseEvery('1m')).toBe(60_000);
    expect(parseEvery('5m')).toBe(300_000);
    expect(parseEvery('1h')).toBe(3_600_000);
    expect(parseEvery('30s')).toBe(30_000);
    expect(parseEvery('90000')).toBe(90_000);
    for (const bad of ['0', '5x', '-1m', '10ms', '', 'm']) {
      expect(codeOf(() => parseEvery(bad))).toBe('CITYOPS_DASHBOARD_BAD_QUERY');
    }
  });

  it('defaults the history window to the last 24 h and bounds it', () => {
    const now = 1_790_000_000_000;
    expect(parseHistoryWindow({}, now)).toEqual({ from: now - 86_400_000, to: now });
    expect(parseHistoryWindow({ every: '1h' }, now)).toEqual({ from: now - 86_400_000, to: now, everyMs: 3_600_000 });
    expect(codeOf(() => parseHistoryWindow({ from: String(now), to: String(now - 1) }, now))).toBe('CITYOPS_DASHBOARD_BAD_QUERY');
    expect(codeOf(() => parseHistoryWindow({ from: '0', to: String(now) }, now))).toBe('CITYOPS_DASHBOARD_BAD_QUERY');
    expect(codeOf(() => parseHistoryWindow({ every: '1s', from: String(now - 86_400_000 * 30) }, now))).toBe('CITYOPS_DASHBOARD_BAD_QUERY');
  });

  it('parses alert state lists', () => {
    expect(parseAlertStates('active,acknowledged')).toEqual(['active', 'acknowledged']);
    expect(parseAlertStates(' resolved ')).toEqual(['resolved']);
    expect(codeOf(() => parseAlertStates('active,open'))).toBe('CITYOPS_DASHBOARD_BAD_QUERY');
    expect(codeOf(() => parseAlertStates(','))).toBe('CITYOPS_DASHBOARD_BAD_QUERY');
  });
});
