import { forEachLimited } from '../../../shared/engine/concurrency.js';
import { describeError, SessionExpiredError } from '../api/client.js';
import { filledBy, last4, offerDelivery, offerName } from '../api/offers.js';
import { loadReference, type Reference } from '../api/reference.js';
import type { MessageView, OfferView, Page, SlotDetail, SlotView } from '../api/types.js';
import { deliveryBadge, stateBadge } from '../ui/badges.js';
import { NonexistentWallTimeError } from '../ui/clinic-time.js';
import { formDialog } from '../ui/dialog.js';
import { button, field, h, mount, option } from '../ui/dom.js';
import { keepDraft } from '../ui/drafts.js';
import {
  clinicInputToIso,
  clinicTimeZone,
  countdown,
  dateTime,
  slotTuning,
  time,
  todayInput,
  zoneAbbr,
} from '../ui/format.js';
import { pollInto } from './polling.js';
import type { View, ViewContext } from './view.js';

/** Detail requests per refresh run in small groups: a busy morning must not fire 40 at once. */
const DETAIL_CONCURRENCY = 4;

/** Countdown text lives in [data-countdown] spans that a 1 s ticker updates without re-rendering. */
function countdownEl(targetIso: string | undefined, label: string): HTMLElement {
  return h(
    'span',
    { class: 'countdown' },
    `${label} `,
    h('strong', { 'data-countdown': targetIso ?? '' }, countdown(targetIso)),
  );
}

function offerRow(offer: OfferView, messages: MessageView[]): HTMLElement {
  const delivery = offerDelivery(offer, messages);
  const digits = last4(offer.patient?.phoneMasked);
  return h(
    'li',
    { class: ['offer', `offer-${offer.state.toLowerCase()}`], 'data-patient': offer.patientId },
    h('span', { class: 'offer-name' }, offerName(offer)),
    digits ? h('span', { class: 'muted mono' }, `••${digits}`) : h('span'),
    stateBadge(offer.state),
    deliveryBadge(delivery?.deliveryStatus ?? 'queued', delivery?.errorCode) ?? h('span'),
  );
}

function batches(offers: OfferView[], messages: MessageView[]): HTMLElement[] {
  const groups = new Map<number, OfferView[]>();
  for (const offer of offers) groups.set(offer.batch, [...(groups.get(offer.batch) ?? []), offer]);
  return [...groups.entries()]
    .sort(([a], [b]) => b - a)
    .map(([batch, list]) =>
      h(
        'section',
        { class: 'batch', 'aria-label': `Batch ${batch}` },
        h('h4', null, `Batch ${batch}`, h('span', { class: 'muted' }, ` · sent ${time(list[0]?.sentAt)}`)),
        h(
          'ul',
          { class: 'offers' },
          list.map((o) => offerRow(o, messages)),
        ),
      ),
    );
}

