/**
 * Clinic wall time ⇄ UTC instants, with nothing but Intl (the dashboard bundles no date library).
 *
 * Every time the dashboard shows or reads is the clinic's: a slot the patient is texted as "10:30AM" must
 * show as 10:30 on a tablet set to another zone, and a time typed into a form is a clinic wall time
 * whatever the device's zone is. These functions take the IANA zone explicitly; `format.ts` holds the
 * clinic's zone once /admin/me has answered.
 */

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** A wall time the zone skips (spring forward): no instant has it, so it cannot be logged. */
export class NonexistentWallTimeError extends Error {
  override readonly name = 'NonexistentWallTimeError';
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let fmt = partsFormatters.get(zone);
  if (!fmt) {
    // en-US with h23 gives plain ASCII digits and hours 0-23 (never "24" at midnight).
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsFormatters.set(zone, fmt);
  }
  return fmt;
}

/** Epoch ms of a wall time read as if it were UTC (years below 100 included, unlike Date.UTC). */
function wallAsUtc(w: WallTime): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d.getTime();
}

/** The wall clock in `zone` at an instant. */
export function wallTimeAt(instantMs: number, zone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of partsFormatter(zone).formatToParts(new Date(instantMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Offset of `zone` from UTC at an instant, in ms (Chicago in winter: -6 h). */
export function zoneOffsetMs(instantMs: number, zone: string): number {
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  return wallAsUtc(wallTimeAt(wholeSecond, zone)) - wholeSecond;
}

const WALL_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/** A datetime-local value ("2026-03-08T02:30", seconds optional); undefined if it is not one. */
export function parseWallTime(value: string): WallTime | undefined {
  const m = WALL_RE.exec(value.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = { year, month, day, hour, minute, second };
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // Feb 30 and the like roll over: refuse them rather than log a different day.
  const check = new Date(wallAsUtc(wall));
  if (check.getUTCMonth() + 1 !== month || check.getUTCDate() !== day) return undefined;
  return wall;
}

const DAY_MS = 86_400_000;

/**
 * Every instant whose wall clock in `zone` reads `wall`, earliest first: none in a spring-forward gap,
 * two in a fall-back overlap, one otherwise.
 *
 * Read the wall time as UTC (`guess`); the answer is `guess - offset` for an offset the zone really has
 * at that answer. The candidate offsets are those in force a day either side and at the guess itself,
 * plus the second step of the usual fixed-point iteration (offset at guess - offset): zones change
 * offset at most once in a day, so the true offset is among them. Each candidate is kept only if the
 * zone has that offset at the instant it gives, which is what rejects gap times.
 */
export function instantsForWallTime(wall: WallTime, zone: string): number[] {
  const guess = wallAsUtc(wall);
  const first = zoneOffsetMs(guess, zone);
  const candidates = new Set([
    zoneOffsetMs(guess - DAY_MS, zone),
    first,
    zoneOffsetMs(guess - first, zone),
    zoneOffsetMs(guess + DAY_MS, zone),
  ]);
  const found = new Set<number>();
  for (const offset of candidates) {
    const instant = guess - offset;
    if (zoneOffsetMs(instant, zone) === offset) found.add(instant);
  }
  return [...found].sort((a, b) => a - b);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * A datetime-local value, read as a wall time in `zone`, as a UTC ISO string.
 *
 * - A time the zone skips (2026-03-08 02:30 in Chicago) throws NonexistentWallTimeError with a message
 *   staff can act on: logging 03:30 instead would text patients a time nobody typed.
 * - A time the zone has twice (2026-11-01 01:30 in Chicago: CDT, then CST an hour later) is the FIRST
 *   occurrence, the earlier instant (01:30 CDT). That is what a person means by "1:30" that night until
 *   the clocks go back; the board shows the zone abbreviation beside such times so the choice is visible.
 *
 * Throws RangeError for a value that is not a date and time at all.
 */
export function wallTimeToUtcIso(value: string, zone: string): string {
  const wall = parseWallTime(value);
  if (!wall) throw new RangeError(`"${value}" is not a date and time (YYYY-MM-DDTHH:mm)`);
  const [earliest] = instantsForWallTime(wall, zone);
  if (earliest === undefined) {
    const shown = `${wall.year}-${pad(wall.month)}-${pad(wall.day)} ${pad(wall.hour)}:${pad(wall.minute)}`;
    throw new NonexistentWallTimeError(
      `${shown} does not exist in ${zone}: the clocks go forward an hour then. Pick a time outside the skipped hour.`,
    );
  }
  return new Date(earliest).toISOString();
}

/** An instant as a datetime-local value ("YYYY-MM-DDTHH:mm") on the wall clock of `zone`. */
export function toWallTimeInput(iso: string, zone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const w = wallTimeAt(ms, zone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** The calendar day (YYYY-MM-DD) in `zone` at an instant. */
export function calendarDay(instantMs: number, zone: string): string {
  const w = wallTimeAt(instantMs, zone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** A YYYY-MM-DD plus whole days; pure calendar arithmetic, no zone involved. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const at = new Date(0);
  at.setUTCFullYear(y, m - 1, d + days);
  return `${pad(at.getUTCFullYear(), 4)}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
}

/** "CST", "CDT", or "GMT+5:30" where a zone has no common abbreviation in the locale. */
export function zoneAbbreviation(instantMs: number, zone: string, locale = 'en-US'): string {
  const part = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' })
    .formatToParts(new Date(instantMs))
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? zone;
}
