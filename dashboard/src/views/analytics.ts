import type { MetricsResponse, Page, SlotView } from '../api/types.js';
import { barChart, bucketPosition, histogram } from '../ui/charts.js';
import { addDays } from '../ui/clinic-time.js';
import { field, h, mount } from '../ui/dom.js';
import { todayInput } from '../ui/format.js';
import { pollInto } from './polling.js';
import type { View } from './view.js';

/** Per-day charts cost one metrics call a day: keep ranges short enough to stay polite. */
const MAX_DAYS = 31;
const DAY_CONCURRENCY = 4;

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

/** Clinic calendar days from `from` to `to` inclusive (YYYY-MM-DD strings compare as dates). */
function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) return days;
  for (let d = from; d <= to && days.length < MAX_DAYS; d = addDays(d, 1)) days.push(d);
  return days;
}

async function eachLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

/**
 * The metrics route answers one summary per range, so the per-day series are one call per day, and the
 * time-to-fill distribution is read from the filled slots themselves (logged → filled).
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
      const days = daysBetween(from.value, to.value);
      const first = days[0] ?? todayInput();
      const lastDay = days.at(-1) ?? first;
      const [total, perDay, filled] = await Promise.all([
        ctx.api.get<MetricsResponse>('/admin/metrics', { from: first, to: lastDay }),
        eachLimited(days, DAY_CONCURRENCY, (day) =>
          ctx.api.get<MetricsResponse>('/admin/metrics', { from: day, to: day }),
        ),
        ctx.api.get<Page<SlotView>>('/admin/slots', {
          status: 'FILLED',
          from: first,
          to: lastDay,
          limit: 100,
        }),
      ]);
      const json = JSON.stringify([total, perDay, filled.items]);
      if (json === last) return;
      last = json;
      const samples = filled.items
        .filter((s) => s.filledAt)
        .map((s) => (Date.parse(s.filledAt ?? '') - Date.parse(s.loggedAt)) / 60_000)
        .filter((m) => Number.isFinite(m) && m >= 0);
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
              perDay.map((m, i) => ({
                label: (days[i] ?? '').slice(5),
                value: m.slots.FILLED,
                total: m.slots.FILLED + m.slots.EXPIRED + m.slots.OPEN + m.slots.WITHDRAWN,
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
              perDay.map((m, i) => ({ label: (days[i] ?? '').slice(5), value: m.smsSent })),
              { caption: 'Texts sent per day' },
            ),
          ),
          h(
            'section',
            { class: 'card' },
            h('h2', null, 'Opt-outs over time'),
            barChart(
              perDay.map((m, i) => ({ label: (days[i] ?? '').slice(5), value: m.optOuts })),
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
