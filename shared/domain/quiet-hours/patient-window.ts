import { DateTime } from 'luxon';
import { type ClockWindow, type DayWindow, intersect, legalWindowOn, stateOf } from './state-rules.js';

/**
 * A patient's contact window: the stricter (intersection) of the clinic's window and the law where the
 * patient is (federal 08:00-21:00 and their state's rule), read in the patient's own zone (their
 * `timeZone`, else the clinic's). Pure: the time comes in.
 */

export interface Recipient {
  phone: string;
  timeZone?: string;
  /** Two-letter USPS code entered by staff; else the phone's area code decides. */
  state?: string;
}

export interface WindowPolicy {
  clinicTimeZone: string;
  contactHours: ClockWindow;
  /**
   * false only for tests and local demos that run at any hour (LEGAL_QUIET_HOURS=false, never passed to
   * a deployment): the clinic's window alone then applies. Absent = true.
   */
  legalQuietHours?: boolean;
}

function atClock(day: DateTime, clock: string): DateTime {
  if (clock === '24:00') return day.startOf('day').plus({ days: 1 });
  const [hour, minute] = clock.split(':').map(Number);
  // luxon moves a wall time that DST skips forward to the next valid instant.
  return day.set({ hour: hour ?? 0, minute: minute ?? 0, second: 0, millisecond: 0 });
}

/** The window that applies to this patient on the local day `day` (null: no texts that day). */
export function patientWindowOn(day: DateTime, recipient: Recipient, policy: WindowPolicy): DayWindow {
  if (policy.legalQuietHours === false) return policy.contactHours;
  const legal = legalWindowOn(day, stateOf(recipient).state);
  return legal && intersect(policy.contactHours, legal);
}

export function patientZone(recipient: Recipient, policy: WindowPolicy): string {
  return recipient.timeZone ?? policy.clinicTimeZone;
}

export function isWithinPatientWindow(nowIso: string, recipient: Recipient, policy: WindowPolicy): boolean {
  const local = DateTime.fromISO(nowIso, { zone: 'utc' }).setZone(patientZone(recipient, policy));
  const window = patientWindowOn(local, recipient, policy);
  return window !== null && local >= atClock(local, window.start) && local < atClock(local, window.end);
}

/**
 * The patient's next window opening at or after `now` (now itself when inside), as UTC ISO. Looks two
 * weeks ahead at most (a Sunday after a holiday Saturday is the longest run of closed days).
 */
export function nextPatientWindowOpening(nowIso: string, recipient: Recipient, policy: WindowPolicy): string {
  const now = DateTime.fromISO(nowIso, { zone: 'utc' }).setZone(patientZone(recipient, policy));
  for (let offset = 0; offset < 14; offset++) {
    const day = offset === 0 ? now : now.plus({ days: offset }).startOf('day');
    const window = patientWindowOn(day, recipient, policy);
    if (!window) continue;
    const start = atClock(day, window.start);
    const end = atClock(day, window.end);
    if (now >= end) continue;
    return (now > start ? now : start).toUTC().toISO() as string;
  }
  return now.toUTC().toISO() as string;
}
