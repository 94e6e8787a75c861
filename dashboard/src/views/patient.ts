import { describeError, SessionExpiredError } from '../api/client.js';
import type { PatientDetail, RequestBody } from '../api/types.js';
import { stateBadge } from '../ui/badges.js';
import { formDialog } from '../ui/dialog.js';
import { button, field, h, languageSelect, mount, option, patientZoneSelect } from '../ui/dom.js';
import { dateTime, full, maskPhone } from '../ui/format.js';
import type { View } from './view.js';

/**
 * A patient record. The phone stays masked until someone presses Reveal: that calls `?reveal=true`,
 * which the API records in the audit log, so seeing a number is always a deliberate, attributable act.
 * Not polled: a record is read, not watched, and polling would quietly repeat the reveal.
 */
export const patientView: View = (container, ctx, params) => {
  const patientId = params.patientId ?? '';
  const body = h('div', { 'aria-busy': 'true' });
  mount(container, h('p', null, h('a', { href: '#/waitlist', class: 'btn btn-ghost' }, '← Waitlist')), body);
  let alive = true;

  const load = async (reveal: boolean) => {
    try {
      const detail = await ctx.api.get<PatientDetail>(
        `/admin/patients/${encodeURIComponent(patientId)}`,
        reveal ? { reveal: true } : undefined,
      );
      if (alive) render(detail, reveal);
    } catch (error) {
      if (!(error instanceof SessionExpiredError)) ctx.notify.error(describeError(error));
    }
  };

  const render = (detail: PatientDetail, revealed: boolean) => {
    const p = detail.patient;
    const shown = revealed && p.phone ? p.phone : maskPhone(p.phoneMasked);
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
            'How the patient asked',
            h('input', {
              name: 'note',
              required: true,
              maxlength: '300',
              placeholder: 'Asked at the desk, 10:15',
            }),
          ),
        ],
        draftKey: `consent:${patientId}`,
        submitLabel: 'Save consent',
        onSubmit: async (data) => {
          const request: RequestBody<'patients.consent'> = {
            state: data.get('state') === 'OPTED_OUT' ? 'OPTED_OUT' : 'OPTED_IN',
            note: String(data.get('note') ?? '').trim(),
          };
          await ctx.api.send('POST', `/admin/patients/${encodeURIComponent(patientId)}/consent`, request);
          ctx.notify.info('Consent recorded.');
          await load(revealed);
        },
      });
    const editDetails = () =>
      void formDialog({
        title: 'Edit patient details',
        body: [
          field(
            'First or preferred name',
            h('input', {
              name: 'displayName',
              required: true,
              maxlength: '60',
              autocomplete: 'off',
              value: p.displayName,
            }),
            'The only name texts ever use',
          ),
          field(
            'Family name',
            h('input', {
              name: 'familyName',
              maxlength: '80',
              autocomplete: 'off',
              value: p.familyName ?? '',
            }),
          ),
          field('Texts in', languageSelect(p.language)),
          field(
            'Lives in time zone',
            patientZoneSelect(p.timeZone),
            'Texts go out only during contact hours there; visit times in texts stay in clinic time',
          ),
        ],
        draftKey: `patient:${patientId}`,
        submitLabel: 'Save details',
        onSubmit: async (data) => {
          const familyName = String(data.get('familyName') ?? '').trim();
          const request: RequestBody<'patients.update'> = {
            displayName: String(data.get('displayName') ?? '').trim(),
            // An emptied field clears the family name on file.
            familyName: familyName || null,
            language: data.get('language') === 'es' ? 'es' : 'en',
            // "Clinic's zone" clears the patient's own.
            timeZone: String(data.get('timeZone') ?? '') || null,
          };
          await ctx.api.send('PATCH', `/admin/patients/${encodeURIComponent(patientId)}`, request);
          ctx.notify.info('Details saved.');
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
        button('Edit details', editDetails),
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
            h('span', { class: 'mono phone', 'data-revealed': String(revealed) }, shown),
            ' ',
            revealed
              ? h('span', { class: 'muted' }, '(revealed; recorded in the audit log)')
              : button('Reveal', () => void load(true), {
                  title: 'Show the full number (recorded in the audit log)',
                }),
          ),
          h('dt', null, 'Texts in'),
          h('dd', { class: 'language' }, p.language === 'es' ? 'Spanish' : 'English'),
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
        detail.consentHistory.length === 0
          ? h('p', { class: 'muted' }, 'No changes recorded.')
          : h(
              'ol',
              { class: 'timeline' },
              [...detail.consentHistory]
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
      h(
        'section',
        { class: 'card' },
        h('h2', null, 'Waitlist entries'),
        detail.entries.length === 0
          ? h('p', { class: 'muted' }, 'None.')
          : h(
              'ul',
              { class: 'timeline' },
              detail.entries.map((e) =>
                h(
                  'li',
                  null,
                  e.active ? 'Active' : `Inactive${e.deactivatedReason ? ` (${e.deactivatedReason})` : ''}`,
                  ` · joined ${dateTime(e.joinedAt)} · boost ${e.boost}`,
                  e.urgent ? ' · urgent' : '',
                  e.score ? ` · score ${e.score.total}` : '',
                ),
              ),
            ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', null, 'Offers'),
        detail.offers.length === 0
          ? h('p', { class: 'muted' }, 'No offers yet.')
          : h(
              'ul',
              { class: 'timeline' },
              detail.offers.map((o) =>
                h(
                  'li',
                  null,
                  h('a', { href: `#/slots/${encodeURIComponent(o.slotId)}` }, dateTime(o.sentAt)),
                  ' ',
                  stateBadge(o.state),
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
