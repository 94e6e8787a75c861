import { DateTime } from 'luxon';
import { isAvailableAt } from './availability.js';
import type { Patient, Provider, Slot, WaitlistEntry } from './model.js';
import { requiredMinutes, type VisitTypeRules } from './visit-type.js';

/** Why a waitlisted patient is not offered a given slot. Each rule is enforced when a batch is chosen. */
export type Exclusion =
  | 'INACTIVE'
  | 'OPTED_OUT'
  | 'PROVIDER_MISMATCH'
  | 'PROVIDER_TYPE_MISMATCH'
  | 'LOCATION_MISMATCH'
  | 'VISIT_TYPE_MISMATCH'
  /** The patient's visit needs more minutes than the slot has. */
  | 'DURATION_TOO_SHORT'
  /** The slot starts outside the days and hours the patient said they can come. */
  | 'AVAILABILITY'
  | 'NOT_EARLIER_THAN_CURRENT'
  | 'TOO_LITTLE_NOTICE'
  | 'DAILY_CAP'
  | 'WEEKLY_CAP'
  | 'HAS_LIVE_OFFER'
  | 'ALREADY_OFFERED'
  /** The patient texted PAUSE: no offers until their date. */
  | 'PAUSED'
  /** This slot is part of a cascade that already moved the patient (the loop guard). */
  | 'IN_CHAIN';

export interface EligibilityPolicy {
  minNoticeMinutes: number;
  caps: { perDay: number; perWeek: number };
  /** The zone availability is read in; absent = UTC (the engine always passes the clinic's). */
  clinicTimeZone?: string;
  /** The visit-type catalogue's rules by name; a type not in it has none (as before the catalogue). */
  visitTypes?: VisitTypeRules;
}

export interface EligibilityInput {
  entry: Pick<WaitlistEntry, 'active' | 'preferences' | 'currentAppointmentAt' | 'availability'> & {
    /** Minutes the patient's visit needs; absent = from the catalogue types they want. */
    requiredMinutes?: number;
  };
  patient: Pick<Patient, 'patientId' | 'consent' | 'liveOfferSlotId' | 'recentOfferTimes' | 'pausedUntil'>;
  slot: Pick<Slot, 'providerId' | 'locationId' | 'visitType' | 'startAt' | 'offeredPatientIds' | 'chain'> &
    Partial<Pick<Slot, 'durationMinutes'>>;
  provider: Pick<Provider, 'providerType'>;
  now: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Every reason the patient is excluded (empty = eligible). Returning all of them helps staff debug. */
export function exclusionsFor(input: EligibilityInput, policy: EligibilityPolicy): Exclusion[] {
  const { entry, patient, slot, provider } = input;
  const now = DateTime.fromISO(input.now, { zone: 'utc' });
  const slotStart = DateTime.fromISO(slot.startAt, { zone: 'utc' });
  const reasons: Exclusion[] = [];
  const prefs = entry.preferences;

  if (!entry.active) reasons.push('INACTIVE');
  if (patient.consent !== 'OPTED_IN') reasons.push('OPTED_OUT');
  if (prefs.providerIds.length > 0 && !prefs.providerIds.includes(slot.providerId)) {
    reasons.push('PROVIDER_MISMATCH');
  }
  if (prefs.providerTypes.length > 0 && !prefs.providerTypes.includes(provider.providerType)) {
    reasons.push('PROVIDER_TYPE_MISMATCH');
  }
  if (prefs.locationIds.length > 0 && !prefs.locationIds.includes(slot.locationId)) {
    reasons.push('LOCATION_MISMATCH');
  }
  if (prefs.visitTypes.length > 0 && !prefs.visitTypes.includes(slot.visitType)) {
    reasons.push('VISIT_TYPE_MISMATCH');
  }
  const needs = requiredMinutes(entry, policy.visitTypes);
  if (needs !== undefined && slot.durationMinutes !== undefined && slot.durationMinutes < needs) {
    reasons.push('DURATION_TOO_SHORT');
  }
  if (!isAvailableAt(entry.availability, slot.startAt, policy.clinicTimeZone ?? 'UTC')) {
    reasons.push('AVAILABILITY');
  }
  if (entry.currentAppointmentAt && DateTime.fromISO(entry.currentAppointmentAt) <= slotStart) {
    // Moving a patient later is never the point of a backfill.
    reasons.push('NOT_EARLIER_THAN_CURRENT');
  }
  // A catalogue type's own notice (a neurology slot never less than 72 h out) overrides the clinic's.
  const typeNoticeHours = policy.visitTypes?.get(slot.visitType.toLowerCase())?.minNoticeHours;
  const minNotice = typeNoticeHours !== undefined ? typeNoticeHours * 60 : policy.minNoticeMinutes;
  if (slotStart.diff(now, 'minutes').minutes < minNotice) reasons.push('TOO_LITTLE_NOTICE');

  const offerAges = patient.recentOfferTimes.map((t) => now.toMillis() - DateTime.fromISO(t).toMillis());
  if (offerAges.filter((age) => age < DAY_MS).length >= policy.caps.perDay) reasons.push('DAILY_CAP');
  if (offerAges.filter((age) => age < 7 * DAY_MS).length >= policy.caps.perWeek) reasons.push('WEEKLY_CAP');
  if (patient.liveOfferSlotId) reasons.push('HAS_LIVE_OFFER');
  if (slot.offeredPatientIds.includes(patient.patientId)) reasons.push('ALREADY_OFFERED');
  if (patient.pausedUntil && DateTime.fromISO(patient.pausedUntil) > now) reasons.push('PAUSED');
  if (slot.chain?.movedPatientIds.includes(patient.patientId)) reasons.push('IN_CHAIN');
  return reasons;
}

/** Offer times older than a week no longer count against any cap. */
export function pruneOfferTimes(times: string[], nowIso: string): string[] {
  const now = DateTime.fromISO(nowIso).toMillis();
  return times.filter((t) => now - DateTime.fromISO(t).toMillis() < 7 * DAY_MS);
}
