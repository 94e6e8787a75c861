import { DateTime } from 'luxon';

/**
 * Every SMS the system sends. Lock screens show texts to anyone nearby, so a template carries only the
 * clinic's short name, the patient's first name, the provider's display name, a generic location and
 * the time: no surname, specialty or visit reason. "CANCEL" is an opt-out keyword, so no template uses
 * it to mean "cancel your appointment".
 */

export interface Brand {
  clinicName: string;
  contactPhone: string;
}

export interface OfferDetails {
  firstName: string;
  providerName: string;
  locationName: string;
  startAt: string;
  timeZone: string;
  holdExpiresAt: string;
}

function when(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat('ccc LLL d h:mma');
}

function clock(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat('h:mma');
}

export const templates = {
  offer: (b: Brand, o: OfferDetails) =>
    `${b.clinicName}: Hi ${o.firstName}, an earlier visit opened: ${when(o.startAt, o.timeZone)} with ${o.providerName} at ${o.locationName}. Reply YES to take it or NO to pass. Held till ${clock(o.holdExpiresAt, o.timeZone)}`,
  confirmed: (b: Brand, o: Pick<OfferDetails, 'startAt' | 'timeZone' | 'providerName' | 'locationName'>) =>
    `${b.clinicName}: You're booked for ${when(o.startAt, o.timeZone)} with ${o.providerName} at ${o.locationName}. We'll confirm details. Questions: ${b.contactPhone}`,
  taken: (b: Brand) =>
    `${b.clinicName}: Sorry, that opening was just taken. You stay on our waitlist and we'll text you when another one opens.`,
  closed: (b: Brand) =>
    `${b.clinicName}: That opening is no longer available. You stay on our waitlist and we'll text you when another one opens.`,
  withdrawn: (b: Brand) =>
    `${b.clinicName}: The opening we texted you about is no longer available. You stay on our waitlist.`,
  declined: (b: Brand) => `${b.clinicName}: Thanks, we'll keep you on the waitlist for the next opening.`,
  noOffer: (b: Brand) =>
    `${b.clinicName}: You have no open offer right now. We'll text you when an opening comes up. Reply HELP for help, STOP to opt out.`,
  help: (b: Brand) =>
    `${b.clinicName} waitlist texts: we text you when an earlier visit opens. Call ${b.contactPhone} for help. Reply STOP to opt out. Msg&data rates may apply.`,
  optedOut: (b: Brand) =>
    `${b.clinicName}: You're unsubscribed and will receive no further messages. Reply START to resubscribe.`,
  optedIn: (b: Brand) =>
    `${b.clinicName}: You're resubscribed to waitlist texts. Reply HELP for help, STOP to opt out.`,
  unknown: (b: Brand) =>
    `${b.clinicName}: Please reply YES to take the opening or NO to pass. Reply HELP for help.`,
} as const;

export type TemplateName = keyof typeof templates;
