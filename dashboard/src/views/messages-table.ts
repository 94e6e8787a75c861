import type { MessageView } from '../api/types.js';
import { deliveryBadge } from '../ui/badges.js';
import { h } from '../ui/dom.js';
import { full, maskPhone, time } from '../ui/format.js';

/** Message bodies are patient-authored text: they only ever become Text nodes (see ui/dom.ts). */
export function trail(message: MessageView): HTMLElement | null {
  if (!message.trail || message.trail.length === 0) return null;
  return h(
    'ol',
    { class: 'trail', 'aria-label': 'Delivery trail' },
    message.trail.map((step) =>
      h(
        'li',
        null,
        h('time', { datetime: step.at }, time(step.at)),
        ' ',
        deliveryBadge(step.status, step.errorCode),
      ),
    ),
  );
}

export function messagesTable(messages: MessageView[], options: { slotLinks?: boolean } = {}): HTMLElement {
  if (messages.length === 0) return h('p', { class: 'muted' }, 'No messages match.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['When', 'Dir.', 'Phone', 'Message', 'Delivery', options.slotLinks ? 'Slot' : '']
            .filter(Boolean)
            .map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        null,
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
            h('td', { class: 'mono' }, maskPhone(m.phone)),
            h(
              'td',
              { class: 'msg-body' },
              m.body,
              m.purpose ? h('small', { class: 'muted block' }, m.purpose) : null,
            ),
            h('td', null, deliveryBadge(m.deliveryStatus, m.errorCode), trail(m)),
            options.slotLinks
              ? h(
                  'td',
                  null,
                  m.slotId ? h('a', { href: `#/slots/${encodeURIComponent(m.slotId)}` }, 'Trail') : '',
                )
              : null,
          ),
        ),
      ),
    ),
  );
}
