import type {
  ConsentChange,
  ConsentState,
  ConsentWrite,
  InboxItem,
  Location,
  MessageRecord,
  Offer,
  OfferState,
  Patient,
  Provider,
  SelectionSummary,
  Slot,
  SlotNextStep,
  SlotStatus,
  WaitlistEntry,
} from '../domain/model.js';

/**
 * The engine's persistence port. Each method is one atomic decision (a conditional write) or a read;
 * the DynamoDB adapter documents the condition behind each. Methods are idempotent: replaying a step
 * after a crash or a duplicate delivery changes nothing.
 */

export interface RankedPage {
  rows: Array<{ entry: WaitlistEntry; patient: Patient | undefined }>;
  /** Items the page cost: index rows plus patient profiles fetched. */
  itemsRead: number;
  cursor?: Record<string, unknown>;
}

export type BeginBatchResult =
  /** This caller owns the batch now and must choose and text it. */
  | { kind: 'STARTED'; slot: Slot }
  /** A previous attempt died mid-batch and its lease ran out: this caller finishes it. */
  | { kind: 'RESUMED'; slot: Slot }
  /** Another delivery got there first, or the slot moved on: nothing to do. */
  | { kind: 'SKIPPED'; slot: Slot | undefined };

export type CreateOfferResult = 'CREATED' | 'PATIENT_UNAVAILABLE' | 'SLOT_CHANGED';

export interface InboundReservation {
  previousReply?: string;
  inFlight?: boolean;
  receivedAt: string;
}

export type OfferTextedResult = 'POINTED' | 'BOOKED_ELSEWHERE';

export type ClaimResult = { won: true; slot: Slot } | { won: false; slot: Slot | undefined };

export interface OfferStore {
  getSlot(slotId: string): Promise<Slot | undefined>;
  /** Every OPEN slot (gsi1 `SLOTS#OPEN`); a clinic has a handful at a time. */
  listOpenSlots(): Promise<Slot[]>;
  putNewSlot(slot: Slot): Promise<void>;
  getPatient(patientId: string): Promise<Patient | undefined>;
  findPatientIdByPhone(e164: string): Promise<string | undefined>;
  getProvider(providerId: string): Promise<Provider | undefined>;
  getLocation(locationId: string): Promise<Location | undefined>;

  /** Re-ranks entries whose score changed since they were indexed (see nextScoreChangeAt). */
  rescoreDueEntries(now: string, zone: string, limit: number): Promise<number>;
  /** The waitlist in rank order, one page at a time, with each entry's patient profile. */
  rankedWaitlistPage(pageSize: number, cursor?: Record<string, unknown>): Promise<RankedPage>;

  beginBatch(input: {
    slotId: string;
    batch: number;
    now: string;
    leaseUntil: string;
    holdExpiresAt: string;
  }): Promise<BeginBatchResult>;
  /** Keeps what the last batch selection found on the slot (the "why not" staff see). */
  recordSelection(slotId: string, summary: SelectionSummary): Promise<void>;
  /** Moves the slot from SENDING to HOLDING once every offer of the batch has been texted. */
  finishBatchSending(slotId: string, batch: number): Promise<void>;
  createOffer(input: {
    slot: Slot;
    patient: Patient;
    batch: number;
    now: string;
    holdExpiresAt: string;
  }): Promise<CreateOfferResult>;
  /**
   * The provider accepted this offer's text. Marks the offer notified and makes it the one the patient's
   * YES answers: their claim pointer moves to this slot and the older slot's claim right goes, in one
   * transaction. BOOKED_ELSEWHERE when the patient's YES for that older slot won it (since
   * `bookedSince`) before the pointer moved: this newer offer must then be withdrawn.
   */
  recordOfferTexted(input: {
    slotId: string;
    patientId: string;
    at: string;
    bookedSince: string;
  }): Promise<OfferTextedResult>;
  /**
   * An offer closed before its text went out never reached the patient: its send time leaves their
   * recent-offer list, so it does not count against their caps.
   */
  giveBackOfferTime(patientId: string, sentAt: string): Promise<void>;
  /** A resumed batch's fresh hold, for an offer whose text has not gone out yet; false once it has. */
  renewUnsentOfferHold(slotId: string, patientId: string, holdExpiresAt: string): Promise<boolean>;
  listOffers(slotId: string): Promise<Array<Offer & { notifiedAt?: string }>>;
  /**
   * Moves an offer from one of `from` to `to`, frees the patient for other offers and (unless the new
   * state is EXPIRED, whose patients may still claim) removes their right to claim. False when the offer
   * was not in `from` (someone else closed it first).
   */
  closeOffer(input: {
    slotId: string;
    patientId: string;
    from: OfferState[];
    to: OfferState;
    now: string;
    reason: string;
  }): Promise<boolean>;

