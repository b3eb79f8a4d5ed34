import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatTime } from './format.ts';
import { language } from './i18n.ts';

const locale = (): string => (language() === 'vi' ? 'vi-VN' : 'en-GB');
import type { ThresholdLine } from './thresholds.ts';

const TIME_ZONE = 'Asia/Ho_Chi_Minh';
const SEVERITY_COLORS: Record<string, string> = { info: '#5aa9e6', minor: '#f2c230', major: '#f07f22', critical: '#e23b3b' };

export interface SensorChart {
  readonly element: HTMLElement;
  /** Replaces the series; x in epoch ms. Resets the zoom to the whole window. */
  setData(xs: number[], ys: (number | null)[], window: { from: number; to: number }): void;
  /** Appends a live point without touching the operator's zoom. */
  append(x: number, y: number): void;
  setThresholds(lines: readonly ThresholdLine[]): void;
  /** The x range shown now (after drag-zoom), epoch ms. */
  visibleRange(): { min: number; max: number } | null;
  pointCount(): number;
  resize(width: number): void;
  destroy(): void;
}

/**
 * uPlot line chart of one field. Drag across to zoom in, double-click to
 * zoom out (uPlot's own cursor behaviour); the rule thresholds are drawn as
 * dashed lines in their severity colours and always kept in the y range.
 */
export function createSensorChart(label: string, unit: string, width: number): SensorChart {
  const element = document.createElement('div');
  element.className = 'sensor-chart';
  let lines: readonly ThresholdLine[] = [];
  let xs: number[] = [];
  let ys: (number | null)[] = [];
  let shown = { from: 0, to: 1 };

  const drawThresholds = (u: uPlot): void => {
    const { ctx, bbox } = u;
    ctx.save();
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
    for (const line of lines) {
      const y = u.valToPos(line.value, 'y', true);
      if (y < bbox.top || y > bbox.top + bbox.height) continue;
      ctx.strokeStyle = SEVERITY_COLORS[line.severity] ?? '#f07f22';
      ctx.beginPath();
      ctx.moveTo(bbox.left, y);
      ctx.lineTo(bbox.left + bbox.width, y);
      ctx.stroke();
    }
    ctx.restore();
  };

  const plot = new uPlot(
    {
      width,
      height: 180,
      ms: 1,
      tzDate: (ts) => uPlot.tzDate(new Date(ts), TIME_ZONE),
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false, setScale: true } },
      scales: {
        // The requested window, also when the data do not cover it (a sensor that was offline for hours).
        x: { time: true, range: (_u, min, max) => (min === null || max === null || !(max > min) ? [shown.from, shown.to] : [min, max]) },
        y: {
          range: (_u, min, max) => {
            const values = [min, max, 0, ...lines.map((l) => l.value)].filter((v) => Number.isFinite(v));
            const lo = Math.min(...values);
            const hi = Math.max(...values);
            return [lo, hi + (hi - lo) * 0.08 || 1];
          },
        },
      },
      axes: [
        {
          stroke: '#94a6bf',
          grid: { stroke: '#263a57', width: 1 },
          ticks: { stroke: '#263a57' },
          // City time, 24-hour, in the UI language (uPlot's own formats are English and 12-hour).
          values: (u, splits) => {
            const span = (u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0);
            const withDay = span > 36 * 3_600_000;
            const fmt = new Intl.DateTimeFormat(locale(), { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hour12: false, ...(withDay ? { day: '2-digit', month: '2-digit' } : {}) });
            return splits.map((ts) => fmt.format(ts));
          },
        },
        { stroke: '#94a6bf', grid: { stroke: '#263a57', width: 1 }, ticks: { stroke: '#263a57' }, size: 48 },
      ],
      series: [{ label: language() === 'vi' ? 'Thời gian' : 'Time', value: (_u, ts) => (ts === null ? '—' : formatTime(ts)) }, { label: unit ? `${label} (${unit})` : label, stroke: '#3d8bfd', width: 2, spanGaps: false, points: { show: false } }],
      hooks: { draw: [drawThresholds] },
    },
    [[], []],
    element,
  );

  return {
    element,
    setData(newXs, newYs, window) {
      xs = newXs;
      ys = newYs;
      shown = { ...window };
      plot.batch(() => {
        plot.setData([xs, ys], false);
        plot.setScale('x', { min: window.from, max: window.to });
      });
    },
    append(x, y) {
      if (xs.length > 0 && x <= (xs[xs.length - 1] ?? 0)) return;
      xs.push(x);
      ys.push(y);
      plot.setData([xs, ys], false);
    },
    setThresholds(next) {
      lines = next;
      plot.redraw(true);
    },
    visibleRange() {
      const min = plot.scales.x?.min;
      const max = plot.scales.x?.max;
      return min === undefined || max === undefined ? null : { min, max };
    },
    pointCount: () => ys.filter((y) => y !== null).length,
    resize(w) {
      plot.setSize({ width: w, height: 180 });
    },
    destroy() {
      plot.destroy();
    },
  };
}
