import { DateTime } from 'luxon';

/**
 * When a waitlisted patient can come: a list of windows, each a set of weekdays and a time-of-day range
 * read in the clinic's zone. A slot matches when its start falls inside any window; an empty list (or
 * none) means any time. Times are wall-clock "HH:MM", so a window means the same hours on both sides of
 * a DST change. A slot matches a range when it starts at or after `from` and before `to`.
 */

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface AvailabilityWindow {
  /** Empty = every day. */
  days: Weekday[];
  /** "HH:MM" (24 h); both absent = all day. */
  from?: string;
  to?: string;
}

export type Availability = AvailabilityWindow[];

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export function isClockTime(value: string): boolean {
  return TIME.test(value);
}

/** Does a slot starting at `startIso` (UTC) fall inside the patient's availability? */
export function isAvailableAt(
  availability: Availability | undefined,
  startIso: string,
  zone: string,
): boolean {
  if (!availability || availability.length === 0) return true;
  const local = DateTime.fromISO(startIso, { zone: 'utc' }).setZone(zone);
  const day = WEEKDAYS[local.weekday - 1] as Weekday;
  const clock = local.toFormat('HH:mm');
  return availability.some(
    (w) =>
      (w.days.length === 0 || w.days.includes(day)) &&
      (w.from === undefined || clock >= w.from) &&
      (w.to === undefined || clock < w.to),
  );
}

/** A window's problem in words, or undefined when it is valid. */
export function windowProblem(w: AvailabilityWindow): string | undefined {
  if ((w.from === undefined) !== (w.to === undefined)) return 'give both a start and an end time';
  if (w.from !== undefined && w.to !== undefined && w.from >= w.to) return 'the end must be after the start';
  if (w.days.length === 0 && w.from === undefined) return 'name at least a day or a time range';
  return undefined;
}

/** The compact text form used in the CSV and on screen: "Mon,Tue 08:00-12:00; Thu 15:00-18:00". */
export function formatAvailability(availability: Availability | undefined): string {
  return (availability ?? [])
    .map((w) => [w.days.join(','), w.from !== undefined ? `${w.from}-${w.to}` : ''].filter(Boolean).join(' '))
    .join('; ');
}

export class AvailabilityFormatError extends Error {
  override readonly name = 'AvailabilityFormatError';
}

const DAY_BY_NAME = new Map<string, Weekday>(WEEKDAYS.map((d) => [d.toLowerCase(), d]));

function dayOf(token: string): Weekday {
  const day = DAY_BY_NAME.get(token.trim().slice(0, 3).toLowerCase());
  if (!day || token.trim().length < 3) {
    throw new AvailabilityFormatError(
      `"${token.trim()}" is not a weekday (Mon, Tue, Wed, Thu, Fri, Sat, Sun)`,
    );
  }
  return day;
}

/**
 * Reads the compact text form. Windows are separated by ";", each is days ("Mon,Tue" or a run
 * "Mon-Fri") and/or a time range "08:00-12:00". Blank = any time. Throws AvailabilityFormatError.
 */
export function parseAvailability(text: string): Availability {
  const windows: Availability = [];
  for (const part of text.split(';')) {
    const tokens = part.trim().split(/\s+/).filter(Boolean);
    if (tokens.length === 0) continue;
    const window: AvailabilityWindow = { days: [] };
    for (const token of tokens) {
      const range = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(token);
      if (range) {
        const [from, to] = [range[1], range[2]].map((t) => (t as string).padStart(5, '0')) as [
          string,
          string,
        ];
        if (!isClockTime(from) || !isClockTime(to)) {
          throw new AvailabilityFormatError(`"${token}" is not a time range like 08:00-12:00`);
        }
        if (window.from !== undefined)
          throw new AvailabilityFormatError('one time range per window (use ";")');
        window.from = from;
        window.to = to;
        continue;
      }
      for (const item of token.split(',').filter(Boolean)) {
        const run = item.split('-');
        if (run.length === 2) {
          const start = WEEKDAYS.indexOf(dayOf(run[0] as string));
          const end = WEEKDAYS.indexOf(dayOf(run[1] as string));
          if (end < start) throw new AvailabilityFormatError(`"${item}" runs backwards`);
          for (let i = start; i <= end; i++) window.days.push(WEEKDAYS[i] as Weekday);
        } else if (run.length === 1) window.days.push(dayOf(item));
        else throw new AvailabilityFormatError(`"${item}" is not a weekday or a run like Mon-Fri`);
      }
    }
    window.days = WEEKDAYS.filter((d) => window.days.includes(d));
    const problem = windowProblem(window);
    if (problem) throw new AvailabilityFormatError(`"${part.trim()}": ${problem}`);
    windows.push(window);
  }
  return windows;
}