function slotCard(
  detail: SlotDetail,
  ref: Reference,
  ctx: ViewContext,
  refresh: () => void,
  justFilled: boolean,
): HTMLElement {
  const { slot } = detail;
  const provider = detail.provider?.displayName ?? ref.providerName(slot.providerId);
  const location = detail.location?.displayName ?? ref.locationName(slot.locationId);
  const filled = slot.status === 'FILLED';
  const winner = filledBy(detail);
  const titleId = `slot-${slot.slotId}`;

  const withdraw = () =>
    void formDialog({
      title: 'Withdraw this slot?',
      body: h(
        'p',
        null,
        `${dateTime(slot.startAt)} with ${provider}. Pending offers are cancelled and patients who reply are told the slot is gone.`,
      ),
      submitLabel: 'Withdraw slot',
      danger: true,
      onSubmit: async () => {
        await ctx.api.send('POST', `/admin/slots/${encodeURIComponent(slot.slotId)}/withdraw`, {});
        ctx.notify.info('Slot withdrawn.');
        refresh();
      },
    });

  const markBooked = async (target: HTMLButtonElement) => {
    target.disabled = true;
    try {
      await ctx.api.send('POST', `/admin/slots/${encodeURIComponent(slot.slotId)}/booked`, {});
      ctx.notify.info('Marked as booked in the EHR.');
      refresh();
    } catch (error) {
      if (!(error instanceof SessionExpiredError)) ctx.notify.error(describeError(error));
      target.disabled = false;
    }
  };

  // Cascading backfill ("ask" mode): the appointment this slot's winner freed, logged in one click.
  const logFreed = async (target: HTMLButtonElement) => {
    target.disabled = true;
    try {
      await ctx.api.send('POST', `/admin/slots/${encodeURIComponent(slot.slotId)}/log-freed`, {});
      ctx.notify.info('The freed appointment is on the board now.');
      refresh();
    } catch (error) {
      if (!(error instanceof SessionExpiredError)) ctx.notify.error(describeError(error));
      target.disabled = false;
    }
  };

  // The API refuses (and says why) when nobody is left or it is outside contact hours; the message
  // shows as the notice, and nothing changes.
  const nextBatch = async (target: HTMLButtonElement) => {
    target.disabled = true;
    try {
      const after = await ctx.api.send<{ currentBatch: number }>(
        'POST',
        `/admin/slots/${encodeURIComponent(slot.slotId)}/next-batch`,
        // The batch on screen: if the hold has already moved on, the API says so instead of skipping one.
        { afterBatch: slot.currentBatch },
      );
      ctx.notify.info(`Batch ${after.currentBatch} is going out.`);
      refresh();
    } catch (error) {
      if (!(error instanceof SessionExpiredError)) ctx.notify.error(describeError(error));
      target.disabled = false;
    }
  };

  const actions: HTMLElement[] = [];
  if (slot.status === 'OPEN' && slot.phase === 'HOLDING') {
    actions.push(
      button('Send next batch now', (e) => void nextBatch(e.currentTarget as HTMLButtonElement), {
        title: 'Text the next patients now instead of waiting for the hold to end',
      }),
    );
  }
  if (slot.status === 'OPEN') {
    actions.push(button('Withdraw', withdraw, { kind: 'danger' }));
  }
  if (filled && !slot.bookedInEhr) {
    actions.push(
      button('Mark booked in EHR', (e) => void markBooked(e.currentTarget as HTMLButtonElement), {
        kind: 'primary',
      }),
    );
  }
  if (slot.freedAppointment && !slot.freedSlotId) {
    actions.push(
      button(
        `Log the freed slot (${dateTime(slot.freedAppointment.startAt)})`,
        (e) => void logFreed(e.currentTarget as HTMLButtonElement),
        { kind: 'primary', title: "The patient's old appointment is free now: offer it to the waitlist" },
      ),
    );
  }
  actions.push(
    h('a', { class: 'btn btn-ghost', href: `#/slots/${encodeURIComponent(slot.slotId)}` }, 'Details'),
  );

  return h(
    'article',
    {
      class: ['slot-card', `slot-${slot.status.toLowerCase()}`, justFilled && 'just-filled'],
      'aria-labelledby': titleId,
      'data-slot': slot.slotId,
    },
    h(
      'header',
      { class: 'slot-head' },
      h('h3', { id: titleId }, dateTime(slot.startAt)),
      stateBadge(slot.status),
      h(
        'p',
        { class: 'slot-meta' },
        `${provider} · ${location} · ${slot.visitType} · ${slot.durationMinutes} min`,
        // Only when staff chose them for this slot; otherwise the clinic's settings apply.
        slotTuning(slot) ? h('span', { class: 'slot-tuning' }, ` · ${slotTuning(slot)}`) : null,
      ),
      // The chain: this opening exists because a patient moved earlier (cascading backfill).
      slot.chain
        ? h(
            'p',
            { class: 'slot-chain' },
            `Freed when its patient moved to an earlier slot (chain step ${slot.chain.depth}) `,
            h(
              'a',
              { href: `#/slots/${encodeURIComponent(slot.chain.parentSlotId)}` },
              'see the earlier slot',
            ),
          )
        : null,
      slot.freedSlotId
        ? h(
            'p',
            { class: 'slot-chain' },
            "Its patient's old appointment was logged as a new opening: ",
            h('a', { href: `#/slots/${encodeURIComponent(slot.freedSlotId)}` }, 'see it'),
          )
        : null,
    ),
    filled
      ? h(
          'div',
          { class: 'filled-banner', role: 'status' },
          h('span', { class: 'filled-word' }, 'FILLED'),
          h('span', { class: 'filled-who' }, winner ? `by ${winner}` : ''),
          h('span', { class: 'muted' }, slot.filledAt ? ` at ${time(slot.filledAt)}` : ''),
          slot.bookedInEhr
            ? h('span', { class: 'booked' }, `✓ Booked in EHR by ${slot.bookedInEhr.by}`)
            : h('span', { class: 'todo' }, 'Book it in the EHR, then mark it here'),
          // The booking may be empty now: only a call can tell.
          slot.winnerChangedMind
            ? h(
                'span',
                { class: 'todo changed-mind', role: 'alert' },
                slot.winnerChangedMind.how === 'DECLINED'
                  ? 'The patient said they cannot come. Call them.'
                  : 'The patient opted out of texts. Call them to confirm the visit.',
              )
            : null,
        )
      : null,
    slot.status === 'OPEN'
      ? h(
          'div',
          { class: 'countdowns' },
          countdownEl(slot.startAt, 'Starts in'),
          // The hold runs from the moment a batch is texted, whether or not the phase has caught up.
          slot.holdExpiresAt && Date.parse(slot.holdExpiresAt) > Date.now()
            ? countdownEl(slot.holdExpiresAt, `Batch ${slot.currentBatch} hold ends in`)
            : h(
                'span',
                { class: 'countdown muted next-step' },
                slot.nextStep
                  ? nextStepText(slot.nextStep)
                  : slot.phase === 'WAITING'
                    ? 'Waiting to send'
                    : titleCaseSafe(slot.phase),
              ),
        )
      : null,
    detail.offers.length > 0
      ? batches(detail.offers, detail.messages)
      : h('p', { class: 'muted' }, 'No offers sent yet.'),
    h('div', { class: 'row actions' }, actions),
  );
}

