import type { LiveSensorFeature } from '@cityops/contracts';
import { fetchHistory, fetchRules } from './api.ts';
import { readAqi } from './aqi-view.ts';
import { h } from './dom.ts';
import { formatTime, formatValue, shownFields, unitOf } from './format.ts';
import { language, onLanguageChange, t, tryT } from './i18n.ts';
import { createSensorChart, type SensorChart } from './sensor-chart.ts';
import { CHART_FIELD, ruleList, thresholdLines } from './thresholds.ts';

const HOUR = 3_600_000;
/** Range buttons: the window and the bucket the server averages over (≤ ~300 points each). */
export const RANGES = [
  { key: '6h', ms: 6 * HOUR, everyMs: 60_000 },
  { key: '24h', ms: 24 * HOUR, everyMs: 5 * 60_000 },
  { key: '7d', ms: 7 * 24 * HOUR, everyMs: HOUR },
] as const;
type RangeKey = (typeof RANGES)[number]['key'];

export interface SensorPanel {
  readonly element: HTMLElement;
  open(sensor: LiveSensorFeature): void;
  /** Fresh properties for the open sensor (from live telemetry); ignored for others. */
  update(sensor: LiveSensorFeature): void;
  close(): void;
  openId(): string | null;
  /** Resolves when the open sensor's history and thresholds are on the chart. */
  loaded(): Promise<void>;
  chart(): SensorChart | undefined;
}

/**
 * The detail drawer of one sensor: its latest reading, AQI with
 * sub-indices for air stations, and a zoomable history chart with the rule
 * thresholds. Esc or the close button closes it and returns focus to the map.
 */
