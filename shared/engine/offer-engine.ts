import { DateTime } from 'luxon';
import { ulid } from 'ulid';
import type { OfferPolicy } from '../config.js';
import { isWithinContactWindow, nextContactWindowOpening } from '../domain/contact-window.js';
import { type Exclusion, exclusionsFor } from '../domain/eligibility.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { bandOfKthIsComplete, type RotationCandidate, rotateWithinBands } from '../domain/fair-rotation.js';
import type {
  ConsentChange,
  ConsentWrite,
  MessageRecord,
  Patient,
  Provider,
  Slot,
  SlotChain,
  WaitlistEntry,
} from '../domain/model.js';
import { needsOptOutHint, SAYS_HOW_TO_OPT_OUT } from '../domain/opt-out-notice.js';
import { isWithinPatientWindow, nextPatientWindowOpening } from '../domain/quiet-hours/patient-window.js';
import { scoreEntry } from '../domain/ranking.js';
import { type Brand, templatesFor } from '../domain/templates.js';
import { describeWhyNot } from '../domain/why-not.js';
import {
  type Clock,
  type NoticeTemplate,
  type ScheduledEvent,
  type SchedulerPort,
  type SendNoticeEvent,
  type SmsPort,
  SmsSendError,
  type StaffAlerts,
  type StartBatchEvent,
} from '../ports.js';
import { forEachLimited } from './concurrency.js';
import type { OfferStore } from './offer-store.js';

/**
 * The offer engine's use cases: log a cancellation, start batches, take claims and declines, withdraw.
 * It knows nothing of Lambda, HTTP or DynamoDB: it talks to ports, and every time it needs comes from the
 * injected clock. Every step is safe to replay; the store's conditional writes make duplicates no-ops.
 */

export interface EngineDeps {
  store: OfferStore;
  scheduler: SchedulerPort;
  sms: SmsPort;
  clock: Clock;
  policy: OfferPolicy;
  /**
   * `inline` starts a batch that a decline or failure emptied right away; `handoff` schedules it to run
   * now on the scheduler's function instead, so webhook functions stay small (no SMS SDK) and answer
   * Twilio fast. EventBridge fires a one-time schedule within a minute.
   */
  advanceMode?: 'inline' | 'handoff';
  alerts?: StaffAlerts;
  /** Logs ids and counts only: never a phone number, name or message body. */
  log?: (event: string, fields: Record<string, unknown>) => void;
  /**
   * false: a hold that runs out also takes back the right to claim, so a YES after it is refused (the
   * earlier system's behaviour, kept for the simulator's `seed` policy). Default true: a late YES still
   * claims a slot nobody took (docs/decisions).
   */
  lateClaims?: boolean;
}

/**
 * A slot's own hold cannot be shorter than this: a text can take a minute to arrive, and "Held till"
 * must not already have passed when the patient reads it.
 */
export const MIN_SLOT_HOLD_MINUTES = 3;

function isWholeIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

export interface NewCancellation {
  providerId: string;
  locationId: string;
  startAt: string;
  durationMinutes: number;
  visitType: string;
  loggedBy: string;
  /** This slot's own batch size and hold; omitted = the clinic's settings. */
  batchSize?: number;
  holdMinutes?: number;
  /** A cascade's freed appointment: its place in the chain, and its id (reserved on the parent). */
  chain?: SlotChain;
  slotId?: string;
}

/** What staff may change while the first batch waits. */
export type SlotEdit = Partial<
  Pick<
    Slot,
    'startAt' | 'durationMinutes' | 'providerId' | 'locationId' | 'visitType' | 'batchSize' | 'holdMinutes'
  >
>;

export interface CandidateSelection {
  chosen: Array<{ entry: WaitlistEntry; patient: Patient }>;
  /** Eligible, but outside their contact window now; the earliest time one of them can be texted. */
  deferredUntil?: string;
  itemsRead: number;
  excluded: Partial<Record<Exclusion | 'OUTSIDE_CONTACT_HOURS' | 'NO_PROFILE', number>>;
  /** Patients left out only for now: holding another slot's live offer, or at a cap. */
  busy: { liveOffer: number; capped: number };
}

/** Exclusions that pass by themselves: a live offer resolves within its hold, caps free with time. */
const PASSING_EXCLUSIONS: ReadonlySet<Exclusion> = new Set(['HAS_LIVE_OFFER', 'DAILY_CAP', 'WEEKLY_CAP']);

/**
 * What a call to `startBatch` did. A scheduled start only ever needs DONE or STARTED; the others say why
 * a staff-requested (early) start changed nothing.
 */
export type StartOutcome =
  | 'STARTED'
  | 'DONE'
  | 'CLOSED'
  | 'STALE'
  | 'BUSY'
  | 'PAST_CUTOFF'
  | 'OUTSIDE_CONTACT_HOURS'
  | 'NOBODY_NOW'
  | 'NOBODY_LEFT';

export type ClaimOutcome =
  | { kind: 'WON'; slot: Slot }
  /** Someone else was first. */
  | { kind: 'TAKEN'; slot: Slot }
  /** The slot was withdrawn or expired, or this patient may no longer claim it. */
  | { kind: 'CLOSED' }
  | { kind: 'NO_OFFER' }
  | { kind: 'OPTED_OUT' };

export type DeclineOutcome =
  | { kind: 'DECLINED'; slotId: string }
  /** The patient had already won this slot: staff are told, the booking stands until they act. */
  | { kind: 'WINNER_CHANGED_MIND'; slotId: string }
  | { kind: 'NO_OFFER' };

/** How long a batch's sender owns it before a retry may take over (a Lambda times out well before). */
const SENDING_LEASE_MS = 2 * 60_000;
/** Fair rotation looks at most this many batches' worth of eligible patients. */
const ROTATION_LOOKAHEAD = 4;
/** Bounds the index pages read per batch, so a pathological waitlist cannot turn into a scan. */
const MAX_ROWS_SCANNED = 2_000;
const RESCORE_PER_BATCH = 200;
/** Independent per-patient writes in flight at once (well under DynamoDB's and Twilio's limits). */
const PARALLEL_WRITES = 10;
/** SmsSendError code of the clinic's own hourly send cap (see withSendCap). */
const RATE_CAP_CODE = 'RATE_CAP';
/** When a batch could not be texted for a reason not about the patients, try again this much later. */
const SEND_RETRY_MS = 5 * 60_000;
/** How overdue a slot's next step must be before the sweep steps in (schedules fire within a minute). */
const SWEEP_GRACE_MS = 3 * 60_000;
/** How often a slot whose candidates are all capped looks again (caps free as offers age out). */
const CAPPED_RECHECK_MINUTES = 30;
/** A claim this close to a new offer may have raced it (the winner's bookkeeping runs after the win). */
const RACE_WINDOW_MS = 60_000;

/** Compact UTC stamp for schedule names: 2026-11-24T16:07:00.000Z → 20261124160700. */
function stamp(iso: string): string {
  return iso.replace(/[^0-9]/g, '').slice(0, 14);
}

/**
 * The schedule that starts `batch`. With `at` (a hold's end) the name carries the instant, so a resumed
 * batch's new hold never collides with the old one that EventBridge may not have deleted yet.
 */
