import { DateTime } from 'luxon';
import { NON_US_AREA_CODES, US_AREA_CODES } from './nanp-area-codes.js';

/**
 * When the law lets us text someone, by where they are. Federal: 08:00-21:00 the recipient's local time
 * (TCPA, 47 CFR 64.1200(c)(1)). Some states are stricter for telemarketing; applying their windows to our
 * texts too is the safe policy (docs/compliance.md). Sources: the statutes named per rule, and the state
 * tables at dropcowboy.com/state-compliance and blog.clickpointsoftware.com/telemarketing-calling-hours-by-state
 * (as of 2025-11). Confirm each before relying on it: these are not legal advice.
 */

export interface ClockWindow {
  start: string; // "HH:mm"
  end: string; // "HH:mm" exclusive, or "24:00"
}

/** A day's window, or null: no texts at all that day. */
export type DayWindow = ClockWindow | null;

export interface StateRule {
  /** Monday-Friday (and the default for the other days). */
  weekdays: ClockWindow;
  /** Omitted = weekdays' window; null = no texts. */
  saturday?: DayWindow;
  sunday?: DayWindow;
  /** true: no texts on a (federal) holiday, nor on its observed day. */
  noHolidays?: boolean;
  source: string;
}

export const FEDERAL_WINDOW: ClockWindow = { start: '08:00', end: '21:00' };
export const FEDERAL_SOURCE =
  'TCPA, 47 CFR 64.1200(c)(1): 8:00 a.m.-9:00 p.m. at the called party’s location';

const EIGHT_TO_EIGHT: ClockWindow = { start: '08:00', end: '20:00' };

export const STATE_RULES: Readonly<Record<string, StateRule>> = {
  FL: { weekdays: EIGHT_TO_EIGHT, source: 'Fla. Stat. § 501.616(6)(a) (SB 1120, 2021): 8 a.m.-8 p.m.' },
  OK: {
    weekdays: EIGHT_TO_EIGHT,
    source: 'Okla. Stat. tit. 15, § 775C.4 (Telephone Solicitation Act, 2022): 8 a.m.-8 p.m.',
  },
  WA: { weekdays: EIGHT_TO_EIGHT, source: 'RCW 80.36.390: 8 a.m.-8 p.m.' },
  CT: {
    weekdays: { start: '09:00', end: '20:00' },
    source: 'Conn. Gen. Stat. § 42-288a (Public Act 23-98): 9 a.m.-8 p.m.',
  },
  KY: {
    weekdays: { start: '10:00', end: '21:00' },
    source: 'KRS 367.46955, per the state tables: 10 a.m.-9 p.m.',
  },
  MD: {
    weekdays: EIGHT_TO_EIGHT,
    source: 'Maryland Stop the Spam Calls Act (2023), per the state tables: 8 a.m.-8 p.m.',
  },
  MA: {
    weekdays: EIGHT_TO_EIGHT,
    source: 'M.G.L. c. 159C and its regulations, per the state tables: 8 a.m.-8 p.m.',
  },
  MI: {
    weekdays: { start: '09:00', end: '21:00' },
    source: 'MCL 445.111c, per the state tables: 9 a.m.-9 p.m.',
  },
  MN: { weekdays: { start: '09:00', end: '21:00' }, source: 'Minn. Stat. § 325E.27: 9 a.m.-9 p.m.' },
  RI: {
    weekdays: { start: '09:00', end: '18:00' },
    saturday: { start: '10:00', end: '17:00' },
    sunday: null,
    noHolidays: true,
    source:
      'R.I. Gen. Laws §§ 5-61-2(9), 5-61-3.6: weekdays 9 a.m.-6 p.m., Saturday 10 a.m.-5 p.m., no Sundays or holidays',
  },
  AL: {
    weekdays: EIGHT_TO_EIGHT,
    sunday: null,
    noHolidays: true,
    source:
      'Alabama PSC telephone solicitation rules, per the state tables: 8 a.m.-8 p.m., no Sundays or holidays',
  },
  LA: {
    weekdays: EIGHT_TO_EIGHT,
    sunday: null,
    noHolidays: true,
    source: 'Louisiana PSC Do Not Call rules, per the state tables: 8 a.m.-8 p.m., no Sundays or holidays',
  },
  MS: {
    weekdays: FEDERAL_WINDOW,
    sunday: null,
    noHolidays: true,
    source: 'Mississippi telephone solicitation act, per the state tables: no Sundays or legal holidays',
  },
};

