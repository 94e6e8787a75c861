import { describe, expect, it } from 'vitest';
import {
  AvailabilityFormatError,
  formatAvailability,
  isAvailableAt,
  parseAvailability,
} from '../shared/domain/availability.js';
import { exclusionsFor } from '../shared/domain/eligibility.js';

const ZONE = 'America/Chicago';

describe('isAvailableAt', () => {
  it('treats no availability and an empty list as any time', () => {
    expect(isAvailableAt(undefined, '2026-11-24T03:00:00.000Z', ZONE)).toBe(true);
    expect(isAvailableAt([], '2026-11-24T03:00:00.000Z', ZONE)).toBe(true);
  });

  it('reads weekday and hours in the clinic zone, not UTC', () => {
    const tuesdayMornings = [{ days: ['Tue' as const], from: '08:00', to: '12:00' }];
    // Tue 24 Nov 2026 09:00 Chicago (CST, UTC-6) = 15:00Z.
    expect(isAvailableAt(tuesdayMornings, '2026-11-24T15:00:00.000Z', ZONE)).toBe(true);
    // Tue 24 Nov 2026 02:00Z is still Monday 20:00 in Chicago.
    expect(isAvailableAt([{ days: ['Tue'] }], '2026-11-24T02:00:00.000Z', ZONE)).toBe(false);
    // 12:00 is the end: excluded; 08:00 is the start: included.
    expect(isAvailableAt(tuesdayMornings, '2026-11-24T18:00:00.000Z', ZONE)).toBe(false);
    expect(isAvailableAt(tuesdayMornings, '2026-11-24T14:00:00.000Z', ZONE)).toBe(true);
  });

  it('keeps wall-clock hours across a DST change', () => {
    const mornings = [{ days: [], from: '08:00', to: '12:00' }];
    // 09:00 Chicago on Sat 7 Mar 2026 (CST) is 15:00Z; on Mon 9 Mar (CDT) it is 14:00Z.
    expect(isAvailableAt(mornings, '2026-03-07T15:00:00.000Z', ZONE)).toBe(true);
    expect(isAvailableAt(mornings, '2026-03-09T14:00:00.000Z', ZONE)).toBe(true);
    // 15:00Z on Mon 9 Mar is 10:00 CDT (in); 18:00Z is 13:00 CDT (out), though it was 12:00 CST.
    expect(isAvailableAt(mornings, '2026-03-09T15:00:00.000Z', ZONE)).toBe(true);
    expect(isAvailableAt(mornings, '2026-03-09T17:30:00.000Z', ZONE)).toBe(false);
    // Autumn: Sun 1 Nov 2026 falls back; 07:30Z that morning is 01:30 CST... and 13:30Z is 07:30 (out).
    expect(isAvailableAt(mornings, '2026-11-01T13:30:00.000Z', ZONE)).toBe(false);
    expect(isAvailableAt(mornings, '2026-11-01T14:00:00.000Z', ZONE)).toBe(true);
  });

  it('matches when any window matches', () => {
    const a = parseAvailability('Mon,Tue 08:00-12:00; Thu 15:00-18:00');
    expect(isAvailableAt(a, '2026-11-26T21:30:00.000Z', ZONE)).toBe(true); // Thu 15:30
    expect(isAvailableAt(a, '2026-11-26T15:00:00.000Z', ZONE)).toBe(false); // Thu 09:00
    expect(isAvailableAt(a, '2026-11-23T15:00:00.000Z', ZONE)).toBe(true); // Mon 09:00
  });
});

describe('the compact text form', () => {
  it('round-trips', () => {
    const text = 'Mon,Tue 08:00-12:00; Thu 15:00-18:00';
    expect(parseAvailability(text)).toEqual([
      { days: ['Mon', 'Tue'], from: '08:00', to: '12:00' },
      { days: ['Thu'], from: '15:00', to: '18:00' },
    ]);
    expect(formatAvailability(parseAvailability(text))).toBe(text);
  });

  it('takes runs, full names, hours alone, days alone, and blank', () => {
    expect(parseAvailability('Monday-Wed')).toEqual([{ days: ['Mon', 'Tue', 'Wed'] }]);
    expect(parseAvailability('8:00-12:00')).toEqual([{ days: [], from: '08:00', to: '12:00' }]);
    expect(parseAvailability('  ')).toEqual([]);
  });

  it.each([
    ['Funday 08:00-12:00', 'not a weekday'],
    ['Mon 12:00-08:00', 'end must be after the start'],
    ['Mon 25:00-26:00', 'not a time range'],
    ['Fri-Mon', 'runs backwards'],
  ])('refuses %s', (text, message) => {
    expect(() => parseAvailability(text)).toThrow(AvailabilityFormatError);
    expect(() => parseAvailability(text)).toThrow(message);
  });
});

describe('eligibility', () => {
  const base = {
    entry: {
      active: true,
      preferences: { providerIds: [], providerTypes: [], locationIds: [], visitTypes: [] },
    },
    patient: { patientId: 'p1', consent: 'OPTED_IN' as const, recentOfferTimes: [] },
    slot: {
      providerId: 'dr-lee',
      locationId: 'main',
      visitType: 'follow-up',
      // Thu 26 Nov 2026 15:30 Chicago.
      startAt: '2026-11-26T21:30:00.000Z',
      offeredPatientIds: [],
    },
    provider: { providerType: 'MD/DO' as const },
    now: '2026-11-24T16:00:00.000Z',
  };
  const policy = { minNoticeMinutes: 120, caps: { perDay: 1, perWeek: 3 }, clinicTimeZone: ZONE };

  it('excludes a patient whose availability misses the slot, in the clinic zone', () => {
    const mornings = { ...base, entry: { ...base.entry, availability: parseAvailability('08:00-12:00') } };
    expect(exclusionsFor(mornings, policy)).toEqual(['AVAILABILITY']);
    const thursdays = {
      ...base,
      entry: { ...base.entry, availability: parseAvailability('Thu 15:00-18:00') },
    };
    expect(exclusionsFor(thursdays, policy)).toEqual([]);
    // Read in UTC the slot is 21:30 and would miss 15:00-18:00.
    expect(exclusionsFor(thursdays, { ...policy, clinicTimeZone: 'UTC' })).toEqual(['AVAILABILITY']);
  });

  it('empty availability excludes nobody', () => {
    expect(exclusionsFor({ ...base, entry: { ...base.entry, availability: [] } }, policy)).toEqual([]);
  });
});
