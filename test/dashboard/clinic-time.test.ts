import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDays,
  calendarDay,
  instantsForWallTime,
  NonexistentWallTimeError,
  parseWallTime,
  toWallTimeInput,
  type WallTime,
  wallTimeToUtcIso,
  zoneAbbreviation,
  zoneOffsetMs,
} from '../../dashboard/src/ui/clinic-time.js';
import {
  clinicInputToIso,
  dateTime,
  setClinicTimeZone,
  time,
  todayInput,
} from '../../dashboard/src/ui/format.js';

/**
 * The dashboard's clinic-time helper, in plain Node. The process runs in Asia/Tokyo for these tests so
 * that anything leaning on the device's zone (Date's local getters, Intl without timeZone) would show.
 */

const CHICAGO = 'America/Chicago';
const HOUR = 3_600_000;
let savedTz: string | undefined;

function wall(value: string): WallTime {
  const parsed = parseWallTime(value);
  if (!parsed) throw new Error(`not a wall time: ${value}`);
  return parsed;
}

beforeAll(() => {
  savedTz = process.env.TZ;
  process.env.TZ = 'Asia/Tokyo';
  expect(new Date(0).getTimezoneOffset()).toBe(-540);
});

afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe('wallTimeToUtcIso (a datetime-local value as clinic wall time)', () => {
  it('reads Chicago winter (CST, UTC-6) and summer (CDT, UTC-5) times', () => {
    expect(wallTimeToUtcIso('2026-01-15T10:30', CHICAGO)).toBe('2026-01-15T16:30:00.000Z');
    expect(wallTimeToUtcIso('2026-07-15T10:30', CHICAGO)).toBe('2026-07-15T15:30:00.000Z');
    // Seconds are accepted (Chromium adds them when step < 60) and midnight is hour 0.
    expect(wallTimeToUtcIso('2026-07-15T10:30:15', CHICAGO)).toBe('2026-07-15T15:30:15.000Z');
    expect(wallTimeToUtcIso('2026-01-15T00:00', CHICAGO)).toBe('2026-01-15T06:00:00.000Z');
  });

  it('rejects 2026-03-08 02:30 in Chicago (the spring-forward gap) with a clear message', () => {
    expect(instantsForWallTime(wall('2026-03-08T02:30'), CHICAGO)).toEqual([]);
    expect(() => wallTimeToUtcIso('2026-03-08T02:30', CHICAGO)).toThrow(NonexistentWallTimeError);
    expect(() => wallTimeToUtcIso('2026-03-08T02:30', CHICAGO)).toThrow(
      /2026-03-08 02:30 does not exist in America\/Chicago: the clocks go forward/,
    );
    for (const gap of ['2026-03-08T02:00', '2026-03-08T02:59']) {
      expect(() => wallTimeToUtcIso(gap, CHICAGO), gap).toThrow(NonexistentWallTimeError);
    }
    // Either side of the gap is fine, and they are a minute of real time apart.
    expect(wallTimeToUtcIso('2026-03-08T01:59', CHICAGO)).toBe('2026-03-08T07:59:00.000Z');
    expect(wallTimeToUtcIso('2026-03-08T03:00', CHICAGO)).toBe('2026-03-08T08:00:00.000Z');
  });

  it('takes the first occurrence of 2026-11-01 01:30 in Chicago (the fall-back overlap)', () => {
    const both = instantsForWallTime(wall('2026-11-01T01:30'), CHICAGO);
    expect(both.map((ms) => new Date(ms).toISOString())).toEqual([
      '2026-11-01T06:30:00.000Z', // 01:30 CDT
      '2026-11-01T07:30:00.000Z', // 01:30 CST, an hour later
    ]);
    const iso = wallTimeToUtcIso('2026-11-01T01:30', CHICAGO);
    expect(iso).toBe('2026-11-01T06:30:00.000Z');
    expect(zoneAbbreviation(Date.parse(iso), CHICAGO)).toBe('CDT');
    // Just outside the repeated hour there is one answer.
    expect(wallTimeToUtcIso('2026-11-01T00:59', CHICAGO)).toBe('2026-11-01T05:59:00.000Z');
    expect(wallTimeToUtcIso('2026-11-01T02:00', CHICAGO)).toBe('2026-11-01T08:00:00.000Z');
  });

  it('handles zones east of UTC, half-hour offsets and half-hour DST', () => {
    expect(wallTimeToUtcIso('2026-03-08T10:30', 'Asia/Kolkata')).toBe('2026-03-08T05:00:00.000Z');
    // Midnight in Kolkata is the previous UTC day.
    expect(wallTimeToUtcIso('2026-03-08T00:15', 'Asia/Kolkata')).toBe('2026-03-07T18:45:00.000Z');
    expect(wallTimeToUtcIso('2026-07-01T09:00', 'Asia/Tokyo')).toBe('2026-07-01T00:00:00.000Z');
    expect(wallTimeToUtcIso('2026-03-29T02:30', 'Europe/London')).toBe('2026-03-29T01:30:00.000Z');
    expect(() => wallTimeToUtcIso('2026-03-29T01:30', 'Europe/London')).toThrow(NonexistentWallTimeError);
    // Lord Howe Island moves its clocks by 30 minutes.
    expect(() => wallTimeToUtcIso('2026-10-04T02:15', 'Australia/Lord_Howe')).toThrow(
      NonexistentWallTimeError,
    );
    expect(wallTimeToUtcIso('2026-04-05T01:45', 'Australia/Lord_Howe')).toBe('2026-04-04T14:45:00.000Z');
    // A zone whose offset never changes behaves the same at any date.
    expect(wallTimeToUtcIso('2026-11-01T01:30', 'UTC')).toBe('2026-11-01T01:30:00.000Z');
  });

  it('refuses what is not a real date and time', () => {
    for (const bad of ['', '2026-02-30T10:00', '2026-01-01T24:00', '2026-13-01T10:00', '10:30', 'tomorrow']) {
      expect(parseWallTime(bad), bad).toBeUndefined();
      expect(() => wallTimeToUtcIso(bad, CHICAGO), bad).toThrow(RangeError);
    }
  });
});