/** What the slot waits for, in the front desk's words, with the clinic-time moment it ends. */
function nextStepText(step: NonNullable<SlotView['nextStep']>): string {
  const at = time(step.at);
  switch (step.kind) {
    case 'FIRST_BATCH':
      return `Batch 1 goes out at ${at} (a few minutes to fix typos first)`;
    case 'CONTACT_HOURS':
      return `Waiting for contact hours: texts go out at ${at}`;
    case 'CANDIDATES_BUSY':
      return `Everyone who could take it holds another offer or is at their cap; looking again at ${at}`;
    case 'HOURLY_CAP':
      return `Held back by the clinic's hourly text limit until ${at}`;
    case 'PROVIDER_RETRY':
      return `The SMS provider is not answering; trying again at ${at}`;
  }
}

function titleCaseSafe(value: string): string {
  return value.charAt(0) + value.slice(1).toLowerCase();
}

function logCancellationForm(ref: Reference, ctx: ViewContext, refresh: () => void): HTMLElement {
  const provider = h(
    'select',
    { name: 'providerId', required: true },
    ref.activeProviders.map((p) => option(p.providerId, `${p.displayName} (${p.providerType})`)),
  );
  const location = h(
    'select',
    { name: 'locationId', required: true },
    ref.activeLocations.map((l) => option(l.locationId, l.displayName)),
  );
  // Offer only the places the chosen provider works (the API refuses a mismatch anyway).
  const syncLocations = () => {
    const chosen = ref.activeProviders.find((p) => p.providerId === provider.value);
    const allowed =
      chosen && chosen.locationIds.length > 0
        ? ref.activeLocations.filter((l) => chosen.locationIds.includes(l.locationId))
        : ref.activeLocations;
    const kept = location.value;
    location.replaceChildren(...allowed.map((l) => option(l.locationId, l.displayName)));
    if (allowed.some((l) => l.locationId === kept)) location.value = kept;
  };
  provider.addEventListener('change', syncLocations);
  syncLocations();
  const start = h('input', { type: 'datetime-local', name: 'startAt', required: true });
  const duration = h('input', {
    type: 'number',
    name: 'durationMinutes',
    min: '5',
    max: '480',
    step: '5',
    value: '30',
    required: true,
  });
  const visitType = h('input', { name: 'visitType', required: true, maxlength: '60', value: 'follow-up' });
  // Empty = the clinic's settings; a same-day opening may want more patients at once and a shorter hold.
  const batchSize = h('input', {
    type: 'number',
    name: 'batchSize',
    min: '1',
    max: String(ctx.clinic.maxSlotBatchSize),
    step: '1',
    placeholder: String(ctx.clinic.batchSize),
  });
  const holdMinutes = h('input', {
    type: 'number',
    name: 'holdMinutes',
    min: '3',
    max: '240',
    step: '1',
    placeholder: String(ctx.clinic.holdMinutes),
  });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'log-form card', 'aria-labelledby': 'log-title', novalidate: true },
    h('h2', { id: 'log-title' }, 'Log a cancellation'),
    h(
      'div',
      { class: 'form-grid' },
      field('Provider', provider),
      field('Location', location),
      field('Starts', start, `Clinic time (${zoneAbbr()})`),
      field('Minutes', duration),
      field('Visit type', visitType),
      field('Patients per batch', batchSize, `Empty = clinic setting (${ctx.clinic.batchSize})`),
      field('Hold length', holdMinutes, `Minutes; empty = clinic setting (${ctx.clinic.holdMinutes})`),
    ),
    error,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Log cancellation')),
  );
  const draft = keepDraft(form, 'log-cancellation');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!form.reportValidity()) return;
    // A clinic wall time, whatever zone this device is in.
    let startAt: string;
    try {
      startAt = clinicInputToIso(start.value);
    } catch (e) {
      error.textContent =
        e instanceof NonexistentWallTimeError ? `Starts: ${e.message}` : 'Starts: pick a date and time.';
      return;
    }
    const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
    if (submit) submit.disabled = true;
    ctx.api
      .send<SlotView>('POST', '/admin/slots', {
        providerId: provider.value,
        locationId: location.value,
        startAt,
        durationMinutes: Number(duration.value),
        visitType: visitType.value.trim(),
        ...(batchSize.value ? { batchSize: Number(batchSize.value) } : {}),
        ...(holdMinutes.value ? { holdMinutes: Number(holdMinutes.value) } : {}),
      })
      .then(() => {
        draft.clear();
        start.value = '';
        // A slot's own tuning is for that slot: the next one starts from the clinic's settings again.
        batchSize.value = '';
        holdMinutes.value = '';
        ctx.notify.info('Cancellation logged. Offers go out in a moment.');
        refresh();
      })
      .catch((e: unknown) => {
        if (!(e instanceof SessionExpiredError)) error.textContent = describeError(e);
      })
      .finally(() => {
        if (submit) submit.disabled = false;
      });
  });
  return form;
}

