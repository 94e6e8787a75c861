import { describeError, SessionExpiredError } from '../api/client.js';
import type { PatientDetail } from '../api/types.js';
import { stateBadge } from '../ui/badges.js';
import { formDialog } from '../ui/dialog.js';
import { button, field, h, mount, option } from '../ui/dom.js';
import { full, maskPhone } from '../ui/format.js';
import type { View } from './view.js';

/**
 * A patient record. The phone stays masked until someone presses Reveal: that calls `?reveal=true`,
 * which the API records in the audit log, so seeing a number is always a deliberate, attributable act.
 * Not polled: a record is read, not watched, and a poll would quietly re-reveal.
 */
export const patientView: View = (container, ctx, params) => {
  const patientId = params.patientId ?? '';
  const body = h('div', { 'aria-busy': 'true' });
  mount(container, h('p', null, h('a', { href: '#/waitlist' }, '← Waitlist')), body);
  let alive = true;

  const load = async (reveal: boolean) => {
    try {
      const patient = await ctx.api.get<PatientDetail>(
        `/admin/patients/${encodeURIComponent(patientId)}`,
        reveal ? { reveal: true } : undefined,
      );
      if (alive) render(patient, reveal);
    } catch (error) {
      if (!(error instanceof SessionExpiredError)) ctx.notify.error(describeError(error));
    }
  };

  const render = (p: PatientDetail, revealed: boolean) => {
    const phone = h(
      'span',
      { class: 'mono phone', 'data-revealed': revealed ? 'true' : 'false' },
      revealed ? p.phone : maskPhone(p.phone),
    );
    const changeConsent = () =>
      void formDialog({
        title: 'Record a consent change',
        body: [
          field(
            'Consent',
            h(
              'select',
              { name: 'state' },
              option('OPTED_IN', 'Opted in', p.consent !== 'OPTED_IN'),
              option('OPTED_OUT', 'Opted out', p.consent === 'OPTED_IN'),
            ),
          ),
          field(
            'How it was given',
            h('input', {
              name: 'evidence',
              required: true,
              maxlength: '200',
              placeholder: 'Said so on the phone, 10:15',
            }),
          ),
        ],
        submitLabel: 'Save consent',
        onSubmit: async (data) => {
          await ctx.api.send('POST', `/admin/patients/${encodeURIComponent(patientId)}/consent`, {
            state: String(data.get('state')),
            evidence: String(data.get('evidence') ?? '').trim(),
          });
          ctx.notify.info('Consent recorded.');
          await load(revealed);
        },
      });
    mount(
      body,
      h(
        'div',
        { class: 'page-head' },
        h('h1', { class: 'patient-title' }, p.displayName, p.familyName ? ` ${p.familyName}` : ''),
        stateBadge(p.consent),
      ),
      h(
        'section',
        { class: 'card' },
        h(
          'dl',
          { class: 'facts' },
          h('dt', null, 'Phone'),
          h(
            'dd',
            null,
            phone,
            ' ',
            revealed
              ? h('span', { class: 'muted' }, '(revealed; recorded in the audit log)')
              : button('Reveal', () => void load(true), {
                  title: 'Show the full number (recorded in the audit log)',
                }),
          ),
          h('dt', null, 'Time zone'),
          h('dd', null, p.timeZone ?? 'Clinic default'),
          h('dt', null, 'On file since'),
          h('dd', null, full(p.createdAt)),
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h(
          'div',
          { class: 'row between' },
          h('h2', null, 'Consent history'),
          button('Record consent change', changeConsent),
        ),
        p.consentHistory.length === 0
          ? h('p', { class: 'muted' }, 'No changes recorded.')
          : h(
              'ol',
              { class: 'timeline' },
              [...p.consentHistory]
                .reverse()
                .map((c) =>
                  h(
                    'li',
                    null,
                    h('time', { datetime: c.at }, full(c.at)),
                    ' ',
                    stateBadge(c.state),
                    ` via ${c.source.toLowerCase().replace(/_/g, ' ')}`,
                    c.actor ? ` by ${c.actor}` : '',
                    c.evidence ? ` · “${c.evidence}”` : '',
                  ),
                ),
            ),
      ),
    );
    body.setAttribute('aria-busy', 'false');
  };

  void load(false);
  return () => {
    alive = false;
  };
};
