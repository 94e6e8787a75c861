import type { MessageView } from '../api/types.js';
import { deliveryBadge } from '../ui/badges.js';
import { dataTable, h } from '../ui/dom.js';
import { full, maskPhone, time } from '../ui/format.js';

/** Message bodies are patient-authored text: they only ever become Text nodes (see ui/dom.ts). */
export function messagesTable(messages: MessageView[], options: { slotLinks?: boolean } = {}): HTMLElement {
  if (messages.length === 0) return h('p', { class: 'muted' }, 'No messages match.');
  const headings = [
    'When',
    'Dir.',
    'Phone',
    'Message',
    'Delivery',
    ...(options.slotLinks ? ['Offer trail'] : []),
  ];
  return dataTable(
    { className: 'table messages', columns: headings },
    messages.map((m) =>
      h(
        'tr',
        { 'data-message': m.messageId },
        h('td', null, h('time', { datetime: m.createdAt, title: full(m.createdAt) }, time(m.createdAt))),
        h(
          'td',
          null,
          h(
            'span',
            { class: ['dir', `dir-${m.direction.toLowerCase()}`] },
            m.direction === 'INBOUND' ? '← in' : 'out →',
          ),
        ),
        h('td', { class: 'mono' }, maskPhone(m.phoneMasked)),
        h('td', { class: 'msg-body' }, m.body, h('small', { class: 'muted block' }, m.purpose)),
        h('td', null, deliveryBadge(m.deliveryStatus, m.errorCode)),
        options.slotLinks
          ? h(
              'td',
              null,
              m.slotId ? h('a', { href: `#/slots/${encodeURIComponent(m.slotId)}` }, 'Slot and trail') : '',
            )
          : null,
      ),
    ),
  );
}