export function holdScheduleName(slotId: string, batch: number, at?: string): string {
  return `slot-${slotId}-b${batch}${at ? `-h${stamp(at)}` : ''}`;
}

export class OfferEngine {
  private readonly brand: Brand;

  constructor(private readonly deps: EngineDeps) {
    this.brand = { clinicName: deps.policy.clinicName, contactPhone: deps.policy.clinicContactPhone };
  }

  private now(): string {
    return this.deps.clock().toISOString();
  }

  private log(event: string, fields: Record<string, unknown>): void {
    this.deps.log?.(event, fields);
  }

  /** Staff logged a cancellation: record the open slot and schedule its first batch after a short delay. */
  async logCancellation(input: NewCancellation): Promise<Slot> {
    const now = this.now();
    const { store, policy } = this.deps;
    await this.validateCancellation(
      input,
      new Date(Date.parse(now) + policy.firstBatchDelayMinutes * 60_000).toISOString(),
    );
    const slot: Slot = {
      slotId: input.slotId ?? ulid(),
      providerId: input.providerId,
      locationId: input.locationId,
      startAt: new Date(input.startAt).toISOString(),
      durationMinutes: input.durationMinutes,
      visitType: input.visitType,
      ...(input.batchSize !== undefined ? { batchSize: input.batchSize } : {}),
      ...(input.holdMinutes !== undefined ? { holdMinutes: input.holdMinutes } : {}),
      ...(input.chain ? { chain: input.chain } : {}),
      status: 'OPEN',
      currentBatch: 0,
      phase: 'WAITING',
      offeredPatientIds: [],
      loggedBy: input.loggedBy,
      loggedAt: now,
    };
    await store.putNewSlot(slot);
    // Staff often fix a typo in the first minutes; similar products wait a few minutes for that reason.
    const firstAt =
      DateTime.fromISO(now).plus({ minutes: policy.firstBatchDelayMinutes }).toUTC().toISO() ?? now;
    await this.deps.scheduler.scheduleOnce({
      name: holdScheduleName(slot.slotId, 1),
      at: firstAt,
      event: { kind: 'START_BATCH', slotId: slot.slotId, batch: 1 },
    });
    await store.setNextStep(slot.slotId, { kind: 'FIRST_BATCH', at: firstAt });
    this.log('slot.logged', { slotId: slot.slotId, firstBatchAt: firstAt });
    return { ...slot, nextStep: { kind: 'FIRST_BATCH', at: firstAt } };
  }

  /**
   * Every rule a cancellation must meet, for a new one and for an edit while its first batch waits:
   * provider and location exist and are not retired, the batch size and hold are in bounds, and the
   * visit starts late enough to be offered at all (`firstOfferAt` is when batch 1 would go out).
   */
  async validateCancellation(
    input: Omit<NewCancellation, 'loggedBy' | 'chain' | 'slotId'>,
    firstOfferAt: string,
  ): Promise<void> {
    const now = this.now();
    const { store, policy } = this.deps;
    const provider = await store.getProvider(input.providerId);
    if (!provider) throw new NotFoundError('provider', input.providerId);
    const location = await store.getLocation(input.locationId);
    if (!location) throw new NotFoundError('location', input.locationId);
    const tuning: Record<string, string> = {};
    if (input.batchSize !== undefined && !isWholeIn(input.batchSize, 1, policy.maxSlotBatchSize)) {
      tuning.batchSize = `must be a whole number from 1 to ${policy.maxSlotBatchSize} (the clinic's limit)`;
    }
    if (input.holdMinutes !== undefined && !isWholeIn(input.holdMinutes, MIN_SLOT_HOLD_MINUTES, 240)) {
      tuning.holdMinutes = `must be a whole number of minutes from ${MIN_SLOT_HOLD_MINUTES} to 240`;
    }
    if (Object.keys(tuning).length > 0) throw new ValidationError('invalid batch size or hold', tuning);
    if (provider.retired || location.retired) {
      throw new ValidationError('retired providers and locations cannot take new cancellations', {
        ...(provider.retired ? { providerId: `${provider.displayName} is retired` } : {}),
        ...(location.retired ? { locationId: `${location.displayName} is retired` } : {}),
      });
    }
    if (input.startAt <= now) {
      throw new ValidationError('the slot must start in the future', { startAt: 'must be in the future' });
    }
    // Offers stop `offerCutoffMinutes` before the visit and the first batch waits out the edit delay:
    // a slot starting sooner than both could never be offered, and would only expire unseen.
    if (Date.parse(input.startAt) - policy.offerCutoffMinutes * 60_000 <= Date.parse(firstOfferAt)) {
      throw new ValidationError('the slot starts too soon to be offered', {
        startAt: `starts too soon: offers stop ${policy.offerCutoffMinutes} minutes before a visit and the first batch goes out ${policy.firstBatchDelayMinutes} minutes after logging; fill it by phone`,
      });
    }
  }

