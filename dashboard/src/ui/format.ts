import { addDays, calendarDay, wallTimeToUtcIso, zoneAbbreviation } from './clinic-time.js';

/**
 * Times are shown in the CLINIC's zone, never the device's: the SMS a patient gets says "10:30AM" in
 * clinic time, and a tablet or a remote staffer in another zone must see the same 10:30. The shell sets
 * the zone from GET /admin/me before any view renders.
 */

let clinicZone: string | undefined;
let formatters:
  | {
      time: Intl.DateTimeFormat;
      dateTime: Intl.DateTimeFormat;
      full: Intl.DateTimeFormat;
      seconds: Intl.DateTimeFormat;
    }
  | undefined;

export function setClinicTimeZone(zone: string): void {
  if (zone === clinicZone) return;
  // Throws RangeError for a zone this browser does not know: better than silently using the device's.
  const make = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone });
  formatters = {
    time: make({ hour: '2-digit', minute: '2-digit' }),
    dateTime: make({ weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }),
    full: make({ dateStyle: 'medium', timeStyle: 'long' }),
    seconds: make({ hour: '2-digit', minute: '2-digit', second: '2-digit' }),
  };
  clinicZone = zone;
}

export function clinicTimeZone(): string {
  if (!clinicZone) throw new Error('The clinic time zone is not loaded yet');
  return clinicZone;
}

function fmt(): NonNullable<typeof formatters> {
  if (!formatters) throw new Error('The clinic time zone is not loaded yet');
  return formatters;
}

/** The clinic zone's abbreviation at an instant (default now): "CST", "CDT", "GMT+5:30". */
export function zoneAbbr(iso?: string): string {
  return zoneAbbreviation(iso ? Date.parse(iso) : Date.now(), clinicTimeZone());
}

export function time(iso: string | undefined): string {
  return iso ? fmt().time.format(new Date(iso)) : '—';
}

export function timeWithSeconds(iso: string | undefined): string {
  return iso ? fmt().seconds.format(new Date(iso)) : '—';
}

/**
 * Weekday, date and time. The zone abbreviation is added when it differs from today's (a slot after a
 * DST change, or the repeated hour of a fall-back night), where "10:30" alone would be ambiguous.
 */
export function dateTime(iso: string | undefined): string {
  if (!iso) return '—';
  const text = fmt().dateTime.format(new Date(iso));
  const abbr = zoneAbbr(iso);
  return abbr === zoneAbbr() ? text : `${text} ${abbr}`;
}

/** Date and time with seconds and the zone, for tooltips and records. */
export function full(iso: string | undefined): string {
  return iso ? fmt().full.format(new Date(iso)) : '—';
}

/** A datetime-local value read as clinic wall time, as a UTC ISO string (see wallTimeToUtcIso). */
export function clinicInputToIso(value: string): string {
  return wallTimeToUtcIso(value, clinicTimeZone());
}

/** "1 h 05 min", "4:32", "now". Seconds only show under ten minutes, where they matter. */
export function countdown(targetIso: string | undefined, now = Date.now()): string {
  if (!targetIso) return '—';
  const ms = Date.parse(targetIso) - now;
  if (ms <= 0) return 'now';
  const totalSeconds = Math.floor(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  if (minutes >= 10) return `${minutes} min`;
  return `${minutes}:${String(seconds).padStart(2, '0')}`;
}

/** Phones are masked by the API already; this guards any that are not. */
export function maskPhone(phone: string | undefined): string {
  if (!phone) return '—';
  if (phone.includes('•') || phone.includes('*')) return phone;
  return `•••• ${phone.slice(-4)}`;
}

export function titleCase(value: string): string {
  return value.charAt(0) + value.slice(1).toLowerCase().replace(/_/g, ' ');
}

/** A date input's value (YYYY-MM-DD) for today, plus offsetDays, on the clinic's calendar. */
export function todayInput(offsetDays = 0): string {
  return addDays(calendarDay(Date.now(), clinicTimeZone()), offsetDays);
}

/**
 * "3 per batch, holds up to 5 min" for a slot staff tuned, or '' when it uses the clinic's settings.
 * "Up to": the hold ends earlier when the offer cutoff comes first.
 */
export function slotTuning(slot: { batchSize?: number; holdMinutes?: number }): string {
  return [
    slot.batchSize ? `${slot.batchSize} per batch` : '',
    slot.holdMinutes ? `holds up to ${slot.holdMinutes} min` : '',
  ]
    .filter(Boolean)
    .join(', ');
}
