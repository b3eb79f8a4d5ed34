import type { Alert } from '@cityops/contracts';
import { h } from './dom.ts';
import { formatTime } from './format.ts';
import { language, onLanguageChange, t } from './i18n.ts';

const SHOW_MS = 60_000;

export interface CriticalAnnouncer {
  readonly element: HTMLElement;
  /** The sound toggle for the header (off by default: a control room decides). */
  readonly soundToggle: HTMLElement;
  /** Alerts already known (the snapshot on load/resync) are never announced. */
  known(alerts: readonly Alert[]): void;
  /** A live alert event: announced once if it is a new critical alert. */
  consider(alert: Alert): void;
}

/**
 * New critical alerts interrupt: a banner with role="alert" (screen readers
 * speak it at once) over the map, and, when switched on, a short tone made
 * with WebAudio (no sound file to serve).
 */
export function createCriticalAnnouncer(options: { onSelect(alert: Alert): void }): CriticalAnnouncer {
  const seen = new Set<string>();
  const element = h('div', { class: 'critical-banner', attrs: { role: 'alert', hidden: '' } });
  let sound = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let audio: AudioContext | undefined;
  const soundToggle = h('button', { class: 'link-button', attrs: { type: 'button', 'data-action': 'sound', 'aria-pressed': 'false' } });
  const renderToggle = (): void => {
    soundToggle.textContent = sound ? t('announce.soundOn') : t('announce.soundOff');
    soundToggle.setAttribute('aria-pressed', String(sound));
  };
  soundToggle.addEventListener('click', () => {
    sound = !sound;
    // Created on a click: browsers only let a user gesture start audio.
    if (sound) audio ??= new AudioContext();
    renderToggle();
  });
  renderToggle();
  onLanguageChange(renderToggle);

  const beep = (): void => {
    if (!sound || !audio) return;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.35);
  };

  const show = (alert: Alert): void => {
    const message = alert.message[language()] || alert.message.vi;
    element.replaceChildren(
      h('strong', { text: t('announce.critical') }),
      h('button', { class: 'critical-message', text: `${message} · ${alert.district} · ${formatTime(alert.raisedAt)}`, attrs: { type: 'button' }, on: { click: () => options.onSelect(alert) } }),
      h('button', { class: 'link-button', text: '×', attrs: { type: 'button', 'aria-label': t('panel.close'), 'data-action': 'dismiss-critical' }, on: { click: () => (element.hidden = true) } }),
    );
    element.dataset.alertId = alert.id;
    element.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => (element.hidden = true), SHOW_MS);
    beep();
  };

  return {
    element,
    soundToggle,
    known(alerts) {
      for (const a of alerts) seen.add(a.id);
    },
    consider(alert) {
      if (seen.has(alert.id)) return;
      seen.add(alert.id);
      if (alert.severity === 'critical' && alert.state === 'active') show(alert);
    },
  };
}