export const boardView: View = (container, ctx) => {
  const grid = h('div', { class: 'slot-grid', 'aria-live': 'polite', 'aria-busy': 'true' });
  const formSlot = h('div');
  mount(
    container,
    h(
      'div',
      { class: 'page-head' },
      h('h1', null, 'Live board'),
      h(
        'p',
        { class: 'muted' },
        'Open slots and today’s fills. Refreshes every 5 seconds. ',
        h(
          'strong',
          { class: 'zone-note', title: clinicTimeZone() },
          `Times in ${zoneAbbr()} (${clinicTimeZone()}).`,
        ),
        ` Offers are texted ${ctx.clinic.contactHours.start}–${ctx.clinic.contactHours.end} clinic time.`,
      ),
    ),
    h('div', { class: 'board-layout' }, h('div', { class: 'board-slots' }, grid), formSlot),
  );

  let ref: Reference | undefined;
  let lastJson = '';
  /** When this screen first saw each slot FILLED: the flash plays for fills seen happening, not old ones. */
  const seenFilled = new Map<string, number>();
  let firstRun = true;
  // Only the poll's own error is cleared by the poll's next success; an action's error stays up.

  const poller = pollInto(ctx, async () => {
    ref ??= await loadReference(ctx.api);
    if (formSlot.childElementCount === 0)
      mount(
        formSlot,
        logCancellationForm(ref, ctx, () => void poller.refresh()),
      );
    const [open, filled] = await Promise.all([
      ctx.api.get<Page<SlotView>>('/admin/slots', { status: 'OPEN', limit: 100 }),
      ctx.api.get<Page<SlotView>>('/admin/slots', { status: 'FILLED', from: todayInput(), limit: 100 }),
    ]);
    const slots = [...open.items, ...filled.items].sort((a, b) => a.startAt.localeCompare(b.startAt));
    const details = await forEachLimited(slots, DETAIL_CONCURRENCY, (s) =>
      ctx.api.get<SlotDetail>(`/admin/slots/${encodeURIComponent(s.slotId)}`),
    );
    const json = JSON.stringify(details);
    // Unchanged data: leave the DOM (and the keyboard focus in it) alone.
    if (json === lastJson) return;
    lastJson = json;
    for (const d of details) {
      if (d.slot.status === 'FILLED' && !seenFilled.has(d.slot.slotId)) {
        seenFilled.set(d.slot.slotId, firstRun ? 0 : Date.now());
        if (!firstRun) ctx.notify.info(`Slot at ${time(d.slot.startAt)} is FILLED.`);
      }
    }
    firstRun = false;
    const focusedSlot = (document.activeElement?.closest('[data-slot]') as HTMLElement | null)?.dataset.slot;
    const focusedText = document.activeElement?.textContent;
    const currentRef = ref;
    mount(
      grid,
      details.length === 0
        ? h('p', { class: 'empty card' }, 'No open slots. Log a cancellation to start filling it.')
        : details.map((d) =>
            slotCard(
              d,
              currentRef,
              ctx,
              () => void poller.refresh(),
              Date.now() - (seenFilled.get(d.slot.slotId) ?? 0) < 8_000,
            ),
          ),
    );
    grid.setAttribute('aria-busy', 'false');
    // Re-rendering must not throw the keyboard user back to the top of the page.
    if (focusedSlot) {
      const card = grid.querySelector(`[data-slot="${CSS.escape(focusedSlot)}"]`);
      const again = Array.from(card?.querySelectorAll<HTMLElement>('button, a') ?? []).find(
        (el) => el.textContent === focusedText,
      );
      again?.focus();
    }
  });

  const ticker = setInterval(() => {
    for (const el of container.querySelectorAll<HTMLElement>('[data-countdown]')) {
      el.textContent = countdown(el.dataset.countdown || undefined);
    }
  }, 1000);

  return () => {
    poller.stop();
    clearInterval(ticker);
  };
};