  /**
   * Handles a START_BATCH event (first batch, a hold running out, a deferred batch). Safe under
   * duplicate and concurrent delivery: only the caller whose conditional write moves the slot from
   * batch n-1 to n sends batch n.
   *
   * `early` is staff asking for the batch before the hold ends. It takes the same steps, but where a
   * scheduled start would defer the batch or expire the slot (outside contact hours, past the cutoff,
   * nobody left) it stops and says why, having changed nothing; and the current batch's offers expire
   * only once the new batch has really begun.
   */
  async startBatch(
    event: Pick<StartBatchEvent, 'slotId' | 'batch' | 'holdEndsAt'>,
    options: { early?: boolean } = {},
  ): Promise<StartOutcome> {
    const { store, policy } = this.deps;
    let batch = event.batch;
    let early = options.early === true;
    let result: StartOutcome = 'DONE';
    // Loop rather than recurse: a batch whose every send failed moves straight on to the next one.
    for (let guard = 0; guard < 50; guard++) {
      const now = this.now();
      const slot = await store.getSlot(event.slotId);
      if (slot?.status !== 'OPEN') return early ? 'CLOSED' : result;
      if (
        event.holdEndsAt &&
        guard === 0 &&
        slot.currentBatch === batch - 1 &&
        slot.holdExpiresAt &&
        slot.holdExpiresAt !== event.holdEndsAt
      ) {
        // The schedule of a hold that a resumed batch replaced with a fresh one: the fresh hold's own
        // schedule moves the slot on; this one must not cut it short.
        this.log('batch.stale-hold', { slotId: slot.slotId, batch, holdEndsAt: event.holdEndsAt });
        return result;
      }
      if (slot.phase === 'SENDING' && slot.currentBatch === batch - 1) {
        if (early) return 'BUSY';
        // The previous batch never finished texting (a crash, or the clinic's hourly cap). While its
        // sender's lease runs, come back after it; once it has run out, finish that batch first.
        if (slot.leaseUntil && slot.leaseUntil >= now) {
          await this.comeBackAfterLease(slot.slotId, batch, slot.leaseUntil);
          return result;
        }
        batch -= 1;
      }
      if (slot.currentBatch !== batch - 1 && !(slot.currentBatch === batch && slot.phase === 'SENDING')) {
        this.log('batch.stale', { slotId: slot.slotId, batch, currentBatch: slot.currentBatch });
        return early ? 'STALE' : result;
      }
      if (slot.currentBatch === batch - 1 && !early) {
        // The previous batch's hold is over: its pending offers expire (their patients may still claim).
        await this.expirePendingOffers(slot.slotId, batch - 1, now);
      }
      const cutoffAt = DateTime.fromISO(slot.startAt).minus({ minutes: policy.offerCutoffMinutes });
      if (DateTime.fromISO(now) >= cutoffAt) {
        if (early) return 'PAST_CUTOFF';
        await this.expireSlot(slot.slotId, 'OFFER_CUTOFF_REACHED');
        return result;
      }
      const provider = await store.getProvider(slot.providerId);
      if (!provider) {
        if (early) return 'CLOSED';
        await this.expireSlot(slot.slotId, 'PROVIDER_MISSING');
        return result;
      }

      let offered: Array<{ entry: WaitlistEntry; patient: Patient }> = [];
      let selection: CandidateSelection | undefined;
      const holdExpiresAt = DateTime.min(
        DateTime.fromISO(now).plus({ minutes: slot.holdMinutes ?? policy.holdMinutes }),
        cutoffAt,
      )
        .toUTC()
        .toISO() as string;
      if (slot.currentBatch === batch - 1) {
        if (!isWithinContactWindow(now, policy.clinicTimeZone, policy.contactHours)) {
          if (early) return 'OUTSIDE_CONTACT_HOURS';
          await this.deferBatch(
            slot.slotId,
            batch,
            nextContactWindowOpening(now, policy.clinicTimeZone, policy.contactHours),
            'CONTACT_HOURS',
          );
          return result;
        }
        selection = await this.selectCandidates(slot, provider, now);
        this.log('batch.selected', {
          slotId: slot.slotId,
          batch,
          chosen: selection.chosen.length,
          itemsRead: selection.itemsRead,
          excluded: selection.excluded,
        });
        await store.recordSelection(slot.slotId, {
          at: now,
          batch,
          chosen: selection.chosen.length,
          itemsRead: selection.itemsRead,
          excluded: selection.excluded as Record<string, number>,
        });
        if (selection.chosen.length === 0) {
          const busyUntil = this.busyCandidatesRecheckAt(selection, now, slot.holdMinutes);
          if (early) return selection.deferredUntil || busyUntil ? 'NOBODY_NOW' : 'NOBODY_LEFT';
          if (selection.deferredUntil) {
            await this.deferBatch(slot.slotId, batch, selection.deferredUntil, 'CONTACT_HOURS');
          } else if (busyUntil) {
            // Everyone who could take it is only held up for now (another slot's offer, a cap): look
            // again later rather than throw the slot away; the cutoff check above still ends it in time.
            await this.deferBatch(slot.slotId, batch, busyUntil, 'CANDIDATES_BUSY');
          } else {
            await this.expireSlot(slot.slotId, 'NO_ELIGIBLE_PATIENTS');
          }
          return result;
        }
      }
      const leaseUntil = new Date(Date.parse(now) + SENDING_LEASE_MS).toISOString();
      const begun = await store.beginBatch({ slotId: slot.slotId, batch, now, leaseUntil, holdExpiresAt });
      if (begun.kind === 'SKIPPED') {
        // Someone else holds the batch. If they die, nothing would ever fire again: come back when
        // their lease has run out (a no-op if they finished).
        const current = begun.slot;
        if (current?.status === 'OPEN' && current.phase === 'SENDING' && current.leaseUntil) {
          await this.comeBackAfterLease(current.slotId, current.currentBatch, current.leaseUntil);
        }
        return early ? 'STALE' : result;
      }
      if (begun.kind === 'STARTED') {
        result = 'STARTED';
        // Staff started this batch before the hold ended: the hold is over now that it has begun.
        if (early) await this.expirePendingOffers(slot.slotId, batch - 1, now);
        offered = await this.createOffers(begun.slot, selection?.chosen ?? [], batch, now, holdExpiresAt);
      } else {
        // Finishing a batch whose sender died or was held back (an outage, the hourly cap): it has a
        // fresh hold, so the offers not texted yet carry it (their text shows it) and the first hold's
        // schedule goes (a copy that still fires finds its hold replaced and does nothing).
        const batchOffers = (await store.listOffers(slot.slotId)).filter((o) => o.batch === batch);
        const freshHold = begun.slot.holdExpiresAt ?? holdExpiresAt;
        await forEachLimited(
          batchOffers.filter((o) => o.state === 'PENDING' && !o.notifiedAt && o.holdExpiresAt !== freshHold),
          PARALLEL_WRITES,
          (o) => store.renewUnsentOfferHold(slot.slotId, o.patientId, freshHold),
        );
        if (slot.holdExpiresAt && slot.holdExpiresAt !== freshHold) {
          await this.deps.scheduler.cancel(holdScheduleName(slot.slotId, batch + 1, slot.holdExpiresAt));
        }
        const inBatch = batchOffers.length;
        const missing = (slot.batchSize ?? policy.batchSize) - inBatch;
        if (missing > 0) {
          const topUp = await this.selectCandidates(begun.slot, provider, now);
          offered = await this.createOffers(
            begun.slot,
            topUp.chosen.slice(0, missing),
            batch,
            now,
            holdExpiresAt,
          );
        }
      }

      // Schedule the hold before texting anyone: if we die mid-send, the batch still moves on.
      const slotNow = (await store.getSlot(slot.slotId)) as Slot;
      const holdEnd = slotNow.holdExpiresAt ?? holdExpiresAt;
      await this.deps.scheduler.scheduleOnce({
        name: holdScheduleName(slot.slotId, batch + 1, holdEnd),
        at: holdEnd,
        event: { kind: 'START_BATCH', slotId: slot.slotId, batch: batch + 1, holdEndsAt: holdEnd },
      });
      if ((await this.notifyUnnotifiedOffers(slotNow, provider, batch, offered)) === 'DEFERRED')
        return result;
      await store.finishBatchSending(slot.slotId, batch);
      if (await this.batchHasLiveOffers(slot.slotId, batch)) return result;
      // Every send of this batch failed (or nobody could be offered): do not wait out an empty hold.
      // The hold's schedule stays: when it fires, the slot has moved on and it changes nothing.
      batch += 1;
      early = false;
    }
    return result;
  }

  /**
   * When the only patients left out were held up by something that passes (a live offer on another
   * slot resolves within its hold; a cap frees with time), when to look again; undefined when nobody was.
   * A patient added meanwhile is picked up at that look too.
   */
  private busyCandidatesRecheckAt(
    selection: CandidateSelection,
    now: string,
    slotHoldMinutes: number | undefined,
  ): string | undefined {
    const { busy } = selection;
    const minutes =
      busy.liveOffer > 0
        ? Math.max(slotHoldMinutes ?? this.deps.policy.holdMinutes, MIN_SLOT_HOLD_MINUTES)
        : busy.capped > 0
          ? CAPPED_RECHECK_MINUTES
          : undefined;
    return minutes === undefined ? undefined : new Date(Date.parse(now) + minutes * 60_000).toISOString();
  }

  private async comeBackAfterLease(slotId: string, batch: number, leaseUntil: string): Promise<void> {
    const after = new Date(Date.parse(leaseUntil) + 5_000).toISOString();
    await this.deps.scheduler.scheduleOnce({
      name: `${holdScheduleName(slotId, batch)}-after${stamp(after)}`,
      at: after,
      event: { kind: 'START_BATCH', slotId, batch },
    });
  }

