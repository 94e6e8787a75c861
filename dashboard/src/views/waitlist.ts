import {
  AvailabilityFormatError,
  formatAvailability,
  parseAvailability,
} from '../../../shared/domain/availability.js';
import { ApiError, describeError, SessionExpiredError } from '../api/client.js';
import { loadReference, type Reference } from '../api/reference.js';
import type { ImportResponse, Page, RequestBody, WaitlistRow } from '../api/types.js';
import { stateBadge } from '../ui/badges.js';
import { NonexistentWallTimeError, toWallTimeInput } from '../ui/clinic-time.js';
import { formDialog } from '../ui/dialog.js';
import { button, dataTable, field, h, languageSelect, mount, option, patientZoneSelect } from '../ui/dom.js';
import { hasDraft } from '../ui/drafts.js';
import { clinicInputToIso, clinicTimeZone, dateTime, maskPhone, todayInput } from '../ui/format.js';
import { pollInto } from './polling.js';
import type { View, ViewContext } from './view.js';

function nameOf(row: WaitlistRow): string {
  return row.patient?.displayName ?? 'Patient';
}

function entryPath(row: WaitlistRow): string {
  return `/admin/waitlist/${encodeURIComponent(row.patientId)}/${encodeURIComponent(row.entryId)}`;
}

function scoreCell(row: WaitlistRow): HTMLElement {
  const s = row.score;
  const parts: [string, number][] = [
    ['urgent', s.urgent],
    ['boost', s.boost],
    ['appointment', s.appointmentDistance],
    ['seniority', s.seniority],
  ];
  return h(
    'td',
    { class: 'score' },
    h('strong', { class: 'score-total' }, String(s.total)),
    h(
      'span',
      { class: 'score-parts' },
      parts.map(([label, value]) =>
        h('span', { class: ['part', value === 0 && 'part-zero'] }, `${label} ${value}`),
      ),
    ),
  );
}

function preferencesText(row: WaitlistRow, ref: Reference): string {
  const p = row.preferences;
  const bits = [
    p.providerTypes.length ? p.providerTypes.join('/') : '',
    p.providerIds.map((id) => ref.providerName(id)).join(', '),
    p.locationIds.map((id) => ref.locationName(id)).join(', '),
    p.visitTypes.join(', '),
  ].filter(Boolean);
  return bits.length ? bits.join(' · ') : 'Any';
}

function boostDialog(row: WaitlistRow, ctx: ViewContext, done: () => void): void {
  void formDialog({
    title: `Boost ${nameOf(row)}`,
    draftKey: `boost:${row.patientId}:${row.entryId}`,
    body: [
      h(
        'p',
        { class: 'muted' },
        'Boost adds 0 to 40 points to this patient’s priority. The reason is kept in the audit log.',
      ),
      field(
        'Boost (0-40)',
        h('input', {
          type: 'number',
          name: 'boost',
          min: '0',
          max: '40',
          step: '1',
          required: true,
          value: String(row.boost),
        }),
      ),
      field('Reason', h('input', { name: 'reason', required: true, minlength: '3', maxlength: '200' })),
    ],
    submitLabel: 'Save boost',
    onSubmit: async (data) => {
      await ctx.api.send('POST', `${entryPath(row)}/boost`, {
        boost: Number(data.get('boost')),
        reason: String(data.get('reason') ?? '').trim(),
      });
      ctx.notify.info(`Boost saved for ${nameOf(row)}.`);
      done();
    },
  });
}

function deactivateDialog(row: WaitlistRow, ctx: ViewContext, done: () => void): void {
  void formDialog({
    title: `Take ${nameOf(row)} off the waitlist?`,
    draftKey: `deactivate:${row.patientId}:${row.entryId}`,
    body: [
      field(
        'Reason',
        h('input', { name: 'reason', required: true, maxlength: '200', value: 'Booked elsewhere' }),
      ),
    ],
    submitLabel: 'Deactivate',
    danger: true,
    onSubmit: async (data) => {
      await ctx.api.send('POST', `${entryPath(row)}/deactivate`, {
        reason: String(data.get('reason') ?? '').trim(),
      });
      ctx.notify.info(`${nameOf(row)} is off the waitlist.`);
      done();
    },
  });
}

