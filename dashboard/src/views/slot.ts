import type { SlotDetail } from '../api/types.js';
import { deliveryBadge, stateBadge } from '../ui/badges.js';
import { h, mount } from '../ui/dom.js';
import { dateTime, full, time } from '../ui/format.js';
import { messagesTable } from './messages-table.js';
import { pollInto } from './polling.js';
import type { View } from './view.js';

/** One slot in full: its offers per batch with delivery, every message, and the timeline. */
export const slotView: View = (container, ctx, params) => {
  const slotId = params.slotId ?? '';
  const body = h('div', { 'aria-busy': 'true' });
  mount(container, h('p', null, h('a', { href: '#/board' }, '← Live board')), body);
  let last = '';
  const poller = pollInto(ctx, async () => {
    const detail = await ctx.api.get<SlotDetail>(`/admin/slots/${encodeURIComponent(slotId)}`);
    const json = JSON.stringify(detail);
    if (json === last) return;
    last = json;
    const { slot } = detail;
    mount(
      body,
      h(
        'div',
        { class: 'page-head' },
        h('h1', null, `Slot ${dateTime(slot.startAt)}`),
        stateBadge(slot.status),
        h(
          'p',
          { class: 'muted' },
          `${detail.provider?.displayName ?? slot.providerId} · ${detail.location?.displayName ?? slot.locationId} · ${slot.visitType} · logged by ${slot.loggedBy} at ${time(slot.loggedAt)}`,
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', null, 'Offers'),
        detail.offers.length === 0
          ? h('p', { class: 'muted' }, 'No offers yet.')
          : h(
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
                    ['Batch', 'Patient', 'State', 'Delivery', 'Sent', 'Hold until', 'Answered'].map((c) =>
                      h('th', { scope: 'col' }, c),
                    ),
                  ),
                ),
                h(
                  'tbody',
                  null,
                  detail.offers.map((o) =>
                    h(
                      'tr',
                      null,
                      h('td', null, String(o.batch)),
                      h(
                        'td',
                        null,
                        o.displayName,
                        o.phoneLast4 ? h('span', { class: 'muted' }, ` ••${o.phoneLast4}`) : null,
                      ),
                      h('td', null, stateBadge(o.state)),
                      h('td', null, deliveryBadge(o.deliveryStatus, o.errorCode)),
                      h('td', null, time(o.sentAt)),
                      h('td', null, time(o.holdExpiresAt)),
                      h('td', null, time(o.respondedAt)),
                    ),
                  ),
                ),
              ),
            ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', null, 'Messages and delivery trail'),
        messagesTable(detail.messages),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', null, 'Timeline'),
        h(
          'ol',
          { class: 'timeline' },
          detail.timeline.map((e) =>
            h(
              'li',
              null,
              h('time', { datetime: e.at, title: full(e.at) }, time(e.at)),
              ' ',
              h('strong', null, e.kind),
              e.detail ? ` · ${e.detail}` : '',
            ),
          ),
        ),
      ),
    );
    body.setAttribute('aria-busy', 'false');
  });
  return () => poller.stop();
};