  /**
   * The safety net behind the one-shot schedules: any OPEN slot whose next step is overdue by more than
   * a grace period (a lost schedule, a crashed sender whose retries ran out) is moved on now. Returns the
   * slots it touched. A slot that is merely deferred to the contact window is re-deferred, harmlessly.
   */
  async sweepStalledSlots(): Promise<string[]> {
    const now = Date.parse(this.now());
    const overdue = (iso: string | undefined) => iso !== undefined && Date.parse(iso) + SWEEP_GRACE_MS < now;
    const touched: string[] = [];
    for (const slot of await this.deps.store.listOpenSlots()) {
      const firstBatchDue = new Date(
        Date.parse(slot.loggedAt) + this.deps.policy.firstBatchDelayMinutes * 60_000,
      ).toISOString();
      let batch: number | undefined;
      if (slot.phase === 'WAITING' && overdue(firstBatchDue)) batch = 1;
      else if (slot.phase === 'HOLDING' && overdue(slot.holdExpiresAt)) batch = slot.currentBatch + 1;
      else if (slot.phase === 'SENDING' && overdue(slot.leaseUntil)) batch = slot.currentBatch;
      if (batch === undefined) continue;
      this.log('sweep.restart', { slotId: slot.slotId, phase: slot.phase, batch });
      await this.startBatch({ slotId: slot.slotId, batch });
      touched.push(slot.slotId);
    }
    return touched;
  }

  /** Ranks the waitlist through the index and returns the top eligible patients for this slot. */
  async selectCandidates(slot: Slot, provider: Provider, now: string): Promise<CandidateSelection> {
    const { store, policy } = this.deps;
    await store.rescoreDueEntries(now, policy.clinicTimeZone, RESCORE_PER_BATCH);
    // Eligible candidates in rank order, with what fair rotation needs; the batch is chosen from them.
    const eligible: Array<{ entry: WaitlistEntry; patient: Patient } & RotationCandidate> = [];
    const band = policy.fairRotationBand;
    // Read on until the band of the last patient a batch needs is complete (someone further down the
    // same band may have waited longer), but never past a few batches' worth: selection stays flat in
    // the waitlist's length even when thousands share a score.
    const enough = () =>
      eligible.length >= batchSize * ROTATION_LOOKAHEAD || bandOfKthIsComplete(eligible, batchSize, band);
    const excluded: CandidateSelection['excluded'] = {};
    const busy = { liveOffer: 0, capped: 0 };
    let itemsRead = 0;
    let scanned = 0;
    let deferredUntil: string | undefined;
    let cursor: Record<string, unknown> | undefined;
    // Read a little more than a batch per page: most waitlisted patients are eligible, so one page
    // usually suffices and the items read stay near the batch size however long the list grows.
    const batchSize = slot.batchSize ?? policy.batchSize;
    const pageSize = Math.max(batchSize * 2, 6);
    do {
      const page = await store.rankedWaitlistPage(pageSize, cursor);
      itemsRead += page.itemsRead;
      for (const { entry, patient } of page.rows) {
        scanned++;
        if (!patient) {
          excluded.NO_PROFILE = (excluded.NO_PROFILE ?? 0) + 1;
          continue;
        }
        if (eligible.some((c) => c.patient.patientId === patient.patientId)) continue;
        const reasons = exclusionsFor({ entry, patient, slot, provider, now }, policy);
        if (reasons.length > 0) {
          // Someone already offered this slot was not left out of it: counted once, as that.
          const counted: Exclusion[] = reasons.includes('ALREADY_OFFERED') ? ['ALREADY_OFFERED'] : reasons;
          for (const r of counted) excluded[r] = (excluded[r] ?? 0) + 1;
          // Held up only by something that passes: worth waiting for.
          if (reasons.every((r) => PASSING_EXCLUSIONS.has(r))) {
            if (reasons.includes('HAS_LIVE_OFFER')) busy.liveOffer++;
            else busy.capped++;
          }
          continue;
        }
        // The patient's own window: the clinic's hours within federal and state quiet hours, in their zone.
        if (!isWithinPatientWindow(now, patient, policy)) {
          excluded.OUTSIDE_CONTACT_HOURS = (excluded.OUTSIDE_CONTACT_HOURS ?? 0) + 1;
          const opening = nextPatientWindowOpening(now, patient, policy);
          if (!deferredUntil || opening < deferredUntil) deferredUntil = opening;
          continue;
        }
        eligible.push({
          entry,
          patient,
          score: scoreEntry(entry, now, policy.clinicTimeZone).total,
          lastOfferedAt: patient.recentOfferTimes.reduce<string | undefined>(
            (latest, t) => (latest === undefined || t > latest ? t : latest),
            undefined,
          ),
        });
        if (enough()) break;
      }
      cursor = page.cursor;
    } while (cursor && !enough() && scanned < MAX_ROWS_SCANNED);
    const chosen = rotateWithinBands(eligible, band)
      .slice(0, batchSize)
      .map(({ entry, patient }) => ({ entry, patient }));
    return { chosen, deferredUntil, itemsRead, excluded, busy };
  }

  private async createOffers(
    slot: Slot,
    chosen: Array<{ entry: WaitlistEntry; patient: Patient }>,
    batch: number,
    now: string,
    holdExpiresAt: string,
  ): Promise<Array<{ entry: WaitlistEntry; patient: Patient }>> {
    const results = await forEachLimited(chosen, PARALLEL_WRITES, (candidate) =>
      this.deps.store.createOffer({ slot, patient: candidate.patient, batch, now, holdExpiresAt }),
    );
    const created = chosen.filter((_, i) => results[i] === 'CREATED');
    if (created.length === 0) return created;
    // Two races end here, after the offers exist. (1) The slot was withdrawn, filled or expired while we
    // created them: whoever closed it listed the offers before ours existed, so we close ours. (2) A
    // patient just won the older slot they could still claim: they must not be offered a second visit.
    // A win after this read is caught when the text goes out (recordOfferTexted) or by the winner's own
    // bookkeeping (afterFill closes their live offer elsewhere).
    const current = await this.deps.store.getSlot(slot.slotId);
    const keep = await forEachLimited(created, PARALLEL_WRITES, async ({ patient }) => {
      let reason: string | undefined;
      if (current?.status !== 'OPEN') reason = 'SLOT_CLOSED';
      else if (patient.lastOfferSlotId && patient.lastOfferSlotId !== slot.slotId) {
        const older = await this.deps.store.getSlot(patient.lastOfferSlotId);
        // Only a win during this batch (or its slow bookkeeping) counts: a patient who booked long ago
        // and was put back on the list by staff is a new request.
        const wonJustNow =
          older?.status === 'FILLED' &&
          older.filledByPatientId === patient.patientId &&
          Date.parse(older.filledAt ?? '') >= Date.parse(now) - RACE_WINDOW_MS;
        if (wonJustNow) reason = 'PATIENT_BOOKED';
      }
      if (!reason) return true;
      const closed = await this.deps.store.closeOffer({
        slotId: slot.slotId,
        patientId: patient.patientId,
        from: ['PENDING'],
        to: 'CANCELLED',
        now,
        reason,
      });
      if (closed && reason === 'SLOT_CLOSED') await this.deps.store.giveBackOfferTime(patient.patientId, now);
      return false;
    });
    return created.filter((_, i) => keep[i]);
  }

