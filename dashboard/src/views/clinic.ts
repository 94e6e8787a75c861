import { FIELD_LIMITS } from '../../../shared/domain/field-limits.js';
import { describeError, SessionExpiredError } from '../api/client.js';
import { loadReference, type Reference } from '../api/reference.js';
import type { Location, ProviderType, ProviderView } from '../api/types.js';
import { formDialog } from '../ui/dialog.js';
import { button, dataTable, field, h, mount, option } from '../ui/dom.js';
import type { View, ViewContext } from './view.js';

const PROVIDER_TYPES: readonly ProviderType[] = ['MD/DO', 'APP'];

/** The display names go into texts: the hint says how long they may be, and why. */
function smsNameHint(limit: number, what: string): string {
  return `Up to ${limit} characters; it appears in texts to patients (some symbols count as two). ${what}`;
}

function nameInput(value: string, limit: number): HTMLInputElement {
  return h('input', {
    name: 'displayName',
    required: true,
    maxlength: String(limit),
    autocomplete: 'off',
    value,
  });
}

function locationDialog(ctx: ViewContext, done: () => void, existing?: Location): void {
  const limit = FIELD_LIMITS.locationName;
  void formDialog({
    title: existing ? `Rename ${existing.displayName}` : 'Add a location',
    draftKey: existing ? `location:${existing.locationId}` : 'location:new',
    body: field(
      'Display name',
      nameInput(existing?.displayName ?? '', limit),
      smsNameHint(limit, 'Keep it generic, e.g. “Main St”.'),
    ),
    submitLabel: existing ? 'Save location' : 'Add location',
    onSubmit: async (data) => {
      const displayName = String(data.get('displayName') ?? '').trim();
      if (existing) {
        await ctx.api.send('PUT', `/admin/locations/${encodeURIComponent(existing.locationId)}`, {
          displayName,
        });
      } else {
        await ctx.api.send('POST', '/admin/locations', { displayName });
      }
      ctx.notify.info(existing ? 'Location saved.' : `Location ${displayName} added.`);
      done();
    },
  });
}

function providerDialog(ctx: ViewContext, ref: Reference, done: () => void, existing?: ProviderView): void {
  const limit = FIELD_LIMITS.providerName;
  const locations = h(
    'select',
    { name: 'locationIds', multiple: true, size: String(Math.min(5, Math.max(2, ref.locations.length))) },
    ref.locations.map((l) =>
      option(l.locationId, l.displayName, existing?.locationIds.includes(l.locationId)),
    ),
  );
  void formDialog({
    title: existing ? `Edit ${existing.displayName}` : 'Add a provider',
    draftKey: existing ? `provider:${existing.providerId}` : 'provider:new',
    body: [
      field(
        'Display name',
        nameInput(existing?.displayName ?? '', limit),
        smsNameHint(limit, 'E.g. “Dr. Lee”.'),
      ),
      field(
        'Type',
        h(
          'select',
          { name: 'providerType', required: true },
          PROVIDER_TYPES.map((t) => option(t, t, existing?.providerType === t)),
        ),
      ),
      field('Works at', locations, 'Ctrl/Cmd-click to choose more than one.'),
    ],
    submitLabel: existing ? 'Save provider' : 'Add provider',
    onSubmit: async (data) => {
      const body = {
        displayName: String(data.get('displayName') ?? '').trim(),
        providerType: String(data.get('providerType') ?? ''),
        locationIds: data.getAll('locationIds').map(String),
      };
      if (existing) {
        await ctx.api.send('PUT', `/admin/providers/${encodeURIComponent(existing.providerId)}`, body);
      } else {
        await ctx.api.send('POST', '/admin/providers', body);
      }
      ctx.notify.info(existing ? 'Provider saved.' : `Provider ${body.displayName} added.`);
      done();
    },
  });
}

/**
 * Retiring keeps the record (past slots and the audit log name it) but takes it out of the pickers for
 * new cancellations and preferences; the API refuses a new cancellation that names it.
 */
function retireDialog(
  ctx: ViewContext,
  done: () => void,
  target: { kind: 'provider'; record: ProviderView } | { kind: 'location'; record: Location },
): void {
  const { record } = target;
  const retire = !record.retired;
  const path =
    target.kind === 'provider'
      ? `/admin/providers/${encodeURIComponent(target.record.providerId)}`
      : `/admin/locations/${encodeURIComponent(target.record.locationId)}`;
  const {
    providerId: _p,
    locationId: _l,
    retired: _r,
    ...fields
  } = record as Partial<ProviderView & Location>;
  void formDialog({
    title: `${retire ? 'Retire' : 'Reinstate'} ${record.displayName}?`,
    body: h(
      'p',
      null,
      retire
        ? 'No new cancellation can name it. Open slots, past slots and waitlist preferences stay as they are.'
        : 'New cancellations can name it again.',
    ),
    submitLabel: retire ? 'Retire' : 'Reinstate',
    danger: retire,
    onSubmit: async () => {
      await ctx.api.send('PUT', path, { ...fields, retired: retire });
      ctx.notify.info(`${record.displayName} ${retire ? 'retired' : 'reinstated'}.`);
      done();
    },
  });
}

