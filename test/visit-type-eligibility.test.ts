import { describe, expect, it } from 'vitest';
import { exclusionsFor } from '../shared/domain/eligibility.js';
import { requiredMinutes, type VisitType, visitTypeRules } from '../shared/domain/visit-type.js';

const catalogue: VisitType[] = [
  { visitTypeId: 'new', name: 'New patient', durationMinutes: 60, providerTypes: ['MD/DO'] },
  { visitTypeId: 'fu', name: 'Follow-up', durationMinutes: 20, providerTypes: [] },
  { visitTypeId: 'neuro', name: 'Neurology', durationMinutes: 40, minNoticeHours: 72, providerTypes: [] },
];
const NOW = '2026-11-24T16:00:00.000Z';
const hoursFromNow = (h: number) => new Date(Date.parse(NOW) + h * 3_600_000).toISOString();
const policy = {
  minNoticeMinutes: 120,
  caps: { perDay: 1, perWeek: 3 },
  visitTypes: visitTypeRules(catalogue),
};
const input = (
  visitTypes: string[],
  slot: { visitType: string; durationMinutes?: number; hours?: number },
) => ({
  entry: { active: true, preferences: { providerIds: [], providerTypes: [], locationIds: [], visitTypes } },
  patient: { patientId: 'p1', consent: 'OPTED_IN' as const, recentOfferTimes: [] },
  slot: {
    providerId: 'dr-lee',
    locationId: 'main',
    visitType: slot.visitType,
    startAt: hoursFromNow(slot.hours ?? 48),
    offeredPatientIds: [],
    ...(slot.durationMinutes !== undefined ? { durationMinutes: slot.durationMinutes } : {}),
  },
  provider: { providerType: 'MD/DO' as const },
  now: NOW,
});

describe('visit types from the catalogue', () => {
  it('does not offer a slot shorter than the visit the patient needs', () => {
    expect(
      exclusionsFor(input(['New patient'], { visitType: 'New patient', durationMinutes: 30 }), policy),
    ).toEqual(['DURATION_TOO_SHORT']);
    expect(
      exclusionsFor(input(['New patient'], { visitType: 'New patient', durationMinutes: 60 }), policy),
    ).toEqual([]);
  });

  it('takes the shortest of the types a patient wants, or the entry’s own figure', () => {
    const rules = visitTypeRules(catalogue);
    expect(requiredMinutes({ preferences: { visitTypes: ['New patient', 'follow-up'] } }, rules)).toBe(20);
    expect(requiredMinutes({ requiredMinutes: 45, preferences: { visitTypes: ['Follow-up'] } }, rules)).toBe(
      45,
    );
    expect(requiredMinutes({ preferences: { visitTypes: [] } }, rules)).toBeUndefined();
  });

  it('a type’s own minimum notice overrides the clinic’s', () => {
    expect(
      exclusionsFor(input([], { visitType: 'Neurology', durationMinutes: 40, hours: 48 }), policy),
    ).toEqual(['TOO_LITTLE_NOTICE']);
    expect(
      exclusionsFor(input([], { visitType: 'Neurology', durationMinutes: 40, hours: 80 }), policy),
    ).toEqual([]);
    expect(
      exclusionsFor(input([], { visitType: 'Follow-up', durationMinutes: 20, hours: 3 }), policy),
    ).toEqual([]);
  });

  it('a free-text type not in the catalogue behaves as before', () => {
    expect(
      exclusionsFor(input(['annual'], { visitType: 'annual', durationMinutes: 5, hours: 3 }), policy),
    ).toEqual([]);
    expect(
      exclusionsFor(input(['annual'], { visitType: 'annual', durationMinutes: 5, hours: 1 }), policy),
    ).toEqual(['TOO_LITTLE_NOTICE']);
  });
});