  private async notifyUnnotifiedOffers(
    slot: Slot,
    provider: Provider,
    batch: number,
    _justCreated: Array<{ patient: Patient }>,
  ): Promise<'DONE' | 'DEFERRED'> {
    const { store, policy } = this.deps;
    const location = await store.getLocation(slot.locationId);
    const offers = (await store.listOffers(slot.slotId)).filter(
      (o) => o.batch === batch && o.state === 'PENDING' && !o.notifiedAt,
    );
    if (slot.status !== 'OPEN') return 'DONE';
    const outcomes = await forEachLimited(offers, PARALLEL_WRITES, async (offer) => {
      // Read the patient now, not at selection: a STOP that arrived while the batch was being chosen
      // closed this offer, and no offer text may follow a "no further messages".
      const patient = await store.getPatient(offer.patientId);
      if (patient?.consent !== 'OPTED_IN' || patient.liveOfferSlotId !== slot.slotId)
        return 'SKIPPED' as const;
      // Right before the send: a slot filled, withdrawn or expired a moment ago must not be offered
      // (the patient would answer a slot that is gone, and the text would spend their daily cap).
      if ((await store.getSlot(slot.slotId))?.status !== 'OPEN') {
        const closed = await store.closeOffer({
          slotId: slot.slotId,
          patientId: patient.patientId,
          from: ['PENDING'],
          to: 'CANCELLED',
          now: this.now(),
          reason: 'SLOT_CLOSED',
        });
        if (closed) await store.giveBackOfferTime(patient.patientId, offer.sentAt);
        return 'SKIPPED' as const;
      }
      // Times are the clinic's wall clock, where the visit happens: a patient who lives in another zone
      // must still arrive at 9:00 clinic time. Their own zone only decides when they may be texted.
      const body = templatesFor(patient.language).offer(this.brand, {
        firstName: patient.displayName,
        providerName: provider.displayName,
        locationName: location?.displayName,
        startAt: slot.startAt,
        timeZone: policy.clinicTimeZone,
        holdExpiresAt: offer.holdExpiresAt,
        // The hold is read on the patient's own clock (labelled when it is not the clinic's).
        patientTimeZone: patient.timeZone,
        optOutHint: needsOptOutHint(patient, this.now()),
      });
      const sent = await this.sendSms(patient, body, 'OFFER', slot.slotId);
      if (sent === 'SENT') {
        // Only now does a YES mean this slot. A YES for their older slot that won it while this text
        // was on its way keeps that booking, and this offer goes.
        const pointed = await store.recordOfferTexted({
          slotId: slot.slotId,
          patientId: patient.patientId,
          at: this.now(),
          bookedSince: new Date(Date.parse(offer.sentAt) - RACE_WINDOW_MS).toISOString(),
        });
        if (pointed === 'BOOKED_ELSEWHERE') {
          await store.closeOffer({
            slotId: slot.slotId,
            patientId: patient.patientId,
            from: ['PENDING'],
            to: 'CANCELLED',
            now: this.now(),
            reason: 'PATIENT_BOOKED',
          });
          return 'SKIPPED' as const;
        }
      } else if (sent === 'FAILED') {
        await store.closeOffer({
          slotId: slot.slotId,
          patientId: patient.patientId,
          from: ['PENDING'],
          to: 'FAILED',
          now: this.now(),
          reason: 'SEND_FAILED',
        });
      }
      return sent;
    });
    if (outcomes.includes('DEFERRED') || outcomes.includes('RATE_CAPPED')) {
      // Not the patients' fault (the clinic's hourly cap is spent, or Twilio is down or refusing our
      // credentials): keep the offers unsent and resume this batch later (its lease will have run out)
      // instead of burning through the waitlist with failures.
      const resumeAt = outcomes.includes('RATE_CAPPED')
        ? (DateTime.fromISO(this.now()).toUTC().startOf('hour').plus({ hours: 1 }).toISO() as string)
        : new Date(Date.parse(this.now()) + SEND_RETRY_MS).toISOString();
      await this.deps.scheduler.scheduleOnce({
        name: `${holdScheduleName(slot.slotId, batch)}-retry${stamp(resumeAt)}`,
        at: resumeAt,
        event: { kind: 'START_BATCH', slotId: slot.slotId, batch },
      });
      await store.setNextStep(slot.slotId, {
        kind: outcomes.includes('RATE_CAPPED') ? 'HOURLY_CAP' : 'PROVIDER_RETRY',
        at: resumeAt,
      });
      this.log('batch.sending-deferred', { slotId: slot.slotId, batch, resumeAt });
      return 'DEFERRED';
    }
    return 'DONE';
  }

  /**
   * Records the message, then sends it. Returns false when the provider refused it; the message record
   * keeps the error code so staff see why. A 21610 (recipient opted out at the carrier) updates consent.
   */
  async sendSms(
    patient: Patient,
    body: string,
    purpose: string,
    slotId?: string,
    /** A fixed id makes the send once-only: a replay finds the record and sends nothing. */
    once?: { messageId: string },
  ): Promise<'SENT' | 'FAILED' | 'DEFERRED' | 'RATE_CAPPED'> {
    const { store, policy } = this.deps;
    const now = this.now();
    const message: MessageRecord = {
      messageId: once?.messageId ?? ulid(),
      direction: 'OUTBOUND',
      patientId: patient.patientId,
      slotId,
      phone: patient.phone,
      body,
      purpose,
      deliveryStatus: 'created',
      createdAt: now,
      updatedAt: now,
    };
    const recorded = await store.recordMessage(message, policy.messageTtlDays);
    if (once && !recorded) return 'SENT';
    try {
      const receipt = await this.deps.sms.send({
        to: patient.phone,
        body,
        patientId: patient.patientId,
        slotId,
        messageId: message.messageId,
      });
      await store.updateMessageDelivery(message.messageId, {
        providerSid: receipt.providerSid,
        deliveryStatus: receipt.status,
        at: this.now(),
      });
      this.log('sms.sent', { messageId: message.messageId, purpose, patientId: patient.patientId });
      if (SAYS_HOW_TO_OPT_OUT.test(body)) await store.markOptOutTold(patient.patientId, this.now());
      return 'SENT';
    } catch (error) {
      const code = error instanceof SmsSendError ? error.code : 'SEND_ERROR';
      // Only a refusal about this recipient (opted out, landline, invalid number) fails the offer.
      // Anything else is about us or the provider and must not cost the patient their turn.
      if (!(error instanceof SmsSendError && error.permanent)) {
        await store.updateMessageDelivery(message.messageId, {
          deliveryStatus: 'canceled',
          errorCode: code,
          at: this.now(),
        });
        this.log('sms.deferred', {
          messageId: message.messageId,
          purpose,
          patientId: patient.patientId,
          code,
        });
        return code === RATE_CAP_CODE ? 'RATE_CAPPED' : 'DEFERRED';
      }
      await store.updateMessageDelivery(message.messageId, {
        deliveryStatus: 'failed',
        errorCode: code,
        at: this.now(),
      });
      this.log('sms.failed', { messageId: message.messageId, purpose, patientId: patient.patientId, code });
      if (code === '21610') await this.optOutFromProvider(patient.patientId, code);
      return 'FAILED';
    }
  }