describe('round trips', () => {
  it('every half hour of 2026 in Chicago and Kolkata: instant → wall time → the same instant', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const end = Date.parse('2027-01-01T00:00:00Z');
    for (const zone of [CHICAGO, 'Asia/Kolkata']) {
      let second = 0;
      for (let ms = start; ms < end; ms += HOUR / 2) {
        const wall = toWallTimeInput(new Date(ms).toISOString(), zone);
        const back = Date.parse(wallTimeToUtcIso(wall, zone));
        if (back !== ms) {
          // Only the second pass through Chicago's repeated hour maps to its first occurrence.
          expect(zone).toBe(CHICAGO);
          expect(ms - back).toBe(HOUR);
          second++;
        }
      }
      expect(second, zone).toBe(zone === CHICAGO ? 2 : 0);
    }
  });

  it('shows a parsed clinic time as the same wall time, whatever the device zone', () => {
    setClinicTimeZone(CHICAGO);
    const iso = clinicInputToIso('2026-01-15T10:30');
    expect(iso).toBe('2026-01-15T16:30:00.000Z');
    expect(time(iso)).toMatch(/^10:30\sAM$/);
    expect(dateTime(iso)).toMatch(/Thu, Jan 15,? 10:30\sAM/);
    expect(toWallTimeInput(iso, CHICAGO)).toBe('2026-01-15T10:30');
    // The SMS template's "10:30AM" and the board's "10:30 AM" are the same clock reading.
    expect(time(iso).replace(/\s/g, '')).toBe('10:30AM');
  });

  it('labels a time whose zone abbreviation differs from today’s', () => {
    setClinicTimeZone(CHICAGO);
    const now = zoneAbbreviation(Date.now(), CHICAGO);
    const winter = '2026-01-15T16:30:00.000Z';
    const summer = '2026-07-15T15:30:00.000Z';
    expect(dateTime(winter).endsWith(' CST')).toBe(now !== 'CST');
    expect(dateTime(summer).endsWith(' CDT')).toBe(now !== 'CDT');
  });
});

describe('offsets and clinic calendar days', () => {
  it('computes the zone offset at an instant', () => {
    expect(zoneOffsetMs(Date.parse('2026-01-15T16:30:00Z'), CHICAGO)).toBe(-6 * HOUR);
    expect(zoneOffsetMs(Date.parse('2026-07-15T15:30:00Z'), CHICAGO)).toBe(-5 * HOUR);
    expect(zoneOffsetMs(Date.parse('2026-07-15T15:30:00.999Z'), 'Asia/Kolkata')).toBe(5.5 * HOUR);
  });

  it('reads the clinic calendar day, not the device’s or UTC’s', () => {
    // 03:00 UTC on the 16th is the evening of the 15th in Chicago and midday on the 16th in Tokyo.
    const ms = Date.parse('2026-01-16T03:00:00Z');
    expect(calendarDay(ms, CHICAGO)).toBe('2026-01-15');
    expect(calendarDay(ms, 'Asia/Tokyo')).toBe('2026-01-16');
    setClinicTimeZone(CHICAGO);
    expect(todayInput()).toBe(calendarDay(Date.now(), CHICAGO));
    expect(todayInput(1)).toBe(addDays(calendarDay(Date.now(), CHICAGO), 1));
  });

  it('adds calendar days across months, leap days and DST changes', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-07', 1)).toBe('2026-03-08');
    expect(addDays('2026-03-08', 1)).toBe('2026-03-09');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2026-01-10', -13)).toBe('2025-12-28');
  });
});
