/**
 * The domain's entities. Plain data: no AWS types, no persistence keys. Times are ISO-8601 strings in
 * UTC (`toISOString()`), so they sort lexically and survive JSON and DynamoDB unchanged.
 */

import type { Availability } from './availability.js';

export type ProviderType = 'MD/DO' | 'APP';

export interface Provider {
  providerId: string;
  displayName: string;
  providerType: ProviderType;
  locationIds: string[];
  /** Left the clinic: kept for the slots that name them, but no new cancellation may. */
  retired?: boolean;
}

export interface Location {
  locationId: string;
  /** Generic name shown in SMS, e.g. "Main St". Never a department that reveals a specialty. */
  displayName: string;
  /** Closed: kept for the slots that name it, but no new cancellation may. */
  retired?: boolean;
}

/** Languages a patient can be texted in. Absent on a patient means English. */
export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export type ConsentState = 'OPTED_IN' | 'OPTED_OUT';

export interface ConsentChange {
  at: string;
  state: ConsentState;
  /** STAFF (with actor), INBOUND_KEYWORD (with the words), SEND_ERROR (with the Twilio code), IMPORT. */
  source: 'STAFF' | 'INBOUND_KEYWORD' | 'SEND_ERROR' | 'IMPORT' | 'SIGNUP';
  actor?: string;
  evidence?: string;
  /**
   * Where the deciding event stands in arrival order (`<ISO arrival>#<message id>`): the latest wins,
   * whatever order the handlers run in. Absent = `at` plus a fresh id (staff, send errors).
   */
  order?: string;
}

/** What a consent write did: CHANGED the state, found it UNCHANGED, or was SUPERSEDED by a later word. */
export type ConsentWrite = 'CHANGED' | 'UNCHANGED' | 'SUPERSEDED';

export interface Patient {
  patientId: string;
  /** E.164, normalised by libphonenumber-js at the edge. */
  phone: string;
  /** First name or preferred name only: it is the only name an SMS may carry. */
  displayName: string;
  /** Legal surname for staff; never rendered into an SMS. */
  familyName?: string;
  timeZone?: string;
  /**
   * US state (two-letter USPS code) whose quiet hours apply, when staff enter it; absent = from the
   * phone's area code (shared/domain/quiet-hours).
   */
  state?: string;
  /** The language every text to this patient is in; absent = English. */
  language?: Language;
  consent: ConsentState;
  /** The slot whose offer is live (PENDING) for this patient, if any: at most one at a time. */
  liveOfferSlotId?: string;
  /**
   * The slot of the newest offer whose text the provider accepted: what a YES answers, and the only
   * offer that may still be claimed. A newer offer moves it only once its own text has gone out.
   */
  lastOfferSlotId?: string;
  /** Send times of recent offers (last 7 days) for the anti-fatigue caps. */
  recentOfferTimes: string[];
  /** The patient texted PAUSE: no offers before this instant (RESUME or staff lift it). */
  pausedUntil?: string;
  /** When a text last told this patient how to opt out (CTIA: at first contact and regularly after). */
  optOutToldAt?: string;
  /**
   * Someone at this number said it is the wrong number: it may have been reassigned (consent belongs
   * to the person, not the number). The number is opted out; staff confirm the patient's new number.
   */
  numberMayBeReassigned?: { at: string };
  /** Bumped by every new offer, so two slots offering at once cannot both pass the caps. */
  offerRev?: number;
  createdAt: string;
}

export interface WaitlistPreferences {
  /** Empty = any. */
  providerIds: string[];
  providerTypes: ProviderType[];
  locationIds: string[];
  visitTypes: string[];
}

export interface WaitlistEntry {
  entryId: string;
  patientId: string;
  urgent: boolean;
  /** 0-40, set by staff with a reason. */
  boost: number;
  boostReason?: string;
  preferences: WaitlistPreferences;
  /** When the patient can come (weekdays, hours in the clinic's zone); absent or empty = any time. */
  availability?: Availability;
  /** The appointment the patient holds today; offers only move them earlier. */
  currentAppointmentAt?: string;
  /**
   * What that appointment is, when staff record it: once the patient moves earlier it becomes an
   * opening of its own (cascading backfill).
   */
  currentAppointment?: AppointmentDetails;
  joinedAt: string;
  active: boolean;
  notes?: string;
}

/** Where and what an appointment is (its time is kept beside it). */
export interface AppointmentDetails {
  providerId: string;
  locationId: string;
  visitType: string;
  durationMinutes: number;
}

/** A slot freed by a move down a cascade: its root, its parent, how deep, and who the chain moved. */
export interface SlotChain {
  rootSlotId: string;
  parentSlotId: string;
  depth: number;
  /** Never offered this chain's slots again (the loop guard). */
  movedPatientIds: string[];
}

