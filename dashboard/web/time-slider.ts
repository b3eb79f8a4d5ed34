import { h } from './dom.ts';
import { formatTime } from './format.ts';
import { onLanguageChange, t } from './i18n.ts';

const STEP_MS = 5 * 60_000;
/** How far back the slider reaches. */
export const REPLAY_SPAN_MS = 6 * 3_600_000;
/** Scrubbing fires one snapshot request after the hand stops, not one per pixel. */
const SCRUB_DEBOUNCE_MS = 250;

export interface TimeSlider {
  readonly element: HTMLElement;
  /** The instant shown, or null when live. */
  at(): number | null;
  /** Moves to the slider step nearest an instant (tests, deep links); fires onScrub at once. */
  scrubTo(at: number): void;
  goLive(): void;
}

/**
 * The replay control under the map: a native range input (keyboard: arrows
 * step 5 minutes, Page Up/Down an hour, Home/End) over the last 6 hours,
 * and a Live button. The far right end of the slider is live.
 */
export function createTimeSlider(options: { onScrub: (at: number) => void; onLive: () => void; now?: () => number }): TimeSlider {
  const now = options.now ?? ((): number => Date.now());
  const input = h('input', { attrs: { type: 'range', min: String(-REPLAY_SPAN_MS / STEP_MS), max: '0', step: '1', value: '0', 'data-action': 'replay-slider' } });
  const label = h('span', { class: 'replay-time' });
  const title = h('span', { class: 'replay-title' });
  const live = h('button', { class: 'link-button replay-live', attrs: { type: 'button', 'data-action': 'go-live' } });
  const element = h('div', { class: 'time-slider', dataset: { mode: 'live' } }, title, input, label, live);
  let base = now();
  let at: number | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const render = (): void => {
    title.textContent = t('replay.title');
    input.setAttribute('aria-label', t('replay.title'));
    live.textContent = t('replay.live');
    label.textContent = at === null ? t('replay.nowLive') : formatTime(at);
    input.setAttribute('aria-valuetext', label.textContent);
    element.dataset.mode = at === null ? 'live' : 'replay';
    live.disabled = at === null;
  };

  const goLive = (): void => {
    clearTimeout(timer);
    at = null;
    input.value = '0';
    render();
    options.onLive();
  };

  input.addEventListener('pointerdown', () => {
    // The window is anchored when the operator takes the slider, so "−2 h" means two hours before now.
    if (at === null) base = now();
  });
  input.addEventListener('input', () => {
    const steps = Number(input.value);
    if (steps >= 0) {
      goLive();
      return;
    }
    if (at === null) base = now();
    at = Math.floor(base / STEP_MS) * STEP_MS + steps * STEP_MS;
    render();
    clearTimeout(timer);
    const instant = at;
    timer = setTimeout(() => options.onScrub(instant), SCRUB_DEBOUNCE_MS);
  });
  live.addEventListener('click', goLive);
  onLanguageChange(render);
  render();

  return {
    element,
    at: () => at,
    scrubTo(instant) {
      clearTimeout(timer);
      base = now();
      const steps = Math.max(-REPLAY_SPAN_MS / STEP_MS, Math.min(0, Math.round((instant - base) / STEP_MS)));
      input.value = String(steps);
      // Snapped to the slider's 5-minute grid, so arrow keys continue from what is shown.
      at = Math.floor(base / STEP_MS) * STEP_MS + steps * STEP_MS;
      render();
      options.onScrub(at);
    },
    goLive,
  };
}
