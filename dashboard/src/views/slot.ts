import { last4, offerName, offerTrail } from '../api/offers.js';
import type { SlotDetail } from '../api/types.js';
import { deliveryBadge, stateBadge } from '../ui/badges.js';
import { dataTable, h, mount } from '../ui/dom.js';
import { dateTime, full, slotTuning, time } from '../ui/format.js';
import { messagesTable } from './messages-table.js';
import { pollInto } from './polling.js';
import type { View } from './view.js';

/** One slot in full: each offer with its delivery trail, every message, and the timeline. */
export const slotView: View = (container, ctx, params) => {
  const slotId = params.slotId ?? '';
  const body = h('div', { 'aria-busy': 'true' });
  mount(container, h('p', null, h('a', { href: '#/board', class: 'btn btn-ghost' }, '← Live board')), body);
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
          `${detail.provider?.displayName ?? slot.providerId} · ${detail.location?.displayName ?? slot.locationId} · ${slot.visitType} · ${slot.durationMinutes} min${slotTuning(slot) ? ` · ${slotTuning(slot)}` : ''} · logged ${time(slot.loggedAt)}`,
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', null, 'Offers and their delivery trail'),
        detail.offers.length === 0
          ? h('p', { class: 'muted' }, 'No offers yet.')
          : dataTable(
              { className: 'table', columns: ['Batch', 'Patient', 'State', 'Sent', 'Hold until', 'Trail'] },
              detail.offers.map((o) => {
                const digits = last4(o.patient?.phoneMasked);
                return h(
                  'tr',
                  { 'data-patient': o.patientId },
                  h('td', null, String(o.batch)),
                  h(
                    'td',
                    null,
                    offerName(o),
                    digits ? h('span', { class: 'muted mono' }, ` ••${digits}`) : null,
                  ),
                  h(
                    'td',
                    null,
                    stateBadge(o.state),
                    o.closedReason ? h('small', { class: 'muted block' }, o.closedReason) : null,
                  ),
                  h('td', null, time(o.sentAt)),
                  h('td', null, time(o.holdExpiresAt)),
                  h(
                    'td',
                    null,
                    h(
                      'ol',
                      { class: 'trail', 'aria-label': `Messages with ${offerName(o)}` },
                      offerTrail(o, detail.messages).map((m) =>
                        h(
                          'li',
                          null,
                          h('time', { datetime: m.createdAt }, time(m.createdAt)),
                          ` ${m.direction === 'INBOUND' ? '← ' : '→ '}${m.purpose} `,
                          m.direction === 'INBOUND'
                            ? h('q', { class: 'msg-body' }, m.body)
                            : deliveryBadge(m.deliveryStatus, m.errorCode),
                        ),
                      ),
                    ),
                  ),
                );
              }),
            ),
      ),
      h('section', { class: 'card' }, h('h2', null, 'Messages'), messagesTable(detail.messages)),
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
              h('strong', null, e.kind.replace(/_/g, ' ').toLowerCase()),
              ` · ${e.summary}`,
            ),
          ),
        ),
      ),
    );
    body.setAttribute('aria-busy', 'false');
  });
  return () => poller.stop();
};
