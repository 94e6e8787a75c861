import { h, svg } from './dom.js';

/**
 * Small hand-drawn SVG charts: a chart library would be most of the bundle for four bar charts. Colours
 * come from classes in styles.css (no inline styles under the CSP). Each chart carries a text summary
 * for screen readers and a caption.
 */

export interface Bar {
  label: string;
  value: number;
  /** Optional second series drawn behind (e.g. slots logged behind slots filled). */
  total?: number;
}

const W = 480;
const H = 200;
const PAD = { top: 24, right: 8, bottom: 40, left: 36 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

export function barChart(
  bars: Bar[],
  options: { caption: string; unit?: string; markers?: { at: number; label: string }[] },
): HTMLElement {
  const max = niceMax(Math.max(0, ...bars.map((b) => Math.max(b.value, b.total ?? 0))));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = bars.length > 0 ? plotW / bars.length : plotW;
  const barW = Math.max(4, Math.min(48, slot * 0.7));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const summary = bars
    .map((b) => `${b.label}: ${b.value}${b.total !== undefined ? ` of ${b.total}` : ''}`)
    .join(', ');

  const grid = [0, 0.5, 1].map((f) =>
    svg(
      'g',
      { class: 'grid' },
      svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(max * f), y2: y(max * f) }),
      svg(
        'text',
        { x: PAD.left - 6, y: y(max * f) + 4, 'text-anchor': 'end' },
        String(Math.round(max * f * 10) / 10),
      ),
    ),
  );
  const labelEvery = Math.ceil(bars.length / 12);
  const drawn = bars.map((b, i) => {
    const x = PAD.left + i * slot + (slot - barW) / 2;
    return svg(
      'g',
      { class: 'bar' },
      b.total !== undefined
        ? svg('rect', {
            class: 'bar-total',
            x,
            y: y(b.total),
            width: barW,
            height: Math.max(0, y(0) - y(b.total)),
          })
        : null,
      svg(
        'rect',
        { class: 'bar-value', x, y: y(b.value), width: barW, height: Math.max(0, y(0) - y(b.value)) },
        svg('title', {}, `${b.label}: ${b.value}${options.unit ?? ''}`),
      ),
      i % labelEvery === 0
        ? svg(
            'text',
            { class: 'axis-label', x: x + barW / 2, y: H - PAD.bottom + 16, 'text-anchor': 'middle' },
            b.label,
          )
        : null,
    );
  });
  // Markers that land on the same spot (median = p90 with few fills) share one line and one label.
  const merged: { at: number; label: string }[] = [];
  for (const m of options.markers ?? []) {
    const near = merged.find((x) => Math.abs(x.at - m.at) < 0.06);
    if (near) near.label = `${near.label}, ${m.label}`;
    else merged.push({ ...m });
  }
  const markers = merged.map((m) => {
    const x = PAD.left + m.at * plotW;
    return svg(
      'g',
      { class: 'marker' },
      svg('line', { x1: x, x2: x, y1: PAD.top - 4, y2: H - PAD.bottom }),
      // Above the plot, so a full-height bar never hides it.
      svg('text', { x, y: PAD.top - 8, 'text-anchor': m.at > 0.8 ? 'end' : 'start' }, m.label),
    );
  });
  const empty = bars.every((b) => b.value === 0 && !b.total)
    ? svg(
        'text',
        { class: 'chart-empty', x: PAD.left + plotW / 2, y: PAD.top + plotH / 2, 'text-anchor': 'middle' },
        'No data in this range',
      )
    : null;
  return h(
    'figure',
    { class: 'chart' },
    svg(
      'svg',
      {
        viewBox: `0 0 ${W} ${H}`,
        role: 'img',
        'aria-label': `${options.caption}. ${summary || 'No data.'}`,
        preserveAspectRatio: 'xMidYMid meet',
      },
      grid,
      drawn,
      markers,
      empty,
    ),
    h('figcaption', null, options.caption),
  );
}

/** Buckets for a time-to-fill histogram, in minutes. */
export const FILL_BUCKETS: [number, number, string][] = [
  [0, 5, '<5'],
  [5, 10, '5-10'],
  [10, 15, '10-15'],
  [15, 30, '15-30'],
  [30, 60, '30-60'],
  [60, 120, '1-2 h'],
  [120, Number.POSITIVE_INFINITY, '2 h+'],
];

export function histogram(samples: number[]): Bar[] {
  return FILL_BUCKETS.map(([lo, hi, label]) => ({
    label,
    value: samples.filter((s) => s >= lo && s < hi).length,
  }));
}

/** Where a value falls on the histogram's x axis (0..1), for the median and p90 markers. */
export function bucketPosition(minutes: number): number {
  const index = FILL_BUCKETS.findIndex(([lo, hi]) => minutes >= lo && minutes < hi);
  const [lo, hi] = FILL_BUCKETS[index] ?? [0, 1];
  const within = Number.isFinite(hi) ? (minutes - lo) / (hi - lo) : 0.5;
  return (Math.max(0, index) + within) / FILL_BUCKETS.length;
}
