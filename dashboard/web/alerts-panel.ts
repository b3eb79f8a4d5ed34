import type { Alert } from '@cityops/contracts';
import { acknowledgeAlert, fetchAlertAudit, type AlertAuditEntry } from './api.ts';
import { OpenAlerts } from './alert-list.ts';
import { h } from './dom.ts';
import { formatTime } from './format.ts';
import { language, onLanguageChange, t, tryT } from './i18n.ts';

export interface AlertsPanel {
  readonly element: HTMLElement;
  readonly alerts: OpenAlerts;
  replace(alerts: readonly Alert[]): void;
  upsert(alert: Alert): void;
}

export interface AlertsPanelOptions {
  canAcknowledge: boolean;
  onSelect(alert: Alert): void;
  /** The open alerts after every change to the list (the map's alert markers follow it). */
  onChange?(alerts: readonly Alert[]): void;
}

export function createAlertsPanel(options: AlertsPanelOptions): AlertsPanel {
  const alerts = new OpenAlerts();
  const list = h('ol', { class: 'alert-list' });
  const title = h('h2');
  const count = h('span', { class: 'alert-count' });
  // Filters: domain, state, district (districts offered are those with alerts now).
  const filter = { domain: '', state: '', district: '' };
  const select = (key: keyof typeof filter, label: () => string, choices: () => [string, string][]): HTMLSelectElement => {
    const el = h('select', { attrs: { name: `filter-${key}` } });
    el.addEventListener('change', () => {
      filter[key] = el.value;
      render();
    });
    (el as HTMLSelectElement & { refresh?: () => void }).refresh = () => {
      const options = [['', `${label()}: ${t('filter.all')}`] as [string, string], ...choices()];
      if (filter[key] && !options.some(([v]) => v === filter[key])) options.push([filter[key], filter[key]]);
      el.replaceChildren(...options.map(([value, text]) => h('option', { text, attrs: { value } })));
      el.value = filter[key];
      el.setAttribute('aria-label', label());
    };
    return el;
  };
  const selects = [
    select('domain', () => t('filter.domain'), () => (['traffic', 'flood', 'air'] as const).map((d) => [d, t(`domain.${d}`)])),
    select('state', () => t('filter.state'), () => (['active', 'acknowledged'] as const).map((st) => [st, t(`state.${st}`)])),
    select('district', () => t('filter.district'), () => [...new Set(alerts.ordered().map((a) => a.district))].sort().map((d) => [d, d])),
  ];
  const element = h('section', { class: 'alerts', attrs: { 'aria-live': 'polite' } }, h('header', {}, title, count), h('div', { class: 'alert-filters' }, ...selects), list);
  // Which alert has its acknowledgement form open survives re-renders caused by other alerts' events.
  let ackOpenFor: string | undefined;
  let ackDraft = '';
  // The alert whose history is unfolded, and its trail once loaded (or the error code).
  let historyFor: string | undefined;
  let history: AlertAuditEntry[] | 'loading' | 'failed' = 'loading';

  const historyList = (): HTMLElement => {
    if (history === 'loading') return h('div', { class: 'alert-history muted', text: '…' });
    if (history === 'failed') return h('div', { class: 'alert-history muted', text: t('alerts.historyFailed') });
    return h(
      'ol',
      { class: 'alert-history' },
      ...history.map((e) => {
        const note = typeof e.detail.comment === 'string' ? e.detail.comment : typeof e.detail.text === 'string' ? e.detail.text : '';
        return h('li', { dataset: { action: e.action } }, h('time', { text: formatTime(e.at), attrs: { datetime: e.at } }), ` ${tryT(`audit.${e.action}`) ?? e.action} · ${e.actor}${note ? ` — ${note}` : ''}`);
      }),
    );
  };
  const toggleHistory = (alert: Alert): void => {
    if (historyFor === alert.id) {
      historyFor = undefined;
      render();
      return;
    }
    historyFor = alert.id;
    history = 'loading';
    render();
    fetchAlertAudit(alert.id).then(
      (entries) => {
        if (historyFor === alert.id) ((history = entries), render());
      },
      () => {
        if (historyFor === alert.id) ((history = 'failed'), render());
      },
    );
  };

  const ackForm = (alert: Alert): HTMLElement => {
    const comment = h('input', { attrs: { name: 'comment', maxlength: '1000', placeholder: t('alerts.comment'), 'aria-label': t('alerts.comment') } });
    comment.value = ackDraft;
    comment.addEventListener('input', () => (ackDraft = comment.value));
    const error = h('div', { class: 'alert-error', attrs: { role: 'alert' } });
    const send = h('button', { class: 'primary', text: t('alerts.ackConfirm'), attrs: { type: 'submit' } });
    const form = h(
      'form',
      { class: 'ack-form', on: { click: (event) => event.stopPropagation() } },
      comment,
      h('div', { class: 'ack-actions' }, send, h('button', { text: t('alerts.cancel'), attrs: { type: 'button' }, on: { click: () => ((ackOpenFor = undefined), render()) } })),
      error,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      send.disabled = true;
      acknowledgeAlert(alert.id, comment.value.trim() || undefined).then(
        (updated) => {
          ackOpenFor = undefined;
          upsert(updated);
        },
        () => {
          send.disabled = false;
          error.textContent = t('alerts.ackFailed');
        },
      );
    });
    queueMicrotask(() => comment.focus());
    return form;
  };

  const item = (alert: Alert): HTMLElement => {
    const message = alert.message[language()] || alert.message.vi;
    const acked = alert.state === 'acknowledged';
    const li = h(
      'li',
      { class: `alert-item severity-${alert.severity}${acked ? ' acknowledged' : ''}`, dataset: { alertId: alert.id }, attrs: { tabindex: '0' } },
      h(
        'div',
        { class: 'alert-head' },
        h('span', { class: 'severity', text: tryT(`severity.${alert.severity}`) ?? alert.severity }),
        h('span', { class: 'alert-domain', text: tryT(`domain.${alert.domain}`) ?? alert.domain }),
        h('time', { text: formatTime(alert.raisedAt), attrs: { datetime: alert.raisedAt } }),
      ),
      h('div', { class: 'alert-message', text: message }),
      h('div', { class: 'alert-district', text: alert.district }),
      acked ? h('div', { class: 'alert-acked', text: t('alerts.ackedBy', { by: alert.acknowledgedBy ?? '?' }) }) : null,
      h('button', {
        class: 'link-button history-button',
        text: t('alerts.history'),
        attrs: { type: 'button', 'aria-expanded': String(historyFor === alert.id), 'data-action': 'alert-history' },
        on: {
          click: (event) => {
            event.stopPropagation();
            toggleHistory(alert);
          },
        },
      }),
      historyFor === alert.id ? historyList() : null,
    );
    li.addEventListener('click', () => options.onSelect(alert));
    li.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && event.target === li) options.onSelect(alert);
    });
    if (options.canAcknowledge && alert.state === 'active') {
      if (ackOpenFor === alert.id) li.append(ackForm(alert));
      else
        li.append(
          h('button', {
            class: 'ack-button',
            text: t('alerts.ack'),
            attrs: { type: 'button' },
            on: {
              click: (event) => {
                event.stopPropagation();
                ackOpenFor = alert.id;
                ackDraft = '';
                render();
              },
            },
          }),
        );
    }
    return li;
  };

  const render = (): void => {
    const all = alerts.ordered();
    const ordered = all.filter(
      (a) => (!filter.domain || a.domain === filter.domain) && (!filter.state || a.state === filter.state) && (!filter.district || a.district === filter.district),
    );
    title.textContent = t('alerts.title');
    count.textContent = ordered.length === all.length ? String(all.length) : `${ordered.length}/${all.length}`;
    for (const el of selects) (el as HTMLSelectElement & { refresh?: () => void }).refresh?.();
    list.replaceChildren(...(ordered.length ? ordered.map(item) : [h('li', { class: 'alert-empty', text: t('alerts.empty') })]));
  };

  const upsert = (alert: Alert): void => {
    alerts.upsert(alert);
    if (ackOpenFor && !alerts.get(ackOpenFor)) ackOpenFor = undefined;
    render();
    options.onChange?.(alerts.ordered());
  };

  render();
  onLanguageChange(render);
  return {
    element,
    alerts,
    replace(next) {
      alerts.replace(next);
      render();
      options.onChange?.(alerts.ordered());
    },
    upsert,
  };
}