  private async optOutFromProvider(patientId: string, code: string): Promise<void> {
    await this.changeConsent(patientId, {
      at: this.now(),
      state: 'OPTED_OUT',
      source: 'SEND_ERROR',
      evidence: `Twilio error ${code}`,
    });
  }

  /**
   * Records a consent change with its evidence. Opting out takes effect at once: the patient's right to
   * claim goes first (so a YES racing the STOP cannot win), then the consent, then their entries leave
   * the ranked index and any live offer closes (which may send the next batch).
   */
  async changeConsent(
    patientId: string,
    change: ConsentChange,
  ): Promise<{ changed: boolean; outcome: ConsentWrite; stillBooked?: Slot }> {
    const { store, policy } = this.deps;
    const patient = await store.getPatient(patientId);
    if (!patient) throw new NotFoundError('patient', patientId);
    // No early return on this read: it may be stale (a START and a STOP handled at once). The store's
    // ordered write decides; revoking a claim right of an opted-out patient again is harmless.
    if (change.state === 'OPTED_OUT' && patient.lastOfferSlotId) {
      await store.revokeClaim(patient.lastOfferSlotId, patientId);
    }
    const outcome = await store.recordConsentChange(patientId, change);
    if (outcome !== 'CHANGED') return { changed: false, outcome };
    await store.reindexPatientEntries(patientId, change.state, change.at, policy.clinicTimeZone);
    if (change.state === 'OPTED_OUT') {
      // An offer created while we were revoking would have a newer slot: revoke that one too.
      const after = await store.getPatient(patientId);
      if (after?.lastOfferSlotId && after.lastOfferSlotId !== patient.lastOfferSlotId) {
        await store.revokeClaim(after.lastOfferSlotId, patientId);
      }
      const live = after?.liveOfferSlotId;
      if (live) {
        const closed = await store.closeOffer({
          slotId: live,
          patientId,
          from: ['PENDING'],
          to: 'CANCELLED',
          now: this.now(),
          reason: 'OPTED_OUT',
        });
        if (closed) await this.advanceIfBatchEmpty(live);
      }
    }
    this.log('consent.changed', { patientId, state: change.state, source: change.source });
    // A winner who opts out (CANCEL is an opt-out word) may also mean the visit: staff must call.
    const stillBooked =
      change.state === 'OPTED_OUT' && patient.lastOfferSlotId
        ? await this.bookedVisitOf(patientId, patient.lastOfferSlotId)
        : undefined;
    if (stillBooked) await this.winnerChangedMind(stillBooked, patientId, 'OPTED_OUT');
    return { changed: true, outcome, ...(stillBooked ? { stillBooked } : {}) };
  }

  private async expirePendingOffers(slotId: string, upToBatch: number, now: string): Promise<void> {
    const offers = await this.deps.store.listOffers(slotId);
    const pending = offers.filter((o) => o.state === 'PENDING' && o.batch <= upToBatch);
    await forEachLimited(pending, PARALLEL_WRITES, async (offer) => {
      const closed = await this.deps.store.closeOffer({
        slotId,
        patientId: offer.patientId,
        from: ['PENDING'],
        to: 'EXPIRED',
        now,
        reason: 'HOLD_ENDED',
      });
      if (closed && this.deps.lateClaims === false) {
        await this.deps.store.revokeClaim(slotId, offer.patientId);
      }
    });
  }

  private async batchHasLiveOffers(slotId: string, batch: number): Promise<boolean> {
    const offers = await this.deps.store.listOffers(slotId);
    return offers.some((o) => o.batch === batch && o.state === 'PENDING');
  }

  private async deferBatch(
    slotId: string,
    batch: number,
    at: string,
    why: 'CONTACT_HOURS' | 'CANDIDATES_BUSY',
  ): Promise<void> {
    const stamp = at.replace(/[^0-9]/g, '').slice(0, 12);
    await this.deps.scheduler.scheduleOnce({
      name: `${holdScheduleName(slotId, batch)}-at${stamp}`,
      at,
      event: { kind: 'START_BATCH', slotId, batch },
    });
    // What the board says the slot is waiting for, and until when.
    await this.deps.store.setNextStep(slotId, { kind: why, at });
    this.log('batch.deferred', { slotId, batch, until: at });
  }

  private async expireSlot(slotId: string, reason: string): Promise<void> {
    const now = this.now();
    const closed = await this.deps.store.closeSlot({ slotId, to: 'EXPIRED', now, reason });
    await this.closeLiveOffers(slotId, 'CANCELLED', reason, undefined);
    if (closed) this.log('slot.expired', { slotId, reason });
  }

  /**
   * Closes every PENDING offer of a slot; `notify` texts each patient whose offer closed (inside their
   * quiet-hours window, else at its opening: see sendNoticeInWindow).
   */
  private async closeLiveOffers(
    slotId: string,
    to: 'CANCELLED',
    reason: string,
    notify: NoticeTemplate | undefined,
  ): Promise<number> {
    const now = this.now();
    let closed = 0;
    const live = (await this.deps.store.listOffers(slotId)).filter((o) => o.state === 'PENDING');
    await forEachLimited(live, PARALLEL_WRITES, async (offer) => {
      const changed = await this.deps.store.closeOffer({
        slotId,
        patientId: offer.patientId,
        from: ['PENDING'],
        to,
        now,
        reason,
      });
      if (!changed) return;
      closed++;
      // Never texted: it does not count against the patient's caps.
      if (!offer.notifiedAt) await this.deps.store.giveBackOfferTime(offer.patientId, offer.sentAt);
      if (notify && offer.notifiedAt) {
        const patient = await this.deps.store.getPatient(offer.patientId);
        if (patient && patient.consent === 'OPTED_IN') await this.sendNoticeInWindow(patient, slotId, notify);
      }
    });
    return closed;
  }

  /**
   * A patient said YES. The winner is decided by one conditional write on the slot; everything after it
   * (closing the other offers, the confirmation) is bookkeeping that a replay repeats harmlessly.
   */
  async claim(patientId: string): Promise<ClaimOutcome> {
    const { store } = this.deps;
    let triedSlotId: string | undefined;
    // A YES answers the slot whose text the patient last received (their claim pointer). If a newer
    // text was accepted while this claim was deciding, the pointer moved and took the older right away:
    // the YES then answers the newer text. Bounded: the pointer moves at most once per text.
    for (let attempt = 0; attempt < 3; attempt++) {
      const patient = await store.getPatient(patientId);
      if (!patient) return { kind: 'NO_OFFER' };
      if (patient.consent !== 'OPTED_IN') return { kind: 'OPTED_OUT' };
      const slotId = patient.lastOfferSlotId;
      if (!slotId) return { kind: 'NO_OFFER' };
      if (slotId === triedSlotId) return { kind: 'CLOSED' };
      triedSlotId = slotId;
      const now = this.now();
      const result = await store.claimSlot(slotId, patientId, now);
      if (!result.won) {
        if (result.slot?.status === 'FILLED') {
          // The winner asking again (a retry, a double tap) is still the winner.
          if (result.slot.filledByPatientId === patientId) return { kind: 'WON', slot: result.slot };
          return { kind: 'TAKEN', slot: result.slot };
        }
        continue;
      }
      const slot = result.slot;
      this.log('slot.filled', { slotId, patientId, batch: slot.currentBatch });
      await this.afterFill(slot, patientId, now);
      return { kind: 'WON', slot };
    }
    return { kind: 'CLOSED' };
  }

