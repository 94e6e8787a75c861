import type { MetricsResponse } from '../api/types.js';
import { barChart, bucketPosition, histogram } from '../ui/charts.js';
import { addDays } from '../ui/clinic-time.js';
import { field, h, mount } from '../ui/dom.js';
import { todayInput } from '../ui/format.js';
import { pollInto } from './polling.js';
import type { View } from './view.js';

/** The metrics route's longest range. */
const MAX_DAYS = 92;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function stat(label: string, value: string, hint?: string): HTMLElement {
  return h(
    'div',
    { class: 'stat card' },
    h('span', { class: 'stat-value' }, value),
    h('span', { class: 'stat-label' }, label),
    hint ? h('small', { class: 'muted' }, hint) : null,
  );
}

function minutes(value: number | null): string {
  if (value === null) return '—';
  return value < 60 ? `${Math.round(value)} min` : `${(value / 60).toFixed(1)} h`;
}

/** The range to ask for: a valid `from`, and `to` moved back to at most MAX_DAYS days after it. */
function range(from: string, to: string): { from: string; to: string } {
  const first = DATE_RE.test(from) ? from : todayInput();
  let last = DATE_RE.test(to) && to >= first ? to : first;
  const furthest = addDays(first, MAX_DAYS - 1);
  if (last > furthest) last = furthest;
  return { from: first, to: last };
}

/**
 * One metrics call draws the whole page: the totals for the stats, and its `byDay` series (clinic days)
 * for the charts, time-to-fill samples included.
 */
export const analyticsView: View = (container, ctx) => {
  const from = h('input', { type: 'date', name: 'from', value: todayInput(-13) });
  // Slots count by the day they start, and most are filled for the coming days: look a week ahead too.
  const to = h('input', { type: 'date', name: 'to', value: todayInput(7) });
  const body = h('div', { 'aria-live': 'polite' });
  const filters = h(
    'form',
    { class: 'filters card', role: 'search', 'aria-label': 'Date range' },
    field('From', from),
    field('To', to, `Slot start dates; up to ${MAX_DAYS} days`),
  );
  mount(container, h('div', { class: 'page-head' }, h('h1', null, 'Analytics')), filters, body);

  let last = '';
  const poller = pollInto(
    ctx,
    async () => {
      const total = await ctx.api.get<MetricsResponse>('/admin/metrics', range(from.value, to.value));
      const json = JSON.stringify(total);
      if (json === last) return;
      last = json;
      const days = total.byDay;
      const samples = days.flatMap((d) => d.timeToFillMinutes).filter((m) => Number.isFinite(m) && m >= 0);
      const t = total.timeToFillMinutes;
      const markers = [
        ...(t.median !== null ? [{ at: bucketPosition(t.median), label: 'median' }] : []),
        ...(t.p90 !== null ? [{ at: bucketPosition(t.p90), label: 'p90' }] : []),
      ];
      const decided = total.slots.FILLED + total.slots.EXPIRED;
      mount(
        body,
        h(
          'div',
          { class: 'stats' },
          stat(
            'Fill rate',
            total.fillRate === null ? '—' : `${Math.round(total.fillRate * 100)}%`,
            `${total.slots.FILLED} filled of ${decided} decided`,
          ),
          stat('Median time to fill', minutes(t.median), `p90 ${minutes(t.p90)}`),
          stat(
            'SMS per fill',
            total.smsPerFill === null ? '—' : total.smsPerFill.toFixed(1),
            `${total.smsSent} sent`,
          ),
          stat('Opt-outs', String(total.optOuts)),
        ),
        h(
          'div',
          { class: 'charts' },
          h(
            'section',
            { class: 'card' },
            h('h2', null, 'Slots filled per day'),
            barChart(
              days.map((d) => ({
                label: d.date.slice(5),
                value: d.filled,
                total: d.slots.FILLED + d.slots.EXPIRED + d.slots.OPEN + d.slots.WITHDRAWN,
              })),
              { caption: 'Filled (dark) of all logged (light), by slot day' },
            ),
          ),
          h(
            'section',
            { class: 'card' },
            h('h2', null, 'Time to fill'),
            barChart(histogram(samples), {
              caption: 'Filled slots by minutes from logging to acceptance',
              markers,
            }),
          ),
          h(
            'section',
            { class: 'card' },
            h('h2', null, 'Texts sent'),
            // Per-day "SMS per fill" would divide texts sent one day by slots starting another; the
            // ratio for the range is the stat above, and this shows where the texts went.
            barChart(
              days.map((d) => ({ label: d.date.slice(5), value: d.smsSent })),
              { caption: 'Texts sent per day' },
            ),
          ),
          h(
            'section',
            { class: 'card' },
            h('h2', null, 'Opt-outs over time'),
            barChart(
              days.map((d) => ({ label: d.date.slice(5), value: d.optOuts })),
              { caption: 'Patients who opted out, per day' },
            ),
          ),
        ),
      );
    },
    60_000,
  );
  filters.addEventListener('submit', (e) => e.preventDefault());
  filters.addEventListener('change', () => void poller.refresh());
  return () => poller.stop();
};
