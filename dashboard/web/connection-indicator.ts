import { h } from './dom.ts';
import { onLanguageChange, t } from './i18n.ts';
import type { ConnectionState } from './socket.ts';

/** No telemetry for this long while connected means the feed upstream has stopped (broker, ingest or the field). */
export const STALE_AFTER_MS = 90_000;

export interface ConnectionIndicator {
  element: HTMLElement;
  set(state: ConnectionState): void;
  /** Live data arrived (a telemetry batch). */
  fresh(): void;
}

/**
 * The page's own link state, plus whether the data is stale: disconnected,
 * or connected but silent for STALE_AFTER_MS. Checked every 5 s.
 */
export function createConnectionIndicator(options: { now?: () => number } = {}): ConnectionIndicator {
  const now = options.now ?? ((): number => Date.now());
  let state: ConnectionState = 'reconnecting';
  let lastData = now();
  const label = h('span');
  const staleLabel = h('span', { class: 'stale-label' });
  const element = h('div', { class: 'connection', attrs: { role: 'status' } }, h('span', { class: 'dot' }), label, staleLabel);
  const render = (): void => {
    element.dataset.state = state;
    label.textContent = t(`conn.${state}`);
    const silentMs = now() - lastData;
    const stale = state !== 'connected' || silentMs > STALE_AFTER_MS;
    element.dataset.stale = String(stale);
    staleLabel.textContent = stale ? ` · ${t('conn.stale', { min: String(Math.max(1, Math.round(silentMs / 60_000))) })}` : '';
  };
  render();
  onLanguageChange(render);
  setInterval(render, 5000);
  return {
    element,
    set(next) {
      state = next;
      render();
    },
    fresh() {
      lastData = now();
      if (element.dataset.stale === 'true') render();
    },
  };
}