function preferenceFields(ref: Reference, row?: WaitlistRow): HTMLElement[] {
  const multi = (name: string, options: [string, string][], selected: string[]) =>
    h(
      'select',
      { name, multiple: true, size: String(Math.min(4, Math.max(2, options.length))) },
      options.map(([value, label]) => option(value, label, selected.includes(value))),
    );
  return [
    field(
      'Provider types',
      multi(
        'providerTypes',
        [
          ['MD/DO', 'MD/DO'],
          ['APP', 'APP'],
        ],
        row?.preferences.providerTypes ?? [],
      ),
      'None selected = any',
    ),
    field(
      'Providers',
      multi(
        'providerIds',
        // Active ones, plus any retired one this entry already names (so an edit does not drop it).
        ref.providers
          .filter((p) => !p.retired || row?.preferences.providerIds.includes(p.providerId))
          .map((p) => [p.providerId, p.displayName]),
        row?.preferences.providerIds ?? [],
      ),
      'None selected = any',
    ),
    field(
      'Locations',
      multi(
        'locationIds',
        ref.locations
          .filter((l) => !l.retired || row?.preferences.locationIds.includes(l.locationId))
          .map((l) => [l.locationId, l.displayName]),
        row?.preferences.locationIds ?? [],
      ),
      'None selected = any',
    ),
  ];
}

const CONSENT_SOURCES = ['VERBAL', 'WRITTEN', 'PORTAL'] as const;
function consentSource(value: FormDataEntryValue | null): (typeof CONSENT_SOURCES)[number] {
  return CONSENT_SOURCES.find((s) => s === value) ?? 'VERBAL';
}

