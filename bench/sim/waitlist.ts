import type { DateTime } from 'luxon';
import { ulid } from 'ulid';
import type { WaitlistStore } from '../../shared/adapters/dynamo/waitlist-store.js';
import type { Patient, WaitlistEntry } from '../../shared/domain/model.js';
import type { BehaviourModel, Segment } from './model.js';
import { pick, type Rng } from './prng.js';

/**
 * The synthetic waitlist (docs/simulation.md, "The waitlist"). Every draw comes from the run's seeded
 * stream, ids included, so the same seed ranks the same patients in the same order.
 */

export const CLINIC_ZONE = 'America/Chicago';

/** Patients' own zones: most live near the clinic, some are texted on another clock. */
const ZONES: Array<[string, number]> = [
  ['America/Chicago', 0.8],
  ['America/New_York', 0.1],
  ['America/Denver', 0.05],
  ['America/Los_Angeles', 0.05],
];
const URGENT_SHARE = 0.1;
const BOOSTED_SHARE = 0.05;
const MD_ONLY_SHARE = 0.2;

export interface SimPatient {
  patientId: string;
  phone: string;
  segment: Segment;
  urgent: boolean;
  timeZone: string;
  currentAppointmentAt: string;
}

function weighted<T>(rng: Rng, rows: Array<[T, number]>): T {
  const total = rows.reduce((sum, [, w]) => sum + w, 0);
  let x = rng() * total;
  for (const [value, w] of rows) {
    x -= w;
    if (x < 0) return value;
  }
  return (rows[rows.length - 1] as [T, number])[0];
}

export function phoneOf(index: number): string {
  return `+1312${String(index).padStart(7, '0')}`;
}

export async function createWaitlist(input: {
  waitlist: WaitlistStore;
  model: BehaviourModel;
  size: number;
  rng: Rng;
  start: DateTime;
}): Promise<SimPatient[]> {
  const { waitlist, model, size, rng, start } = input;
  const out: SimPatient[] = [];
  const nowIso = start.toUTC().toISO() as string;
  const rows: Array<{ patient: Patient; entry: WaitlistEntry }> = [];
  for (let i = 0; i < size; i++) {
    const segment = weighted(
      rng,
      model.segments.map((s) => [s, s.share]),
    );
    const urgent = rng() < URGENT_SHARE;
    const timeZone = weighted(rng, ZONES);
    const joinedAt = start.minus({ days: Math.floor(rng() * 180), minutes: Math.floor(rng() * 1440) });
    const currentAppointmentAt = start
      .plus({ days: 7 + Math.floor(rng() * 113) })
      .toUTC()
      .toISO() as string;
    const patientId = ulid(joinedAt.toMillis(), rng);
    const patient: Patient = {
      patientId,
      phone: phoneOf(i + 1),
      displayName: `Pat${i + 1}`,
      consent: 'OPTED_IN',
      ...(timeZone !== CLINIC_ZONE ? { timeZone } : {}),
      recentOfferTimes: [],
      createdAt: joinedAt.toUTC().toISO() as string,
    };
    const entry: WaitlistEntry = {
      entryId: ulid(joinedAt.toMillis(), rng),
      patientId,
      urgent,
      boost: rng() < BOOSTED_SHARE ? pick(rng, [10, 20, 30]) : 0,
      preferences: {
        providerIds: [],
        providerTypes: rng() < MD_ONLY_SHARE ? ['MD/DO'] : [],
        locationIds: [],
        visitTypes: [],
      },
      currentAppointmentAt,
      joinedAt: joinedAt.toUTC().toISO() as string,
      active: true,
    };
    rows.push({ patient, entry });
    out.push({ patientId, phone: patient.phone, segment, urgent, timeZone, currentAppointmentAt });
  }
  // Independent writes: a few in flight at once keeps setup short on DynamoDB Local.
  for (let i = 0; i < rows.length; i += 20) {
    await Promise.all(
      rows.slice(i, i + 20).map(async ({ patient, entry }) => {
        await waitlist.createPatient(patient);
        await waitlist.putEntry(entry, patient, nowIso);
      }),
    );
  }
  return out;
}
