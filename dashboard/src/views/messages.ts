import type { MessageView, Page } from '../api/types.js';
import { field, h, mount, option } from '../ui/dom.js';
import { todayInput } from '../ui/format.js';
import { messagesTable } from './messages-table.js';
import { pollInto } from './polling.js';
import type { View } from './view.js';

export const messagesView: View = (container, ctx) => {
  const date = h('input', { type: 'date', name: 'date', value: todayInput() });
  const direction = h(
    'select',
    { name: 'direction' },
    option('', 'Any'),
    option('OUTBOUND', 'Outbound'),
    option('INBOUND', 'Inbound'),
  );
  const status = h(
    'select',
    { name: 'status' },
    option('', 'Any'),
    ['queued', 'sent', 'delivered', 'undelivered', 'failed', 'received'].map((s) => option(s, s)),
  );
  const last4 = h('input', {
    name: 'last4',
    inputmode: 'numeric',
    pattern: '[0-9]{4}',
    maxlength: '4',
    placeholder: '1234',
  });
  const list = h('div', { 'aria-live': 'polite' });
  const filters = h(
    'form',
    { class: 'filters card', role: 'search', 'aria-label': 'Filter messages' },
    field('Date', date),
    field('Direction', direction),
    field('Status', status),
    field('Phone last four', last4),
  );
  mount(container, h('div', { class: 'page-head' }, h('h1', null, 'Messages')), filters, list);

  let last = '';
  const poller = pollInto(ctx, async () => {
    if (last4.value !== '' && !/^\d{4}$/.test(last4.value)) return;
    const page = await ctx.api.get<Page<MessageView>>('/admin/messages', {
      date: date.value,
      direction: direction.value,
      status: status.value,
      last4: last4.value,
    });
    const json = JSON.stringify(page.items);
    if (json === last) return;
    last = json;
    mount(list, messagesTable(page.items, { slotLinks: true }));
  });
  filters.addEventListener('submit', (e) => e.preventDefault());
  filters.addEventListener('change', () => void poller.refresh());
  return () => poller.stop();
};