function preferencesFrom(data: FormData) {
  return {
    providerTypes: data
      .getAll('providerTypes')
      .map(String)
      .filter((t): t is 'MD/DO' | 'APP' => t === 'MD/DO' || t === 'APP'),
    providerIds: data.getAll('providerIds').map(String),
    locationIds: data.getAll('locationIds').map(String),
    visitTypes: String(data.get('visitTypes') ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  };
}

/** The availability text box ("Mon,Tue 08:00-12:00; Thu 15:00-18:00"); a typo is shown in the dialog. */
function availabilityFrom(data: FormData) {
  try {
    return parseAvailability(String(data.get('availability') ?? ''));
  } catch (error) {
    if (error instanceof AvailabilityFormatError) throw new Error(`Available: ${error.message}`);
    throw error;
  }
}

const AVAILABILITY_HINT = `Days and hours in clinic time, e.g. "Mon,Tue 08:00-12:00; Thu 15:00-18:00"; empty = any time`;

/** A datetime-local value as clinic wall time; throws (shown in the dialog) for a skipped DST hour. */
function isoOrUndefined(value: FormDataEntryValue | null): string | undefined {
  if (!value) return undefined;
  try {
    return clinicInputToIso(String(value));
  } catch (error) {
    if (error instanceof NonexistentWallTimeError) throw new Error(`Current appointment: ${error.message}`);
    return undefined;
  }
}

function localInput(iso: string | undefined): string {
  return iso ? toWallTimeInput(iso, clinicTimeZone()) : '';
}

function addDialog(ref: Reference, ctx: ViewContext, done: () => void): void {
  void formDialog({
    title: 'Add a patient to the waitlist',
    draftKey: 'waitlist-add',
    body: h(
      'div',
      { class: 'form-grid' },
      field(
        'First or preferred name',
        h('input', { name: 'displayName', required: true, maxlength: '60', autocomplete: 'off' }),
        'The only name texts ever use',
      ),
      field('Family name', h('input', { name: 'familyName', maxlength: '80', autocomplete: 'off' })),
      field(
        'Mobile phone',
        h('input', { name: 'phone', type: 'tel', required: true, maxlength: '20', autocomplete: 'off' }),
      ),
      field('Texts in', languageSelect()),
      field(
        'Lives in time zone',
        patientZoneSelect(),
        'Texts go out only during contact hours there; visit times in texts stay in clinic time',
      ),
      field(
        'Consent to texts given by',
        h(
          'select',
          { name: 'consentSource', required: true },
          option('VERBAL', 'Verbal, at the desk'),
          option('WRITTEN', 'Written form'),
          option('PORTAL', 'Patient portal'),
        ),
      ),
      field('Current appointment', h('input', { type: 'datetime-local', name: 'currentAppointmentAt' })),
      field(
        'Visit types',
        h('input', { name: 'visitTypes', placeholder: 'follow-up, new' }),
        'Comma-separated; empty = any',
      ),
      field(
        'Available',
        h('input', { name: 'availability', placeholder: 'Mon-Fri 08:00-12:00', maxlength: '300' }),
        AVAILABILITY_HINT,
      ),
      ...preferenceFields(ref),
      field('Urgent', h('input', { type: 'checkbox', name: 'urgent' })),
      field('Send a welcome text', h('input', { type: 'checkbox', name: 'sendWelcome' })),
      field('Notes', h('textarea', { name: 'notes', maxlength: '500', rows: '2' })),
    ),
    submitLabel: 'Add to waitlist',
    onSubmit: async (data) => {
      const familyName = String(data.get('familyName') ?? '').trim();
      const notes = String(data.get('notes') ?? '').trim();
      const currentAppointmentAt = isoOrUndefined(data.get('currentAppointmentAt'));
      const availability = availabilityFrom(data);
      const body: RequestBody<'waitlist.create'> = {
        patient: {
          displayName: String(data.get('displayName') ?? '').trim(),
          ...(familyName ? { familyName } : {}),
          phone: String(data.get('phone') ?? '').trim(),
          language: data.get('language') === 'es' ? 'es' : 'en',
          ...(data.get('timeZone') ? { timeZone: String(data.get('timeZone')) } : {}),
          consentSource: consentSource(data.get('consentSource')),
          sendWelcome: data.get('sendWelcome') === 'on',
        },
        entry: {
          urgent: data.get('urgent') === 'on',
          preferences: preferencesFrom(data),
          ...(currentAppointmentAt ? { currentAppointmentAt } : {}),
          ...(availability.length > 0 ? { availability } : {}),
          ...(notes ? { notes } : {}),
        },
      };
      await ctx.api.send('POST', '/admin/waitlist', body);
      ctx.notify.info('Patient added.');
      done();
    },
  });
}

function editDialog(row: WaitlistRow, ref: Reference, ctx: ViewContext, done: () => void): void {
  const urgent = h('input', { type: 'checkbox', name: 'urgent', props: { checked: row.urgent } });
  void formDialog({
    title: `Edit ${nameOf(row)}`,
    draftKey: `edit:${row.patientId}:${row.entryId}`,
    body: h(
      'div',
      { class: 'form-grid' },
      field(
        'Current appointment',
        h('input', {
          type: 'datetime-local',
          name: 'currentAppointmentAt',
          value: localInput(row.currentAppointmentAt),
        }),
      ),
      field(
        'Visit types',
        h('input', { name: 'visitTypes', value: row.preferences.visitTypes.join(', ') }),
        'Comma-separated; empty = any',
      ),
      field(
        'Available',
        h('input', { name: 'availability', value: formatAvailability(row.availability), maxlength: '300' }),
        AVAILABILITY_HINT,
      ),
      ...preferenceFields(ref, row),
      field('Urgent', urgent),
      field(
        'Notes',
        h('textarea', { name: 'notes', maxlength: '500', rows: '2', props: { value: row.notes ?? '' } }),
      ),
    ),
    submitLabel: 'Save changes',
    onSubmit: async (data) => {
      const currentAppointmentAt = isoOrUndefined(data.get('currentAppointmentAt'));
      const notes = String(data.get('notes') ?? '').trim();
      const body: RequestBody<'waitlist.update'> = {
        urgent: data.get('urgent') === 'on',
        preferences: preferencesFrom(data),
        // null clears: the patient no longer holds an appointment / the note was emptied.
        currentAppointmentAt: currentAppointmentAt ?? null,
        availability: availabilityFrom(data),
        notes: notes === '' ? null : notes,
      };
      await ctx.api.send('PATCH', entryPath(row), body);
      ctx.notify.info('Saved.');
      done();
    },
  });
}

async function exportCsv(ctx: ViewContext): Promise<void> {
  const response = await ctx.api.text('GET', '/admin/waitlist/export');
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: `waitlist-${todayInput()}.csv`, class: 'sr-only' }, 'download');
  document.body.append(link);
  link.click();
  link.remove();
  // Give the download a moment to start before the blob URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function importSection(ctx: ViewContext, done: () => void): HTMLElement {
  const file = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', required: true });
  const result = h('div', { class: 'import-result', role: 'status', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'row import', 'aria-label': 'Import CSV' },
    field('CSV file', file),
    h('button', { type: 'submit', class: 'btn' }, 'Import'),
    button('Export CSV', () => void exportCsv(ctx).catch((e: unknown) => ctx.notify.error(describeError(e)))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) {
      result.textContent = 'Choose a CSV file first.';
      return;
    }
    void chosen
      .text()
      .then((csv) => ctx.api.text('POST', '/admin/waitlist/import', csv))
      .then(async (response) => {
        const body = (await response.json()) as ImportResponse;
        mount(result, h('p', null, `Imported ${body.imported} row(s).`));
        file.value = '';
        done();
      })
      .catch((e: unknown) => {
        if (e instanceof SessionExpiredError) return;
        // The API refuses a file with any bad row whole and lists every bad cell by spreadsheet row.
        const problems =
          e instanceof ApiError
            ? [
                ...e.rows.map((r) => `Row ${r.row}, ${r.field}: ${r.message}`),
                ...e.fields.map((f) => `${f.field}: ${f.message}`),
              ]
            : [];
        const rows =
          problems.length > 0
            ? h(
                'ul',
                { class: 'errors' },
                problems.map((p) => h('li', null, p)),
              )
            : null;
        mount(
          result,
          h('p', { class: 'form-error' }, `Import refused: ${e instanceof Error ? e.message : String(e)}`),
          rows,
        );
      });
  });
  return h(
    'section',
    { class: 'card' },
    h('h2', null, 'CSV import and export'),
    h('p', { class: 'muted' }, 'A file with any bad row is refused whole, with each row’s problem listed.'),
    form,
    result,
  );
}