  private async afterFill(slot: Slot, winnerId: string, now: string): Promise<void> {
    const { store, policy } = this.deps;
    await store.closeOffer({
      slotId: slot.slotId,
      patientId: winnerId,
      // DECLINED too: a NO racing this patient's own winning YES must not leave the winner "declined".
      from: ['PENDING', 'EXPIRED', 'DECLINED'],
      to: 'ACCEPTED',
      now,
      reason: 'CLAIMED',
    });
    await this.closeLiveOffers(slot.slotId, 'CANCELLED', 'SLOT_FILLED', undefined);
    // A newer offer to the winner whose text had not gone out yet: they are booked, so it goes (and its
    // batch moves on if that emptied it).
    const winner = await store.getPatient(winnerId);
    const elsewhere = winner?.liveOfferSlotId;
    if (elsewhere && elsewhere !== slot.slotId) {
      const closed = await store.closeOffer({
        slotId: elsewhere,
        patientId: winnerId,
        from: ['PENDING'],
        to: 'CANCELLED',
        now,
        reason: 'PATIENT_BOOKED',
      });
      if (closed) await this.advanceIfBatchEmpty(elsewhere);
    }
    // The patient has their earlier visit: their waitlist entry is fulfilled.
    await store.deactivatePatientEntries(winnerId, now, 'FILLED', policy.inactiveEntryTtlDays);
    // Tidy only: a hold that fires after the fill finds the slot FILLED and does nothing.
    await this.deps.scheduler.cancel(
      holdScheduleName(slot.slotId, slot.currentBatch + 1, slot.holdExpiresAt),
    );
    try {
      await this.deps.alerts?.slotFilled({
        slotId: slot.slotId,
        startAt: slot.startAt,
        providerId: slot.providerId,
        batch: slot.currentBatch,
        loggedAt: slot.loggedAt,
        filledAt: slot.filledAt ?? now,
      });
    } catch (error) {
      // The fill stands whether or not the notification went out; staff also see it on the board.
      this.log('alert.failed', { slotId: slot.slotId, error: String(error) });
    }
  }

  /** A patient said NO to their live offer. If that empties the batch, the next batch goes out now. */
  async decline(patientId: string): Promise<DeclineOutcome> {
    const { store } = this.deps;
    const patient = await store.getPatient(patientId);
    // A NO answers the text they last received, as a YES does (not a newer offer still unsent).
    const slotId = patient?.lastOfferSlotId;
    if (!patient || !slotId) return { kind: 'NO_OFFER' };
    const booked = await this.bookedVisitOf(patientId, slotId);
    if (booked) {
      await this.winnerChangedMind(booked, patientId, 'DECLINED');
      return { kind: 'WINNER_CHANGED_MIND', slotId };
    }
    const closed = await store.closeOffer({
      slotId,
      patientId,
      from: ['PENDING', 'EXPIRED'],
      to: 'DECLINED',
      now: this.now(),
      reason: 'PATIENT_DECLINED',
    });
    if (!closed) {
      // A retry of a NO we already took (Twilio re-sending after a timeout) must still move the slot on.
      const offer = (await store.listOffers(slotId)).find((o) => o.patientId === patientId);
      if (offer?.state !== 'DECLINED') return { kind: 'NO_OFFER' };
    }
    await this.advanceIfBatchEmpty(slotId);
    return { kind: 'DECLINED', slotId };
  }

  /** The slot this patient won, while its visit is still ahead. */
  private async bookedVisitOf(patientId: string, slotId: string): Promise<Slot | undefined> {
    const slot = await this.deps.store.getSlot(slotId);
    const ahead = slot !== undefined && slot.startAt > this.now();
    return slot?.status === 'FILLED' && slot.filledByPatientId === patientId && ahead ? slot : undefined;
  }

  /** Flags the slot (once) and alerts staff: the booking may now be empty, and only a call can tell. */
  private async winnerChangedMind(
    slot: Slot,
    patientId: string,
    how: 'DECLINED' | 'OPTED_OUT',
  ): Promise<void> {
    const at = this.now();
    if (!(await this.deps.store.flagWinnerChangedMind(slot.slotId, patientId, how, at))) return;
    this.log('slot.winner-changed-mind', { slotId: slot.slotId, patientId, how });
    try {
      await this.deps.alerts?.winnerChangedMind({
        slotId: slot.slotId,
        startAt: slot.startAt,
        providerId: slot.providerId,
        how,
        at,
      });
    } catch (error) {
      // The flag stands either way; staff also see it on the board.
      this.log('alert.failed', { slotId: slot.slotId, error: String(error) });
    }
  }

  /** Called when an offer of the current batch closed early (declined, failed, opted out). */
  async advanceIfBatchEmpty(slotId: string): Promise<void> {
    const slot = await this.deps.store.getSlot(slotId);
    if (slot?.status !== 'OPEN' || slot.phase !== 'HOLDING') return;
    if (await this.batchHasLiveOffers(slotId, slot.currentBatch)) return;
    const next = slot.currentBatch + 1;
    // The hold's own schedule is left alone: cancelling it before its successor exists would leave
    // nothing to move the slot if we died in between. When it fires later it changes nothing.
    if (this.deps.advanceMode === 'handoff') {
      await this.deps.scheduler.scheduleOnce({
        name: `${holdScheduleName(slotId, next)}-early`,
        at: this.now(),
        event: { kind: 'START_BATCH', slotId, batch: next },
      });
      return;
    }
    await this.startBatch({ slotId, batch: next });
  }

