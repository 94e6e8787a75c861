import type { AuditRecord, Page } from '../api/types.js';
import { dataTable, field, h, mount } from '../ui/dom.js';
import { full, timeWithSeconds, todayInput } from '../ui/format.js';
import { pollInto } from './polling.js';
import type { View } from './view.js';

/** Slots and patients open on their own pages; other records are shown by id. */
function recordLink(a: AuditRecord): Node {
  const label = `${a.recordType.toLowerCase()} ${a.recordId}`;
  if (a.recordType === 'SLOT') return h('a', { href: `#/slots/${encodeURIComponent(a.recordId)}` }, label);
  if (a.recordType === 'PATIENT')
    return h('a', { href: `#/patients/${encodeURIComponent(a.recordId)}` }, label);
  return document.createTextNode(label);
}

/** Admins only (the shell refuses staff before this renders; the API refuses them too with 403). */
export const auditView: View = (container, ctx) => {
  const date = h('input', { type: 'date', name: 'date', value: todayInput() });
  const list = h('div', { 'aria-live': 'polite' });
  const filters = h(
    'form',
    { class: 'filters card', role: 'search', 'aria-label': 'Filter the audit log' },
    field('Date', date),
  );
  mount(container, h('div', { class: 'page-head' }, h('h1', null, 'Audit log')), filters, list);
  let last = '';
  const poller = pollInto(
    ctx,
    async () => {
      const page = await ctx.api.get<Page<AuditRecord>>('/admin/audit', { date: date.value });
      const json = JSON.stringify(page.items);
      if (json === last) return;
      last = json;
      mount(
        list,
        page.items.length === 0
          ? h('p', { class: 'card muted' }, 'Nothing recorded on this day.')
          : dataTable(
              { className: 'table', columns: ['When', 'Who', 'Action', 'Record', 'Detail'] },
              page.items.map((a) =>
                h(
                  'tr',
                  null,
                  h('td', null, h('time', { datetime: a.at, title: full(a.at) }, timeWithSeconds(a.at))),
                  h('td', null, a.actor.email ?? a.actor.sub),
                  h('td', null, a.action),
                  h('td', { class: 'mono' }, recordLink(a)),
                  h(
                    'td',
                    null,
                    Object.entries(a.detail ?? {})
                      .map(([k, v]) => `${k}: ${String(v)}`)
                      .join(' · '),
                  ),
                ),
              ),
            ),
      );
    },
    15_000,
  );
  filters.addEventListener('submit', (e) => e.preventDefault());
  filters.addEventListener('change', () => void poller.refresh());
  return () => poller.stop();
};