export function createSensorPanel(options: { now?: () => number; onClose?: () => void } = {}): SensorPanel {
  const now = options.now ?? ((): number => Date.now());
  const element = h('section', { class: 'sensor-panel', attrs: { 'aria-live': 'polite', hidden: '' } });
  let sensor: LiveSensorFeature | undefined;
  let chart: SensorChart | undefined;
  let range: RangeKey = '24h';
  let loading: Promise<void> = Promise.resolve();
  let generation = 0;

  const field = (): string => (sensor ? CHART_FIELD[sensor.properties.domain] : '');

  const latestBlock = (s: LiveSensorFeature): HTMLElement => {
    const p = s.properties;
    const fields = (p.latest?.fields ?? {}) as Record<string, number | undefined>;
    const rows = shownFields()
      .filter((f) => typeof fields[f] === 'number')
      .map((f) => h('tr', {}, h('th', { text: tryT(`field.${f}`) ?? f }), h('td', { text: formatValue(f, fields[f] ?? 0) })));
    const aqi = readAqi(p as unknown as Record<string, unknown>);
    return h(
      'div',
      { class: 'sensor-latest' },
      rows.length > 0 ? h('table', {}, ...rows) : h('p', { class: 'muted', text: t('popup.noData') }),
      p.latest ? h('div', { class: 'muted', text: `${t('popup.updated')}: ${formatTime(p.latest.ts)}` }) : null,
      ...aqi.map((a) =>
        h(
          'div',
          { class: 'aqi', dataset: { scheme: a.scheme } },
          h('span', { class: 'aqi-badge', text: String(a.value), attrs: { style: `background:${a.color ?? '#888'}` } }),
          h('span', { class: 'aqi-name', text: `${t(a.scheme === 'vn' ? 'aqi.vn' : 'aqi.us')}${a.name ? ` · ${a.name[language()]}` : ''}` }),
          a.subIndices.length > 0
            ? h('ul', { class: 'aqi-subs' }, ...a.subIndices.map(([pollutant, value]) => h('li', { dataset: { pollutant }, text: `${tryT(`field.${pollutant}`) ?? pollutant}: ${value}${pollutant === a.dominant ? ' ★' : ''}` })))
            : null,
        ),
      ),
    );
  };

  const body = h('div', { class: 'sensor-body' });
  const chartHost = h('div', { class: 'chart-host' });
  const rangeBar = h('div', { class: 'range-bar', attrs: { role: 'group' } });
  const hint = h('div', { class: 'muted chart-hint' });

  const render = (): void => {
    if (!sensor) return;
    const p = sensor.properties;
    const close = h('button', { class: 'link-button close', text: '×', attrs: { type: 'button', 'aria-label': t('panel.close'), 'data-action': 'close-sensor' }, on: { click: () => api.close() } });
    body.replaceChildren(
      h('div', { class: 'sensor-head' }, h('div', {}, h('div', { class: 'popup-domain', text: tryT(`domain.${p.domain}`) ?? p.domain }), h('h2', { text: p.name })), close),
      h('div', { class: 'muted', text: `${t('popup.district')}: ${p.district}${p.roadName ? ` · ${p.roadName}` : ''}` }),
      ...(p.online ? [] : [h('div', { class: 'popup-offline', text: t('popup.offline') })]),
      latestBlock(sensor),
    );
    rangeBar.replaceChildren(
      h('span', { class: 'muted', text: `${t('panel.history')}: ` }),
      ...RANGES.map((r) =>
        h('button', {
          class: `link-button${r.key === range ? ' active' : ''}`,
          text: t(`range.${r.key}`),
          attrs: { type: 'button', 'aria-pressed': String(r.key === range), 'data-range': r.key },
          on: { click: () => ((range = r.key), render(), void load()) },
        }),
      ),
    );
    hint.textContent = t('panel.zoomHint');
  };

  const load = (): Promise<void> => {
    const current = sensor;
    if (!current) return Promise.resolve();
    const mine = ++generation;
    const r = RANGES.find((x) => x.key === range) ?? RANGES[1];
    const to = now();
    const from = to - r.ms;
    const f = field();
    loading = Promise.all([fetchHistory(current.properties.id, from, to, r.everyMs), fetchRules().catch(() => [])]).then(([series, rules]) => {
      if (mine !== generation || !chart) return;
      const xs = series.points.map((pt) => pt.ts);
      const ys = series.points.map((pt) => (pt.fields as Record<string, number | undefined>)[f] ?? null);
      chart.setData(xs, ys, { from, to });
      const lines = thresholdLines(ruleList(rules), current.properties, f);
      chart.setThresholds(lines);
      chart.element.dataset.thresholds = lines.map((l) => `${l.severity}:${Math.round(l.value * 10) / 10}`).join(',');
      chart.element.dataset.points = String(chart.pointCount());
    });
    return loading;
  };

  element.append(body, rangeBar, chartHost, hint);
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') api.close();
  });
  onLanguageChange(() => render());

  const api: SensorPanel = {
    element,
    open(next) {
      const same = sensor?.properties.id === next.properties.id;
      sensor = next;
      element.hidden = false;
      element.dataset.sensorId = next.properties.id;
      if (!same) {
        chart?.destroy();
        const f = CHART_FIELD[next.properties.domain];
        chart = createSensorChart(tryT(`field.${f}`) ?? f, unitOf(f), Math.max(280, element.clientWidth - 24));
        chartHost.replaceChildren(chart.element);
      }
      render();
      void load().catch((err: unknown) => console.warn('history failed', err));
      element.querySelector<HTMLElement>('[data-action=close-sensor]')?.focus({ preventScroll: true });
    },
    update(next) {
      if (!sensor || next.properties.id !== sensor.properties.id) return;
      sensor = next;
      render();
      const value = (next.properties.latest?.fields as Record<string, number | undefined> | undefined)?.[field()];
      if (next.properties.latest && value !== undefined) chart?.append(next.properties.latest.ts, value);
    },
    close() {
      if (!sensor) return;
      sensor = undefined;
      generation++;
      element.hidden = true;
      delete element.dataset.sensorId;
      chart?.destroy();
      chart = undefined;
      chartHost.replaceChildren();
      options.onClose?.();
    },
    openId: () => sensor?.properties.id ?? null,
    loaded: () => loading,
    chart: () => chart,
  };
  return api;
}