  /**
   * Staff do not want to wait out the hold: the next batch goes out now. `afterBatch` is the batch the
   * staff member was looking at, so a click that lands just after the hold already moved the slot on
   * does not also cut the new batch's hold short. It is the scheduled step taken early (a concurrent
   * expiry or a double click advances the slot once, and patients already offered keep their right to
   * claim); where that step would defer the batch or close the slot it is refused instead, and nothing
   * changes. The hold's own schedule still fires later and finds the batch already out.
   */
  async sendNextBatchNow(slotId: string, afterBatch: number): Promise<Slot> {
    const { store, policy } = this.deps;
    const slot = await store.getSlot(slotId);
    if (!slot) throw new NotFoundError('slot', slotId);
    if (slot.status !== 'OPEN') throw new ConflictError(`slot ${slotId} is ${slot.status}`);
    if (slot.currentBatch !== afterBatch) {
      throw new ConflictError(`batch ${slot.currentBatch} has already gone out; reload to see it`);
    }
    // afterBatch 0 is "send the first batch now": skip what is left of the edit delay.
    const firstNow = afterBatch === 0 && slot.phase === 'WAITING';
    if (slot.phase !== 'HOLDING' && !firstNow) {
      throw new ConflictError(
        slot.phase === 'SENDING'
          ? `batch ${slot.currentBatch} is being sent right now; try again in a moment`
          : 'the first batch has not gone out yet',
      );
    }
    const batch = afterBatch + 1;
    const outcome = await this.startBatch({ slotId, batch }, { early: true });
    // The last selection's counts (recorded by startBatch) name the real main reason, by count.
    const counted =
      outcome === 'NOBODY_NOW' || outcome === 'NOBODY_LEFT'
        ? describeWhyNot((await store.getSlot(slotId))?.lastSelection?.excluded ?? {}, ['ALREADY_OFFERED'])
        : undefined;
    const refusal: Partial<Record<StartOutcome, string>> = {
      CLOSED: `slot ${slotId} is no longer open`,
      STALE: `batch ${batch} has already gone out; reload to see it`,
      BUSY: `batch ${afterBatch} is being sent right now; try again in a moment`,
      PAST_CUTOFF: `offers stop ${policy.offerCutoffMinutes} minutes before the visit; the patients already offered can still answer`,
      OUTSIDE_CONTACT_HOURS: `it is outside contact hours (${policy.contactHours.start}-${policy.contactHours.end}); the next batch goes out when they open`,
      NOBODY_NOW: `nobody left can be texted right now: ${counted ?? 'they are outside their own contact hours, holding another offer, or at their offer cap'}`,
      NOBODY_LEFT: `nobody else on the waitlist can take this slot${counted ? ` (${counted})` : ''}; the patients already offered can still answer`,
    };
    const reason = refusal[outcome];
    if (reason) throw new ConflictError(reason);
    // Tidy only: the delayed first batch's schedule would find batch 1 out and change nothing.
    if (firstNow) await this.deps.scheduler.cancel(holdScheduleName(slotId, 1));
    this.log('batch.sent-early', { slotId, batch });
    return (await store.getSlot(slotId)) as Slot;
  }

  /**
   * Staff fix a cancellation while its first batch waits out the edit delay (the reason the delay
   * exists). The same rules as a new one apply; once batch 1 is out (patients have read the details)
   * the edit is refused and the slot must be withdrawn and logged again.
   */
  async editWaitingSlot(slotId: string, changes: SlotEdit): Promise<Slot> {
    const { store, policy } = this.deps;
    const slot = await store.getSlot(slotId);
    if (!slot) throw new NotFoundError('slot', slotId);
    const refuse = () =>
      new ConflictError(
        slot.status !== 'OPEN'
          ? `slot ${slotId} is ${slot.status}`
          : 'batch 1 has gone out: patients were texted these details; withdraw it and log it again',
      );
    if (slot.status !== 'OPEN' || slot.currentBatch > 0 || slot.phase !== 'WAITING') throw refuse();
    const merged = { ...slot, ...changes };
    const firstBatchAt = Date.parse(slot.loggedAt) + policy.firstBatchDelayMinutes * 60_000;
    await this.validateCancellation(
      merged,
      new Date(Math.max(firstBatchAt, Date.parse(this.now()))).toISOString(),
    );
    const updated = await store.updateWaitingSlot(slotId, {
      ...changes,
      ...(changes.startAt ? { startAt: new Date(changes.startAt).toISOString() } : {}),
    });
    if (!updated) throw refuse();
    this.log('slot.edited', { slotId, fields: Object.keys(changes).sort().join(',') });
    return updated;
  }

  /** Staff filled the slot another way (usually by phone): close it and tell everyone still holding it. */
  async withdraw(slotId: string, by: string): Promise<Slot> {
    const { store } = this.deps;
    const now = this.now();
    const closed = await store.closeSlot({
      slotId,
      to: 'WITHDRAWN',
      now,
      reason: `WITHDRAWN_BY_STAFF:${by}`,
    });
    if (!closed) {
      const slot = await store.getSlot(slotId);
      if (!slot) throw new NotFoundError('slot', slotId);
      if (slot.status !== 'WITHDRAWN') throw new ConflictError(`slot ${slotId} is already ${slot.status}`);
    }
    await this.closeLiveOffers(slotId, 'CANCELLED', 'SLOT_WITHDRAWN', 'WITHDRAWN');
    const slot = (await store.getSlot(slotId)) as Slot;
    // Tidy only: anything that still fires finds the slot WITHDRAWN and does nothing.
    await this.deps.scheduler.cancel(holdScheduleName(slotId, slot.currentBatch + 1, slot.holdExpiresAt));
    await this.deps.scheduler.cancel(holdScheduleName(slotId, 1));
    this.log('slot.withdrawn', { slotId });
    return slot;
  }

  /** Delivers a fired one-shot schedule: a batch to start, or a notice held for quiet hours. */
  async handleScheduled(event: ScheduledEvent): Promise<void> {
    if (event.kind === 'SEND_NOTICE') await this.sendNotice(event);
    else await this.startBatch(event);
  }

  /**
   * A notice that is not an answer to the patient (a withdrawal) goes only inside their quiet-hours
   * window; outside it, a one-shot schedule sends it at the window's opening (SEND_NOTICE).
   */
  private async sendNoticeInWindow(
    patient: Patient,
    slotId: string,
    template: NoticeTemplate,
  ): Promise<void> {
    const now = this.now();
    if (isWithinPatientWindow(now, patient, this.deps.policy)) {
      await this.sendNotice({ kind: 'SEND_NOTICE', patientId: patient.patientId, slotId, template });
      return;
    }
    const at = nextPatientWindowOpening(now, patient, this.deps.policy);
    await this.deps.scheduler.scheduleOnce({
      name: noticeScheduleName(slotId, patient.patientId, template),
      at,
      event: { kind: 'SEND_NOTICE', patientId: patient.patientId, slotId, template },
    });
    this.log('notice.deferred', { slotId, patientId: patient.patientId, template, until: at });
  }

  /**
   * Sends a held notice, once (a fixed message id absorbs duplicate deliveries): dropped when the slot's
   * visit has started by then (it would tell nothing), when the patient opted out meanwhile, and held
   * again if it fired outside the window (a schedule late by a minute at 20:59).
   */
  async sendNotice(event: Omit<SendNoticeEvent, 'scheduledTime'>): Promise<'SENT' | 'DROPPED' | 'HELD'> {
    const { store, policy } = this.deps;
    const now = this.now();
    const [patient, slot] = await Promise.all([
      store.getPatient(event.patientId),
      store.getSlot(event.slotId),
    ]);
    if (patient?.consent !== 'OPTED_IN' || !slot || slot.startAt <= now) {
      this.log('notice.dropped', {
        slotId: event.slotId,
        patientId: event.patientId,
        template: event.template,
      });
      return 'DROPPED';
    }
    if (!isWithinPatientWindow(now, patient, policy)) {
      await this.sendNoticeInWindow(patient, event.slotId, event.template);
      return 'HELD';
    }
    const body = templatesFor(patient.language).withdrawn(this.brand);
    await this.sendSms(patient, body, 'WITHDRAWN', event.slotId, {
      messageId: `notice-${event.slotId}-${event.patientId}-${event.template}`,
    });
    return 'SENT';
  }
}

/** The schedule of a held notice (EventBridge names: at most 64 characters). */
export function noticeScheduleName(slotId: string, patientId: string, template: NoticeTemplate): string {
  return `n-${slotId}-${patientId}-${template[0]}`.slice(0, 64);
}
