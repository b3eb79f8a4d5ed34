import type { LiveSensorFeature } from '@cityops/contracts';
import { h } from './dom.ts';
import { formatTime, formatValue, shownFields } from './format.ts';
import { t, tryT } from './i18n.ts';

export function sensorPopupContent(sensor: LiveSensorFeature): HTMLElement {
  const p = sensor.properties;
  const fields = p.latest?.fields ?? {};
  const rows = shownFields()
    .filter((field) => typeof (fields as Record<string, number | undefined>)[field] === 'number')
    .map((field) =>
      h('tr', {}, h('th', { text: tryT(`field.${field}`) ?? field }), h('td', { text: formatValue(field, (fields as Record<string, number>)[field] ?? 0) })),
    );
  return h(
    'div',
    { class: 'popup', dataset: { sensorId: p.id } },
    h('div', { class: 'popup-domain', text: tryT(`domain.${p.domain}`) ?? p.domain }),
    h('h3', { text: p.name }),
    h('div', { class: 'popup-meta', text: `${t('popup.district')}: ${p.district}` }),
    p.roadName ? h('div', { class: 'popup-meta', text: `${t('popup.road')}: ${p.roadName}` }) : null,
    !p.online ? h('div', { class: 'popup-offline', text: t('popup.offline') }) : null,
    rows.length > 0 ? h('table', {}, ...rows) : h('div', { class: 'popup-meta', text: t('popup.noData') }),
    p.latest ? h('div', { class: 'popup-time', text: `${t('popup.updated')}: ${formatTime(p.latest.ts)}` }) : null,
  );
}

export function districtPopupContent(props: Record<string, unknown>): HTMLElement {
  const vi = String(props.name_vi ?? '');
  const en = String(props.name_en ?? '');
  return h('div', { class: 'popup' }, h('h3', { text: vi }), en && en !== vi ? h('div', { class: 'popup-meta', text: en }) : null);
}

export function hotspotPopupContent(props: Record<string, unknown>): HTMLElement {
  const cause = props.cause === 'tide' ? t('popup.cause.tide') : t('popup.cause.rain');
  return h(
    'div',
    { class: 'popup' },
    h('div', { class: 'popup-domain', text: t('popup.hotspot') }),
    h('h3', { text: String(props.place ?? '') }),
    h('div', { class: 'popup-meta', text: cause }),
  );
}
