import { h } from './dom.ts';
import { onLanguageChange, t } from './i18n.ts';
import type { ConnectionState } from './socket.ts';

export function createConnectionIndicator(): { element: HTMLElement; set(state: ConnectionState): void } {
  let state: ConnectionState = 'reconnecting';
  const label = h('span');
  const element = h('div', { class: 'connection', attrs: { role: 'status' } }, h('span', { class: 'dot' }), label);
  const render = (): void => {
    element.dataset.state = state;
    label.textContent = t(`conn.${state}`);
  };
  render();
  onLanguageChange(render);
  return {
    element,
    set(next) {
      state = next;
      render();
    },
  };
}
