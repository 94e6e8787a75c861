import { DateTime } from 'luxon';
import type { WaitlistEntry } from './model.js';

/**
 * The clinic's priority score, carried over from its earlier system so staff see the same order:
 *   urgent +30; manual boost 0-40; days until the patient's current appointment >=180 +20, >=90 +10,
 *   >=30 +5; seniority +1 per 30 days on the list (max 10).
 * Days are calendar days in the clinic's zone, so a score only changes at the clinic's midnight; that is
 * what lets the waitlist index store the score and stay exact (see `nextScoreChangeAt`).
 * To change the policy, change this file: everything else reads the breakdown it returns.
 */

export interface ScoreBreakdown {
  urgent: number;
  boost: number;
  appointmentDistance: number;
  seniority: number;
  total: number;
  /** Days until the current appointment (null when the patient holds none). */
  daysUntilAppointment: number | null;
  daysOnList: number;
}

export const SCORE_WEIGHTS = {
  urgent: 30,
  maxBoost: 40,
  /** [minimum days until current appointment, points], checked in order. */
  distanceTiers: [
    [180, 20],
    [90, 10],
    [30, 5],
  ] as const,
  /** A patient with no appointment at all gains the most from any slot. */
  noAppointmentPoints: 20,
  seniorityDaysPerPoint: 30,
  maxSeniority: 10,
} as const;

export const MAX_SCORE =
  SCORE_WEIGHTS.urgent +
  SCORE_WEIGHTS.maxBoost +
  SCORE_WEIGHTS.distanceTiers[0][1] +
  SCORE_WEIGHTS.maxSeniority;

type ScoredFields = Pick<WaitlistEntry, 'urgent' | 'boost' | 'currentAppointmentAt' | 'joinedAt'>;

function clinicDay(iso: string, zone: string): DateTime {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).startOf('day');
}

function calendarDaysBetween(fromIso: string, toIso: string, zone: string): number {
  // Whole calendar days, immune to DST (a 23- or 25-hour day still counts as one day).
  return Math.round(clinicDay(toIso, zone).diff(clinicDay(fromIso, zone), 'days').days);
}

export function scoreEntry(entry: ScoredFields, nowIso: string, zone: string): ScoreBreakdown {
  const urgent = entry.urgent ? SCORE_WEIGHTS.urgent : 0;
  const boost = Math.max(0, Math.min(SCORE_WEIGHTS.maxBoost, Math.trunc(entry.boost)));
  const daysUntilAppointment = entry.currentAppointmentAt
    ? calendarDaysBetween(nowIso, entry.currentAppointmentAt, zone)
    : null;
  let appointmentDistance = 0;
  if (daysUntilAppointment === null) {
    appointmentDistance = SCORE_WEIGHTS.noAppointmentPoints;
  } else {
    for (const [minDays, points] of SCORE_WEIGHTS.distanceTiers) {
      if (daysUntilAppointment >= minDays) {
        appointmentDistance = points;
        break;
      }
    }
  }
  const daysOnList = Math.max(0, calendarDaysBetween(entry.joinedAt, nowIso, zone));
  const seniority = Math.min(
    SCORE_WEIGHTS.maxSeniority,
    Math.floor(daysOnList / SCORE_WEIGHTS.seniorityDaysPerPoint),
  );
  return {
    urgent,
    boost,
    appointmentDistance,
    seniority,
    total: urgent + boost + appointmentDistance + seniority,
    daysUntilAppointment,
    daysOnList,
  };
}

/**
 * The next instant (a clinic midnight, as UTC ISO) at which this entry's score can change, or undefined
 * when it never will again. The store re-ranks entries when this passes.
 */
export function nextScoreChangeAt(entry: ScoredFields, nowIso: string, zone: string): string | undefined {
  const today = clinicDay(nowIso, zone);
  const candidates: DateTime[] = [];
  const joined = clinicDay(entry.joinedAt, zone);
  const daysOnList = Math.max(0, Math.round(today.diff(joined, 'days').days));
  const points = Math.floor(daysOnList / SCORE_WEIGHTS.seniorityDaysPerPoint);
  if (points < SCORE_WEIGHTS.maxSeniority) {
    candidates.push(joined.plus({ days: (points + 1) * SCORE_WEIGHTS.seniorityDaysPerPoint }));
  }
  if (entry.currentAppointmentAt) {
    const appointmentDay = clinicDay(entry.currentAppointmentAt, zone);
    const daysUntil = Math.round(appointmentDay.diff(today, 'days').days);
    for (const [minDays] of SCORE_WEIGHTS.distanceTiers) {
      // The tier is lost on the day daysUntil falls to minDays - 1.
      if (daysUntil >= minDays) candidates.push(appointmentDay.minus({ days: minDays - 1 }));
    }
  }
  const future = candidates.filter((d) => d > today).sort((a, b) => a.toMillis() - b.toMillis());
  return future[0]?.toUTC().toISO() ?? undefined;
}

/**
 * Sort key for the waitlist index: highest score first, then longest on the list (seniority breaks
 * ties), then entry id so the order is total.
 */
export function rankKey(total: number, joinedAt: string, entryId: string): string {
  return `${String(999 - total).padStart(3, '0')}#${joinedAt}#${entryId}`;
}

/** Orders scored candidates exactly as the index does. */
export function compareRanked(
  a: { score: ScoreBreakdown; entry: Pick<WaitlistEntry, 'joinedAt' | 'entryId'> },
  b: { score: ScoreBreakdown; entry: Pick<WaitlistEntry, 'joinedAt' | 'entryId'> },
): number {
  if (a.score.total !== b.score.total) return b.score.total - a.score.total;
  if (a.entry.joinedAt !== b.entry.joinedAt) return a.entry.joinedAt < b.entry.joinedAt ? -1 : 1;
  return a.entry.entryId < b.entry.entryId ? -1 : a.entry.entryId > b.entry.entryId ? 1 : 0;
}
