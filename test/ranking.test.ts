import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  compareRanked,
  MAX_SCORE,
  nextScoreChangeAt,
  rankKey,
  scoreEntry,
} from '../shared/domain/ranking.js';

const ZONE = 'America/Chicago';
const NOW = DateTime.fromISO('2026-11-24T10:00', { zone: ZONE }).toUTC().toISO() as string;
const daysFromNow = (days: number) => DateTime.fromISO(NOW).plus({ days }).toUTC().toISO() as string;

const base = { urgent: false, boost: 0, currentAppointmentAt: daysFromNow(10), joinedAt: NOW };

describe('scoreEntry (the clinic’s earlier formula)', () => {
  it('gives urgent +30 and the manual boost, clamped to 0-40', () => {
    expect(scoreEntry({ ...base, urgent: true }, NOW, ZONE).urgent).toBe(30);
    expect(scoreEntry({ ...base, boost: 25 }, NOW, ZONE).boost).toBe(25);
    expect(scoreEntry({ ...base, boost: 99 }, NOW, ZONE).boost).toBe(40);
    expect(scoreEntry({ ...base, boost: -5 }, NOW, ZONE).boost).toBe(0);
  });

  it.each([
    [200, 20],
    [180, 20],
    [179, 10],
    [90, 10],
    [89, 5],
    [30, 5],
    [29, 0],
    [1, 0],
  ])('a current appointment %i days away scores %i', (days, points) => {
    expect(
      scoreEntry({ ...base, currentAppointmentAt: daysFromNow(days) }, NOW, ZONE).appointmentDistance,
    ).toBe(points);
  });

  it('treats a patient with no appointment at all as the farthest away', () => {
    const score = scoreEntry({ ...base, currentAppointmentAt: undefined }, NOW, ZONE);
    expect(score.appointmentDistance).toBe(20);
    expect(score.daysUntilAppointment).toBeNull();
  });

  it.each([
    [0, 0],
    [29, 0],
    [30, 1],
    [95, 3],
    [299, 9],
    [300, 10],
    [3000, 10],
  ])('seniority after %i days on the list is %i', (days, points) => {
    expect(scoreEntry({ ...base, joinedAt: daysFromNow(-days) }, NOW, ZONE).seniority).toBe(points);
  });

  it('returns a breakdown that sums to the total', () => {
    const s = scoreEntry(
      { urgent: true, boost: 12, currentAppointmentAt: daysFromNow(100), joinedAt: daysFromNow(-65) },
      NOW,
      ZONE,
    );
    expect(s).toMatchObject({ urgent: 30, boost: 12, appointmentDistance: 10, seniority: 2, total: 54 });
    expect(MAX_SCORE).toBe(100);
  });

  it('counts calendar days in the clinic zone across a DST change', () => {
    // 2026-03-08 is the US spring-forward day: the 23-hour day still counts as one calendar day.
    const before = DateTime.fromISO('2026-03-07T23:30', { zone: ZONE }).toUTC().toISO() as string;
    const appointment = DateTime.fromISO('2026-04-06T00:30', { zone: ZONE }).toUTC().toISO() as string;
    expect(
      scoreEntry({ ...base, currentAppointmentAt: appointment, joinedAt: before }, before, ZONE)
        .daysUntilAppointment,
    ).toBe(30);
    // Late evening in Chicago is already the next day in UTC; days follow the clinic's calendar.
    const lateEvening = DateTime.fromISO('2026-11-24T22:30', { zone: ZONE }).toUTC().toISO() as string;
    const tomorrowMorning = DateTime.fromISO('2026-11-25T08:00', { zone: ZONE }).toUTC().toISO() as string;
    expect(
      scoreEntry({ ...base, currentAppointmentAt: tomorrowMorning }, lateEvening, ZONE).daysUntilAppointment,
    ).toBe(1);
  });
});

describe('nextScoreChangeAt', () => {
  it('is the clinic midnight when the next tier or seniority point changes', () => {
    const entry = { ...base, currentAppointmentAt: daysFromNow(181), joinedAt: daysFromNow(-29) };
    const change = nextScoreChangeAt(entry, NOW, ZONE);
    // Seniority point 1 arrives tomorrow (day 30); the distance tier drops in 2 days.
    expect(
      DateTime.fromISO(change as string)
        .setZone(ZONE)
        .toISODate(),
    ).toBe('2026-11-25');
    expect(DateTime.fromISO(change as string).setZone(ZONE).hour).toBe(0);
    const atChange = scoreEntry(entry, change as string, ZONE);
    const justBefore = scoreEntry(
      entry,
      DateTime.fromISO(change as string)
        .minus({ minutes: 1 })
        .toUTC()
        .toISO() as string,
      ZONE,
    );
    expect(atChange.total).not.toBe(justBefore.total);
  });

  it('is undefined when nothing can change any more', () => {
    expect(
      nextScoreChangeAt(
        { ...base, currentAppointmentAt: daysFromNow(5), joinedAt: daysFromNow(-400) },
        NOW,
        ZONE,
      ),
    ).toBeUndefined();
  });
});

describe('rank order', () => {
  it('sorts the index key by score, then seniority, matching compareRanked', () => {
    const rows = [
      { score: { total: 40 }, entry: { entryId: 'b', joinedAt: '2026-01-02T00:00:00.000Z' } },
      { score: { total: 55 }, entry: { entryId: 'c', joinedAt: '2026-05-01T00:00:00.000Z' } },
      { score: { total: 40 }, entry: { entryId: 'a', joinedAt: '2026-01-01T00:00:00.000Z' } },
    ];
    const byKey = [...rows].sort((x, y) =>
      rankKey(x.score.total, x.entry.joinedAt, x.entry.entryId) <
      rankKey(y.score.total, y.entry.joinedAt, y.entry.entryId)
        ? -1
        : 1,
    );
    const byCompare = [...rows].sort((x, y) => compareRanked(x as never, y as never));
    expect(byKey.map((r) => r.entry.entryId)).toEqual(['c', 'a', 'b']);
    expect(byCompare.map((r) => r.entry.entryId)).toEqual(['c', 'a', 'b']);
  });
});