export interface SlotNextStep {
  kind: 'FIRST_BATCH' | 'CONTACT_HOURS' | 'CANDIDATES_BUSY' | 'HOURLY_CAP' | 'PROVIDER_RETRY';
  at: string;
}

export type SlotStatus = 'OPEN' | 'FILLED' | 'EXPIRED' | 'WITHDRAWN';

/** A cancelled appointment, i.e. the open slot we try to fill. */
export interface Slot {
  slotId: string;
  providerId: string;
  locationId: string;
  startAt: string;
  durationMinutes: number;
  visitType: string;
  status: SlotStatus;
  /** 0 until the first batch goes out. */
  currentBatch: number;
  /**
   * Staff's choice for this slot (a same-day opening wants more patients at once and a shorter hold);
   * absent = the clinic's settings.
   */
  batchSize?: number;
  holdMinutes?: number;
  /** SENDING while a batch is being chosen and texted; HOLDING while its hold runs. */
  phase: 'WAITING' | 'SENDING' | 'HOLDING' | 'DONE';
  holdExpiresAt?: string;
  /** While SENDING: until when the current sender owns the batch; after it, another may finish it. */
  leaseUntil?: string;
  /** Patients ever offered this slot (never offered it twice). */
  offeredPatientIds: string[];
  filledByPatientId?: string;
  filledAt?: string;
  loggedBy: string;
  loggedAt: string;
  bookedInEhr?: { by: string; at: string };
  /**
   * Why the slot is waiting and until when, for the board ("batch 1 leaves at 10:03", "waiting for
   * contact hours until 08:00", "held back by the hourly send cap", "waiting for the SMS provider").
   * Cleared when a batch begins.
   */
  nextStep?: SlotNextStep;
  /** Set when this slot is the old appointment of a patient who moved earlier (cascading backfill). */
  chain?: SlotChain;
  /** The slot logged for the appointment this slot's winner freed. */
  freedSlotId?: string;
  /** In "ask" mode: the freed appointment, for staff to log in one click. */
  freedAppointment?: AppointmentDetails & { startAt: string };
  /**
   * The winner said they cannot come after all (a NO after winning) or opted out (CANCEL, STOP): the
   * booking may be empty, so staff are alerted and the board says to call them. Set once.
   */
  winnerChangedMind?: { at: string; how: 'DECLINED' | 'OPTED_OUT' };
  closedReason?: string;
  /** What the last batch selection found: how many it chose and why the others were left out. */
  lastSelection?: SelectionSummary;
}

/** One batch selection, kept on the slot so staff can see why nobody (or few) were offered it. */
export interface SelectionSummary {
  at: string;
  batch: number;
  chosen: number;
  itemsRead: number;
  /** Exclusion -> patients it applied to (a patient may count under several). */
  excluded: Record<string, number>;
}

export type OfferState = 'PENDING' | 'ACCEPTED' | 'DECLINED' | 'EXPIRED' | 'CANCELLED' | 'FAILED';

export interface Offer {
  slotId: string;
  patientId: string;
  batch: number;
  state: OfferState;
  sentAt: string;
  holdExpiresAt: string;
  respondedAt?: string;
  closedReason?: string;
}

/**
 * Why an inbound message needs a person: the system could not (or should not) answer it fully itself.
 * UNKNOWN_REPLY: a question or a mixed answer; QUALIFIED_YES: a yes with a condition ("yes but…");
 * WRONG_NUMBER: the number may have been reassigned; WINNER_CHANGED_MIND: the patient who booked a slot
 * said no or opted out; UNKNOWN_SENDER: a number that is not a patient.
 */
export type InboxReason =
  | 'UNKNOWN_REPLY'
  | 'QUALIFIED_YES'
  | 'WRONG_NUMBER'
  | 'WINNER_CHANGED_MIND'
  | 'UNKNOWN_SENDER';

/** One inbound message waiting for staff (the staff inbox). Keyed by the inbound message's id. */
export interface InboxItem {
  /** The inbound MessageRecord's id (`in-<MessageSid>`): its body and thread are read from there. */
  messageId: string;
  patientId?: string;
  slotId?: string;
  reason: InboxReason;
  receivedAt: string;
  status: 'OPEN' | 'HANDLED';
  handledBy?: string;
  handledAt?: string;
  /** Staff's own note on closing; no message body is copied here. */
  note?: string;
}

export type MessageDirection = 'OUTBOUND' | 'INBOUND';

export interface MessageRecord {
  messageId: string;
  direction: MessageDirection;
  patientId?: string;
  slotId?: string;
  /** Masked in every log line; stored here for the staff trail and removed by TTL. */
  phone: string;
  body: string;
  purpose: string;
  providerSid?: string;
  deliveryStatus: string;
  errorCode?: string;
  createdAt: string;
  updatedAt: string;
}