type RetireTarget = Parameters<typeof retireDialog>[2];

function retireButton(ctx: ViewContext, done: () => void, target: RetireTarget): HTMLButtonElement {
  const verb = target.record.retired ? 'Reinstate' : 'Retire';
  return button(verb, () => retireDialog(ctx, done, target), {
    kind: 'ghost',
    title: `${verb} ${target.record.displayName}`,
  });
}

function rowActions(...buttons: HTMLButtonElement[]): HTMLElement {
  return h('div', { class: 'row' }, buttons);
}

function retiredTag(record: { retired?: boolean }): Array<string | HTMLElement> | null {
  return record.retired ? [' ', h('span', { class: 'badge state-expired' }, 'Retired')] : null;
}

function table(caption: string, columns: string[], rows: HTMLTableRowElement[]): HTMLElement {
  return dataTable({ className: 'table table-middle', columns, caption }, rows);
}

/**
 * Admins only (the shell refuses staff before this renders; the API refuses their writes with 403):
 * the clinic's locations and providers, added and edited in dialogs. Names are rendered as text.
 */
export const clinicView: View = (container, ctx) => {
  const body = h('div', { 'aria-live': 'polite' });
  let ref: Reference | undefined;
  let stopped = false;

  const load = async () => {
    try {
      ref = await loadReference(ctx.api);
    } catch (error) {
      if (!(error instanceof SessionExpiredError) && !stopped) ctx.notify.error(describeError(error));
      return;
    }
    if (!stopped) render(ref);
  };
  const reload = () => void load();

  const render = (r: Reference) => {
    mount(
      body,
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'locations-title' },
        h(
          'div',
          { class: 'page-head' },
          h('h2', { id: 'locations-title' }, 'Locations'),
          button('Add location', () => locationDialog(ctx, reload), { kind: 'primary' }),
        ),
        r.locations.length === 0
          ? h('p', { class: 'muted' }, 'No locations yet.')
          : table(
              'Locations',
              ['Name', 'Id', ''],
              r.locations.map((l) =>
                h(
                  'tr',
                  null,
                  h('td', null, l.displayName, retiredTag(l)),
                  h('td', { class: 'mono' }, l.locationId),
                  h(
                    'td',
                    null,
                    rowActions(
                      button('Edit', () => locationDialog(ctx, reload, l), {
                        kind: 'ghost',
                        title: `Rename ${l.displayName}`,
                      }),
                      retireButton(ctx, reload, { kind: 'location', record: l }),
                    ),
                  ),
                ),
              ),
            ),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'providers-title' },
        h(
          'div',
          { class: 'page-head' },
          h('h2', { id: 'providers-title' }, 'Providers'),
          button('Add provider', () => providerDialog(ctx, r, reload), { kind: 'primary' }),
        ),
        r.providers.length === 0
          ? h('p', { class: 'muted' }, 'No providers yet.')
          : table(
              'Providers',
              ['Name', 'Type', 'Locations', 'Id', ''],
              r.providers.map((p) =>
                h(
                  'tr',
                  null,
                  h('td', null, p.displayName, retiredTag(p)),
                  h('td', null, p.providerType),
                  h(
                    'td',
                    null,
                    p.locationIds.length === 0
                      ? '—'
                      : p.locationIds.map((id) => r.locationName(id)).join(', '),
                  ),
                  h('td', { class: 'mono' }, p.providerId),
                  h(
                    'td',
                    null,
                    rowActions(
                      button('Edit', () => providerDialog(ctx, r, reload, p), {
                        kind: 'ghost',
                        title: `Edit ${p.displayName}`,
                      }),
                      retireButton(ctx, reload, { kind: 'provider', record: p }),
                    ),
                  ),
                ),
              ),
            ),
      ),
    );
  };

  mount(
    container,
    h(
      'div',
      { class: 'page-head' },
      h('h1', null, 'Clinic'),
      h(
        'p',
        { class: 'muted' },
        'Where appointments happen and who sees patients. Names here appear in texts.',
      ),
    ),
    body,
  );
  reload();
  return () => {
    stopped = true;
  };
};
