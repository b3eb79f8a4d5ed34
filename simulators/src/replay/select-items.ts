import type { ReplayItem } from './replay-item.ts';

export interface Selection {
  /** Inclusive, epoch ms (event time). */
  from?: number;
  /** Exclusive, epoch ms (event time). */
  to?: number;
  /** Only messages that speak for one of these sensors (or come from these gateways). */
  sensors?: ReadonlySet<string>;
}

/**
 * Window, subset, then a stable sort by event time: messages of one sensor keep
 * their event-time order (and equal times keep recording order), which is what
 * the rules' time windows depend on.
 */
export function selectItems(items: Iterable<ReplayItem>, selection: Selection = {}): ReplayItem[] {
  const out: ReplayItem[] = [];
  for (const item of items) {
    if (selection.from !== undefined && item.eventTime < selection.from) continue;
    if (selection.to !== undefined && item.eventTime >= selection.to) continue;
    if (selection.sensors && !selection.sensors.has(item.deviceId) && !item.sensorIds.some((id) => selection.sensors?.has(id))) continue;
    out.push(item);
  }
  // Array.prototype.sort is stable (ES2019)
  return out.sort((a, b) => a.eventTime - b.eventTime);
}

/**
 * `--from/--to` values: ISO-8601; without an offset the time is HCMC local
 * (UTC+7), which is how the datasets and operators speak about time.
 */
export function parseWindowTime(value: string): number | null {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed);
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(trimmed);
  const iso = dateOnly ? `${trimmed}T00:00:00+07:00` : hasOffset ? trimmed : `${trimmed.replace(' ', 'T')}+07:00`;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}
