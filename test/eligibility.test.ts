import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isWithinContactWindow, nextContactWindowOpening } from '../shared/domain/contact-window.js';
import { type EligibilityInput, exclusionsFor } from '../shared/domain/eligibility.js';

const NOW = '2026-11-24T16:00:00.000Z';
const hoursFromNow = (h: number) => new Date(Date.parse(NOW) + h * 3_600_000).toISOString();
const policy = { minNoticeMinutes: 120, caps: { perDay: 1, perWeek: 3 } };

function input(
  overrides: {
    entry?: Partial<EligibilityInput['entry']>;
    patient?: Partial<EligibilityInput['patient']>;
    slot?: Partial<EligibilityInput['slot']>;
    provider?: Partial<EligibilityInput['provider']>;
  } = {},
): EligibilityInput {
  return {
    entry: {
      active: true,
      preferences: { providerIds: [], providerTypes: [], locationIds: [], visitTypes: [] },
      currentAppointmentAt: hoursFromNow(24 * 60),
      ...overrides.entry,
    },
    patient: { patientId: 'p1', consent: 'OPTED_IN', recentOfferTimes: [], ...overrides.patient },
    slot: {
      providerId: 'dr-lee',
      locationId: 'main',
      visitType: 'follow-up',
      startAt: hoursFromNow(48),
      offeredPatientIds: [],
      ...overrides.slot,
    },
    provider: { providerType: 'MD/DO', ...overrides.provider },
    now: NOW,
  };
}

const prefs = (p: Partial<EligibilityInput['entry']['preferences']>) => ({
  preferences: { providerIds: [], providerTypes: [], locationIds: [], visitTypes: [], ...p },
});

describe('exclusionsFor', () => {
  it('accepts an active, opted-in, matching patient with a later appointment', () => {
    expect(exclusionsFor(input(), policy)).toEqual([]);
  });

  it.each([
    ['INACTIVE', input({ entry: { active: false } })],
    ['OPTED_OUT', input({ patient: { consent: 'OPTED_OUT' } })],
    ['PROVIDER_MISMATCH', input({ entry: prefs({ providerIds: ['dr-kim'] }) })],
    ['PROVIDER_TYPE_MISMATCH', input({ entry: prefs({ providerTypes: ['APP'] }) })],
    ['LOCATION_MISMATCH', input({ entry: prefs({ locationIds: ['north'] }) })],
    ['VISIT_TYPE_MISMATCH', input({ entry: prefs({ visitTypes: ['new-patient'] }) })],
    ['NOT_EARLIER_THAN_CURRENT', input({ entry: { currentAppointmentAt: hoursFromNow(47) } })],
    ['NOT_EARLIER_THAN_CURRENT', input({ entry: { currentAppointmentAt: hoursFromNow(48) } })],
    ['TOO_LITTLE_NOTICE', input({ slot: { startAt: hoursFromNow(1.9) } })],
    ['DAILY_CAP', input({ patient: { recentOfferTimes: [hoursFromNow(-23)] } })],
    [
      'WEEKLY_CAP',
      input({ patient: { recentOfferTimes: [hoursFromNow(-30), hoursFromNow(-60), hoursFromNow(-100)] } }),
    ],
    ['HAS_LIVE_OFFER', input({ patient: { liveOfferSlotId: 'other-slot' } })],
    ['ALREADY_OFFERED', input({ slot: { offeredPatientIds: ['p1'] } })],
  ])('excludes for %s', (reason, value) => {
    expect(exclusionsFor(value, policy)).toContain(reason);
  });

  it('matches when the slot is among several preferences', () => {
    expect(
      exclusionsFor(
        input({
          entry: prefs({
            providerIds: ['dr-kim', 'dr-lee'],
            providerTypes: ['MD/DO'],
            locationIds: ['main'],
            visitTypes: ['follow-up'],
          }),
        }),
        policy,
      ),
    ).toEqual([]);
  });

  it('lets old offers fall out of the caps', () => {
    expect(exclusionsFor(input({ patient: { recentOfferTimes: [hoursFromNow(-25)] } }), policy)).toEqual([]);
    expect(
      exclusionsFor(
        input({
          patient: { recentOfferTimes: [hoursFromNow(-25), hoursFromNow(-50), hoursFromNow(-24 * 8)] },
        }),
        policy,
      ),
    ).toEqual([]);
  });
});

describe('contact window', () => {
  const window = { start: '08:00', end: '20:00' };
  const at = (local: string, zone = 'America/Chicago') =>
    DateTime.fromISO(local, { zone }).toUTC().toISO() as string;

  it.each([
    ['2026-11-24T07:59', false],
    ['2026-11-24T08:00', true],
    ['2026-11-24T19:59', true],
    ['2026-11-24T20:00', false],
  ])('at %s Chicago time inside=%s', (local, inside) => {
    expect(isWithinContactWindow(at(local), 'America/Chicago', window)).toBe(inside);
  });

  it('uses the patient’s own zone', () => {
    // 07:30 in Los Angeles is 09:30 in Chicago: the clinic could text, the patient must wait.
    const now = at('2026-11-24T07:30', 'America/Los_Angeles');
    expect(isWithinContactWindow(now, 'America/Chicago', window)).toBe(true);
    expect(isWithinContactWindow(now, 'America/Los_Angeles', window)).toBe(false);
    expect(nextContactWindowOpening(now, 'America/Los_Angeles', window)).toBe(
      at('2026-11-24T08:00', 'America/Los_Angeles'),
    );
  });

  it('opens the next morning after the evening cutoff, across the DST change', () => {
    // Saturday 2026-03-07 21:00 CST → Sunday 08:00 CDT (clocks jump at 02:00).
    expect(nextContactWindowOpening(at('2026-03-07T21:00'), 'America/Chicago', window)).toBe(
      '2026-03-08T13:00:00.000Z',
    );
    // Fall back: Saturday 2026-10-31 22:00 CDT → Sunday 08:00 CST.
    expect(nextContactWindowOpening(at('2026-10-31T22:00'), 'America/Chicago', window)).toBe(
      '2026-11-01T14:00:00.000Z',
    );
  });

  it('treats 24:00 as the end of the day', () => {
    const allDay = { start: '00:00', end: '24:00' };
    expect(isWithinContactWindow(at('2026-11-24T23:59'), 'America/Chicago', allDay)).toBe(true);
    expect(isWithinContactWindow(at('2026-11-24T00:00'), 'America/Chicago', allDay)).toBe(true);
  });

  it('returns now when already inside', () => {
    const now = at('2026-11-24T12:00');
    expect(nextContactWindowOpening(now, 'America/Chicago', window)).toBe(now);
  });
});