/** The day's window under federal law and the state's rule (null: none that day). */
export function legalWindowOn(day: DateTime, state: string | undefined): DayWindow {
  const rule = state ? STATE_RULES[state] : undefined;
  if (!rule) return FEDERAL_WINDOW;
  if (rule.noHolidays && isFederalHoliday(day)) return null;
  const window =
    day.weekday === 7
      ? rule.sunday !== undefined
        ? rule.sunday
        : rule.weekdays
      : day.weekday === 6 && rule.saturday !== undefined
        ? rule.saturday
        : rule.weekdays;
  return window && intersect(window, FEDERAL_WINDOW);
}

/** The later start and the earlier end; null when they do not overlap. */
export function intersect(a: ClockWindow, b: ClockWindow): DayWindow {
  const start = a.start > b.start ? a.start : b.start;
  const end = a.end < b.end ? a.end : b.end;
  return start < end ? { start, end } : null;
}

/** The federal holidays of a year (5 U.S.C. § 6103(a)), as local dates "yyyy-MM-dd", with their observed days. */
export function federalHolidays(year: number): Set<string> {
  const nth = (month: number, weekday: number, n: number) => {
    const first = DateTime.utc(year, month, 1);
    return first.plus({ days: ((weekday - first.weekday + 7) % 7) + (n - 1) * 7 });
  };
  const last = (month: number, weekday: number) => {
    const end = DateTime.utc(year, month, 1).endOf('month').startOf('day');
    return end.minus({ days: (end.weekday - weekday + 7) % 7 });
  };
  const fixed = [
    [1, 1],
    [6, 19],
    [7, 4],
    [11, 11],
    [12, 25],
  ].map(([m, d]) => DateTime.utc(year, m as number, d as number));
  const days = new Set<string>();
  for (const day of fixed) {
    days.add(day.toISODate() as string);
    // Observed on Friday when it falls on a Saturday, Monday when on a Sunday (5 U.S.C. § 6103(b)).
    if (day.weekday === 6) days.add(day.minus({ days: 1 }).toISODate() as string);
    if (day.weekday === 7) days.add(day.plus({ days: 1 }).toISODate() as string);
  }
  for (const day of [
    nth(1, 1, 3), // Martin Luther King Jr.
    nth(2, 1, 3), // Washington's Birthday
    last(5, 1), // Memorial Day
    nth(9, 1, 1), // Labor Day
    nth(10, 1, 2), // Columbus Day
    nth(11, 4, 4), // Thanksgiving
  ]) {
    days.add(day.toISODate() as string);
  }
  // New Year's Day of next year observed on this year's Dec 31.
  if (DateTime.utc(year + 1, 1, 1).weekday === 6) days.add(`${year}-12-31`);
  return days;
}

const holidayCache = new Map<number, Set<string>>();

export function isFederalHoliday(day: DateTime): boolean {
  let set = holidayCache.get(day.year);
  if (!set) {
    set = federalHolidays(day.year);
    holidayCache.set(day.year, set);
  }
  return set.has(day.toISODate() as string);
}

const areaCodeState = new Map<string, string>();
for (const [state, codes] of Object.entries(US_AREA_CODES)) {
  for (const code of codes.split(' ')) areaCodeState.set(code, state);
}
const nonUsAreaCode = new Map<string, string>();
for (const [country, codes] of Object.entries(NON_US_AREA_CODES)) {
  for (const code of codes.split(' ')) nonUsAreaCode.set(code, country);
}

/** US states, DC and territories (USPS codes) the patient record may name. */
export const US_STATE_CODES: ReadonlySet<string> = new Set(Object.keys(US_AREA_CODES));

export type StateSource =
  | { state: string; from: 'RECORD' | 'AREA_CODE' }
  | { state?: undefined; from: 'OUTSIDE_US'; country: string }
  | { state?: undefined; from: 'UNKNOWN' };

/** Where the rules come from: the record's state when staff entered one, else the phone's area code. */
export function stateOf(recipient: { state?: string; phone: string }): StateSource {
  const recorded = recipient.state?.trim().toUpperCase();
  if (recorded && US_STATE_CODES.has(recorded)) return { state: recorded, from: 'RECORD' };
  const match = /^\+1(\d{3})\d{7}$/.exec(recipient.phone);
  const code = match?.[1];
  if (!code) return { from: 'UNKNOWN' };
  const state = areaCodeState.get(code);
  if (state) return { state, from: 'AREA_CODE' };
  const country = nonUsAreaCode.get(code);
  return country ? { from: 'OUTSIDE_US', country } : { from: 'UNKNOWN' };
}
