import { DateTime } from 'luxon';

/**
 * Quiet hours. Offers go out only inside the contact window in the recipient's own zone (TCPA allows
 * 08:00-21:00; some states 08:00-20:00, which is the default). Answers to STOP, HELP or a claim are not
 * offers and are never held back.
 */
export interface ContactWindow {
  start: string; // "HH:mm"
  end: string; // "HH:mm", exclusive
}

function atClock(day: DateTime, clock: string): DateTime {
  if (clock === '24:00') return day.startOf('day').plus({ days: 1 });
  const [hour, minute] = clock.split(':').map(Number);
  // luxon moves a wall time that DST skips forward to the next valid instant.
  return day.set({ hour: hour ?? 0, minute: minute ?? 0, second: 0, millisecond: 0 });
}

export function isWithinContactWindow(nowIso: string, zone: string, window: ContactWindow): boolean {
  const local = DateTime.fromISO(nowIso, { zone: 'utc' }).setZone(zone);
  return local >= atClock(local, window.start) && local < atClock(local, window.end);
}

/** The window's next opening at or after `now` (now itself when inside), as UTC ISO. */
export function nextContactWindowOpening(nowIso: string, zone: string, window: ContactWindow): string {
  if (isWithinContactWindow(nowIso, zone, window)) return DateTime.fromISO(nowIso).toUTC().toISO() ?? nowIso;
  const local = DateTime.fromISO(nowIso, { zone: 'utc' }).setZone(zone);
  const todayOpening = atClock(local, window.start);
  const opening = local < todayOpening ? todayOpening : atClock(local.plus({ days: 1 }), window.start);
  return opening.toUTC().toISO() ?? nowIso;
}
