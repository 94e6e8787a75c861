import type { Metrics } from '../api/types.js';
import { barChart, bucketPosition, histogram } from '../ui/charts.js';
import { field, h, mount } from '../ui/dom.js';
import { todayInput } from '../ui/format.js';
import { pollInto } from './polling.js';
import type { View } from './view.js';

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

function shortDay(date: string): string {
  return date.slice(5);
}

export const analyticsView: View = (container, ctx) => {
  const from = h('input', { type: 'date', name: 'from', value: todayInput(-13) });
  const to = h('input', { type: 'date', name: 'to', value: todayInput() });
  const body = h('div', { 'aria-live': 'polite' });
  const filters = h(
    'form',
    { class: 'filters card', role: 'search', 'aria-label': 'Date range' },
    field('From', from),
    field('To', to),
  );
  mount(container, h('div', { class: 'page-head' }, h('h1', null, 'Analytics')), filters, body);

  let last = '';
  const poller = pollInto(
    ctx,
    async () => {
      // Whole days in the browser's zone, sent as instants.
      const m = await ctx.api.get<Metrics>('/admin/metrics', {
        from: new Date(`${from.value}T00:00:00`).toISOString(),
        to: new Date(`${to.value}T23:59:59.999`).toISOString(),
      });
      const json = JSON.stringify(m);
      if (json === last) return;
      last = json;
      const samples = m.timeToFill.samplesMinutes ?? [];
      const markers = [
        ...(m.timeToFill.medianMinutes !== null
          ? [{ at: bucketPosition(m.timeToFill.medianMinutes), label: 'median' }]
          : []),
        ...(m.timeToFill.p90Minutes !== null
          ? [{ at: bucketPosition(m.timeToFill.p90Minutes), label: 'p90' }]
          : []),
      ];
      mount(
        body,
        h(
          'div',
          { class: 'stats' },
          stat('Fill rate', `${Math.round(m.fillRate * 100)}%`, `${m.slotsFilled} of ${m.slotsLogged} slots`),
          stat(
            'Median time to fill',
            minutes(m.timeToFill.medianMinutes),
            `p90 ${minutes(m.timeToFill.p90Minutes)}`,
          ),
          stat('SMS per fill', m.smsPerFill === null ? '—' : m.smsPerFill.toFixed(1), `${m.smsSent} sent`),
          stat('Opt-outs', String(m.optOuts)),
        ),
        h(
          'div',
          { class: 'charts' },
          h(
            'section',
            { class: 'card' },
            h('h2', null, 'Slots filled per day'),
            barChart(
              (m.fillsByDay ?? []).map((d) => ({
                label: shortDay(d.date),
                value: d.filled,
                total: d.logged,
              })),
              { caption: 'Filled (dark) of logged (light) per day' },
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
            h('h2', null, 'Opt-outs over time'),
            barChart(
              (m.optOutsByDay ?? []).map((d) => ({ label: shortDay(d.date), value: d.count })),
              { caption: 'Patients who opted out, per day' },
            ),
          ),
        ),
      );
    },
    30_000,
  );
  filters.addEventListener('submit', (e) => e.preventDefault());
  filters.addEventListener('change', () => void poller.refresh());
  return () => poller.stop();
};