export const waitlistView: View = (container, ctx) => {
  const providerType = h(
    'select',
    { name: 'providerType' },
    option('', 'Any'),
    option('MD/DO', 'MD/DO'),
    option('APP', 'APP'),
  );
  const location = h('select', { name: 'locationId' }, option('', 'Any'));
  const urgent = h(
    'select',
    { name: 'urgent' },
    option('', 'Any'),
    option('true', 'Urgent only'),
    option('false', 'Not urgent'),
  );
  const list = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' });
  const more = h('p', { class: 'muted' });
  const filters = h(
    'form',
    { class: 'filters card', role: 'search', 'aria-label': 'Filter the waitlist' },
    field('Provider type', providerType),
    field('Location', location),
    field('Urgency', urgent),
  );
  const addButton = button('Add patient', () => undefined, { kind: 'primary' });
  const importSlot = h('div');
  mount(
    container,
    h('div', { class: 'page-head' }, h('h1', null, 'Waitlist'), addButton),
    filters,
    list,
    more,
    importSlot,
  );

  let ref: Reference | undefined;
  let last = '';
  const refresh = () => void poller.refresh();

  const render = (rows: WaitlistRow[], reference: Reference) => {
    mount(
      list,
      rows.length === 0
        ? h('p', { class: 'card muted' }, 'Nobody on the waitlist matches these filters.')
        : dataTable(
            {
              className: 'table waitlist',
              columns: ['#', 'Patient', 'Phone', 'Consent', 'Score', 'Wants', 'Current appt.', 'Actions'],
            },
            rows.map((row, index) =>
              h(
                'tr',
                { 'data-patient': row.patientId, 'data-entry': row.entryId },
                // The API returns the list in rank order (the index it ranks offers by).
                h('td', { class: 'rank' }, String(index + 1)),
                h(
                  'td',
                  null,
                  h(
                    'a',
                    { href: `#/patients/${encodeURIComponent(row.patientId)}`, class: 'patient-name' },
                    nameOf(row),
                    row.patient?.familyName ? ` ${row.patient.familyName}` : '',
                  ),
                  row.urgent ? h('span', { class: 'badge state-urgent' }, 'Urgent') : null,
                  row.patient?.language === 'es'
                    ? h('span', { class: 'badge lang', title: 'Texted in Spanish' }, 'ES')
                    : null,
                  row.boostReason ? h('small', { class: 'muted block' }, `Boost: ${row.boostReason}`) : null,
                ),
                h('td', { class: 'mono' }, maskPhone(row.patient?.phoneMasked)),
                h('td', null, stateBadge(row.patient?.consent ?? 'OPTED_IN')),
                scoreCell(row),
                h(
                  'td',
                  null,
                  preferencesText(row, reference),
                  row.availability?.length
                    ? h(
                        'small',
                        { class: 'muted block availability' },
                        `Available ${formatAvailability(row.availability)}`,
                      )
                    : null,
                ),
                h('td', null, dateTime(row.currentAppointmentAt)),
                h(
                  'td',
                  { class: 'row-actions' },
                  button('Boost', () => boostDialog(row, ctx, refresh), {
                    title: `Boost ${nameOf(row)}`,
                  }),
                  button('Edit', () => editDialog(row, reference, ctx, refresh)),
                  button('Deactivate', () => deactivateDialog(row, ctx, refresh), { kind: 'danger' }),
                ),
              ),
            ),
          ),
    );
    list.setAttribute('aria-busy', 'false');
  };

  const poller = pollInto(ctx, async () => {
    if (!ref) {
      ref = await loadReference(ctx.api);
      for (const l of ref.locations) location.append(option(l.locationId, l.displayName));
      const reference = ref;
      addButton.addEventListener('click', () => addDialog(reference, ctx, refresh));
      mount(importSlot, importSection(ctx, refresh));
      // An expired session interrupted an add: bring the dialog and its text back.
      if (hasDraft('waitlist-add')) addDialog(reference, ctx, refresh);
    }
    const page = await ctx.api.get<Page<WaitlistRow>>('/admin/waitlist', {
      providerType: providerType.value,
      locationId: location.value,
      urgent: urgent.value,
      limit: 100,
    });
    more.textContent = page.cursor ? 'Showing the first 100 in rank order; narrow with the filters.' : '';
    const json = JSON.stringify(page.items);
    if (json === last) return;
    last = json;
    // Nobody types in the table, but a keyboard user may be on a row's button: keep them there.
    const focused = document.activeElement;
    const focusKey = focused?.closest('tr')?.getAttribute('data-patient');
    const focusText = focused?.textContent;
    render(page.items, ref);
    if (focusKey) {
      const row = list.querySelector(`tr[data-patient="${CSS.escape(focusKey)}"]`);
      Array.from(row?.querySelectorAll<HTMLElement>('a, button') ?? [])
        .find((el) => el.textContent === focusText)
        ?.focus();
    }
  });
  filters.addEventListener('submit', (e) => e.preventDefault());
  filters.addEventListener('change', refresh);
  return () => poller.stop();
};