  /** Marks that a slot's winner changed their mind; true the first time only (one staff alert). */
  flagWinnerChangedMind(
    slotId: string,
    patientId: string,
    how: 'DECLINED' | 'OPTED_OUT',
    at: string,
  ): Promise<boolean>;
  /** The single conditional write that decides a slot's winner. */
  claimSlot(slotId: string, patientId: string, now: string): Promise<ClaimResult>;
  closeSlot(input: {
    slotId: string;
    to: Exclude<SlotStatus, 'OPEN' | 'FILLED'>;
    now: string;
    reason: string;
  }): Promise<Slot | undefined>;
  deactivatePatientEntries(patientId: string, now: string, reason: string, ttlDays: number): Promise<void>;

  /**
   * Sets the patient's consent and appends the change to their consent history, in one transaction,
   * unless a change later in arrival order (`change.order`) was already applied (SUPERSEDED). When the
   * state is already the one asked for, only the order advances (UNCHANGED): a later word that changed
   * nothing still outranks an earlier one handled after it.
   */
  recordConsentChange(patientId: string, change: ConsentChange): Promise<ConsentWrite>;
  /** Puts the patient's active entries in the ranked index (opted in) or takes them out (opted out). */
  reindexPatientEntries(patientId: string, consent: ConsentState, now: string, zone: string): Promise<void>;
  /** Takes back a patient's right to claim a slot (opt-out, decline). */
  revokeClaim(slotId: string, patientId: string): Promise<void>;
  /** True the first time only: an unknown reply gets one short help text per offer. */
  markUnknownReplyHelped(slotId: string, patientId: string): Promise<boolean>;

  /**
   * Records that a webhook with this MessageSid arrived (kept for good: a replay never acts twice).
   * Returns the answer given the first time when this is a retry that was already answered; `inFlight`
   * when another attempt is handling it now. `receivedAt` is the first arrival, whichever attempt this is.
   */
  reserveInbound(messageSid: string, now: string): Promise<InboundReservation>;
  /** A failed attempt gives the message back, so the next retry handles it instead of skipping it. */
  releaseInbound(messageSid: string): Promise<void>;
  completeInbound(messageSid: string, reply: string): Promise<void>;
  /** True the first time only: an answer that went back as TwiML is also sent through the API once. */
  markInboundAnsweredByApi(messageSid: string, at: string): Promise<boolean>;
  /**
   * The waitlist entry a fill fulfilled (deactivated as FILLED, newest first) that records the
   * appointment the patient held: what a cascade frees.
   */
  fulfilledEntryOf(patientId: string): Promise<WaitlistEntry | undefined>;
  /** Links a parent slot to the slot logged for its freed appointment; false when one already was. */
  reserveFreedSlot(parentSlotId: string, childSlotId: string): Promise<boolean>;
  /** "Ask" mode: keeps the freed appointment on the parent slot for staff to log in one click. */
  suggestFreedAppointment(parentSlotId: string, freed: NonNullable<Slot['freedAppointment']>): Promise<void>;
  /**
   * Changes a slot whose first batch has not begun (status OPEN, batch 0, WAITING); undefined when it
   * has (the batch won the race).
   */
  updateWaitingSlot(
    slotId: string,
    changes: Partial<
      Pick<
        Slot,
        | 'startAt'
        | 'durationMinutes'
        | 'providerId'
        | 'locationId'
        | 'visitType'
        | 'batchSize'
        | 'holdMinutes'
      >
    >,
  ): Promise<Slot | undefined>;
  /** Records what the slot waits for and until when (shown on the board). */
  setNextStep(slotId: string, step: SlotNextStep): Promise<void>;
  /** Sets (or, with undefined, lifts) the patient's pause on offers. */
  setPausedUntil(patientId: string, until: string | undefined): Promise<void>;
  /** True when the patient has at least one active waitlist entry. */
  hasActiveEntry(patientId: string): Promise<boolean>;
  /** A text that said how to opt out reached this patient (see needsOptOutHint). */
  markOptOutTold(patientId: string, at: string): Promise<void>;
  /** Records that the patient's number may have changed hands ("wrong number"). */
  flagNumberMayBeReassigned(patientId: string, at: string): Promise<void>;
  /** Puts an inbound message in the staff inbox (OPEN); the same message twice is one item. */
  addInboxItem(item: Omit<InboxItem, 'status'>): Promise<void>;
  /** Records a message; recording the same messageId twice is a no-op (returns false). */
  recordMessage(message: MessageRecord, ttlDays: number): Promise<boolean>;
  getMessage(messageId: string): Promise<MessageRecord | undefined>;
  /**
   * Moves a message's delivery status forward only (queued → sending → sent → delivered | undelivered |
   * failed), whatever order callbacks arrive in. Returns the updated message, or undefined when the
   * update was stale, a duplicate or for an unknown message.
   */
  updateMessageDelivery(
    messageId: string,
    update: { providerSid?: string; deliveryStatus: string; errorCode?: string; at: string },
  ): Promise<MessageRecord | undefined>;
}
