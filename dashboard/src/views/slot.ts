import { WHY_NOT_PHRASES, whyNot } from '../../../shared/domain/why-not.js';
import { last4, offerName, offerTrail } from '../api/offers.js';
import type { SlotDetail } from '../api/types.js';
import { deliveryBadge, stateBadge } from '../ui/badges.js';
import { dataTable, h, mount } from '../ui/dom.js';
import { dateTime, full, slotTuning, time } from '../ui/format.js';
import { messagesTable } from './messages-table.js';
import { pollInto } from './polling.js';
import type { View } from './view.js';

/** Why patients were left out of the last batch, by reason and count ("nobody eligible" explained). */
function whyNotSection(slot: SlotDetail['slot']): HTMLElement {
  const last = slot.lastSelection;
  const reasons = last ? whyNot(last.excluded).filter((r) => r.reason !== 'ALREADY_OFFERED') : [];
  return h(
    'section',
    { class: 'card why-not' },
    h('h2', null, 'Who was left out, and why'),
    !last
      ? h('p', { class: 'muted' }, 'No batch has been chosen yet.')
      : h(
          'div',
          null,
          h(
            'p',
            { class: 'muted' },
            `Batch ${last.batch} at ${time(last.at)}: ${last.chosen} offered${last.excluded.ALREADY_OFFERED ? `, ${last.excluded.ALREADY_OFFERED} already offered earlier` : ''}.`,
          ),
          reasons.length === 0
            ? h('p', null, 'Nobody else was left out.')
            : h(
                'ul',
                { class: 'why-not-reasons' },
                reasons.map((r) =>
                  h('li', { 'data-reason': r.reason }, `${r.count} ${WHY_NOT_PHRASES[r.reason]}`),
                ),
              ),
          h('p', { class: 'muted' }, 'A patient can be left out for more than one reason.'),
        ),
  );
}

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
      whyNotSection(slot),
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
