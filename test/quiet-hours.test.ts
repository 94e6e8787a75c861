import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  federalHolidays,
  isWithinPatientWindow,
  nextPatientWindowOpening,
  type Recipient,
  stateOf,
  type WindowPolicy,
} from '../shared/domain/quiet-hours/index.js';

/** Quiet hours: the clinic's window within federal and state rules, in the patient's own zone. */
const clinic = (start = '08:00', end = '21:00'): WindowPolicy => ({
  clinicTimeZone: 'America/Chicago',
  contactHours: { start, end },
});
const at = (local: string, zone: string) => DateTime.fromISO(local, { zone }).toUTC().toISO() as string;

describe('where the rules come from', () => {
  it('the record’s state wins; else the area code; Canada and unknown codes have no state', () => {
    expect(stateOf({ phone: '+13055550100' })).toEqual({ state: 'FL', from: 'AREA_CODE' });
    expect(stateOf({ phone: '+13055550100', state: 'il' })).toEqual({ state: 'IL', from: 'RECORD' });
    expect(stateOf({ phone: '+12065550100' })).toEqual({ state: 'WA', from: 'AREA_CODE' });
    expect(stateOf({ phone: '+14055550100' })).toEqual({ state: 'OK', from: 'AREA_CODE' });
    expect(stateOf({ phone: '+12025550100' })).toEqual({ state: 'DC', from: 'AREA_CODE' });
    expect(stateOf({ phone: '+14165550100' })).toEqual({ from: 'OUTSIDE_US', country: 'Canada' });
    expect(stateOf({ phone: '+15555550100' })).toEqual({ from: 'UNKNOWN' });
    expect(stateOf({ phone: '+442071234567' })).toEqual({ from: 'UNKNOWN' });
  });
});

type Row = [label: string, recipient: Recipient, local: string, inside: boolean];
const FL: Recipient = { phone: '+13055550100', timeZone: 'America/New_York' };
const PANHANDLE: Recipient = { phone: '+18505550100', timeZone: 'America/Chicago' };
const IL: Recipient = { phone: '+13125550100' };
const WA: Recipient = { phone: '+12065550100', timeZone: 'America/Los_Angeles' };
const CT: Recipient = { phone: '+12035550100', timeZone: 'America/New_York' };
const KY: Recipient = { phone: '+15025550100', timeZone: 'America/New_York' };
const MI: Recipient = { phone: '+13135550100', timeZone: 'America/Detroit' };
const RI: Recipient = { phone: '+14015550100', timeZone: 'America/New_York' };
const AL: Recipient = { phone: '+12055550100' };
const MS: Recipient = { phone: '+16015550100' };
const LA: Recipient = { phone: '+15045550100' };
const ON: Recipient = { phone: '+14165550100', timeZone: 'America/Toronto' };
const AZ: Recipient = { phone: '+16025550100', timeZone: 'America/Phoenix' };

describe('the matrix, with a clinic that widened its window to 08:00-21:00', () => {
  // 2026-11-24 is a Tuesday; 2026-11-29 a Sunday; 2026-11-26 Thanksgiving.
  const rows: Row[] = [
    ['Florida 19:59', FL, '2026-11-24T19:59', true],
    ['Florida 20:00', FL, '2026-11-24T20:00', false],
    ['Florida 20:30', FL, '2026-11-24T20:30', false],
    ['Florida panhandle (Central) 20:30', PANHANDLE, '2026-11-24T20:30', false],
    ['Illinois 20:30 (federal)', IL, '2026-11-24T20:30', true],
    ['Illinois 21:00', IL, '2026-11-24T21:00', false],
    ['Illinois 07:59', IL, '2026-11-24T07:59', false],
    ['Washington 20:15', WA, '2026-11-24T20:15', false],
    ['Connecticut 08:30', CT, '2026-11-24T08:30', false],
    ['Connecticut 19:30', CT, '2026-11-24T19:30', true],
    ['Kentucky 09:30', KY, '2026-11-24T09:30', false],
    ['Kentucky 10:00', KY, '2026-11-24T10:00', true],
    ['Michigan 08:45', MI, '2026-11-24T08:45', false],
    ['Rhode Island 18:30 Tuesday', RI, '2026-11-24T18:30', false],
    ['Rhode Island 17:30 Tuesday', RI, '2026-11-24T17:30', true],
    ['Rhode Island 16:30 Saturday', RI, '2026-11-28T16:30', true],
    ['Rhode Island 17:30 Saturday', RI, '2026-11-28T17:30', false],
    ['Rhode Island Sunday noon', RI, '2026-11-29T12:00', false],
    ['Alabama Sunday noon', AL, '2026-11-29T12:00', false],
    ['Alabama Thanksgiving noon', AL, '2026-11-26T12:00', false],
    ['Alabama Friday noon', AL, '2026-11-27T12:00', true],
    ['Mississippi Sunday noon', MS, '2026-11-29T12:00', false],
    ['Louisiana Christmas noon', LA, '2026-12-25T12:00', false],
    ['Illinois Sunday noon', IL, '2026-11-29T12:00', true],
    ['Ontario 20:30 (federal default)', ON, '2026-11-24T20:30', true],
    ['Arizona 20:30 (no DST)', AZ, '2026-07-14T20:30', true],
  ];
  it.each(rows)('%s', (_label, recipient, local, inside) => {
    const zone = recipient.timeZone ?? 'America/Chicago';
    expect(isWithinPatientWindow(at(local, zone), recipient, clinic())).toBe(inside);
  });

  it('the clinic’s own narrower window still binds everyone', () => {
    expect(
      isWithinPatientWindow(at('2026-11-24T20:30', 'America/Chicago'), IL, clinic('08:00', '20:00')),
    ).toBe(false);
    expect(
      isWithinPatientWindow(at('2026-11-24T08:30', 'America/Chicago'), IL, clinic('09:00', '17:00')),
    ).toBe(false);
  });

  it('a clinic open until midnight still stops at the law’s end', () => {
    expect(
      isWithinPatientWindow(at('2026-11-24T22:00', 'America/Chicago'), IL, clinic('00:00', '24:00')),
    ).toBe(false);
    expect(
      isWithinPatientWindow(at('2026-11-24T06:00', 'America/Chicago'), IL, clinic('00:00', '24:00')),
    ).toBe(false);
  });

  it('LEGAL_QUIET_HOURS=false (tests and local demos only) leaves the clinic’s window alone', () => {
    const open = { ...clinic('00:00', '24:00'), legalQuietHours: false };
    expect(isWithinPatientWindow(at('2026-11-24T23:00', 'America/New_York'), FL, open)).toBe(true);
  });
});

describe('next opening', () => {
  it('Florida at 20:30 opens at 08:00 next morning in the patient’s zone', () => {
    expect(nextPatientWindowOpening(at('2026-11-24T20:30', 'America/New_York'), FL, clinic())).toBe(
      at('2026-11-25T08:00', 'America/New_York'),
    );
  });
  it('inside the window it is now', () => {
    const now = at('2026-11-24T12:00', 'America/New_York');
    expect(nextPatientWindowOpening(now, FL, clinic())).toBe(now);
  });
  it('Alabama on Saturday night skips Sunday', () => {
    expect(nextPatientWindowOpening(at('2026-11-28T21:00', 'America/Chicago'), AL, clinic())).toBe(
      at('2026-11-30T08:00', 'America/Chicago'),
    );
  });
  it('Alabama the evening before Thanksgiving waits for Friday', () => {
    expect(nextPatientWindowOpening(at('2026-11-25T20:30', 'America/Chicago'), AL, clinic())).toBe(
      at('2026-11-27T08:00', 'America/Chicago'),
    );
  });
  it('Rhode Island on Friday evening opens Saturday at 10:00', () => {
    expect(nextPatientWindowOpening(at('2026-11-27T18:30', 'America/New_York'), RI, clinic())).toBe(
      at('2026-11-28T10:00', 'America/New_York'),
    );
  });
  it('Kentucky before 10:00 opens at 10:00', () => {
    expect(nextPatientWindowOpening(at('2026-11-24T08:30', 'America/New_York'), KY, clinic())).toBe(
      at('2026-11-24T10:00', 'America/New_York'),
    );
  });
});

describe('across DST transitions', () => {
  // US: spring forward 2026-03-08, fall back 2026-11-01 (02:00 local).
  it('08:00 local on the spring-forward day is 12:00Z in New York, 13:00Z the day before', () => {
    expect(nextPatientWindowOpening('2026-03-08T06:00:00.000Z', FL, clinic())).toBe(
      '2026-03-08T12:00:00.000Z',
    );
    expect(nextPatientWindowOpening('2026-03-07T06:00:00.000Z', FL, clinic())).toBe(
      '2026-03-07T13:00:00.000Z',
    );
  });
  it('on the fall-back day the window still ends at 20:00 local (01:00Z, not 00:00Z)', () => {
    expect(isWithinPatientWindow('2026-11-02T00:30:00.000Z', FL, clinic())).toBe(true); // 19:30 EST
    expect(isWithinPatientWindow('2026-11-02T01:00:00.000Z', FL, clinic())).toBe(false); // 20:00 EST
    expect(isWithinPatientWindow('2026-11-01T00:30:00.000Z', FL, clinic())).toBe(false); // 20:30 EDT
  });
  it('a patient in another zone is read on their own clock', () => {
    // 20:30 in Chicago is 21:30 in New York: the Florida patient there is outside, the Chicago one inside.
    const now = at('2026-06-10T20:30', 'America/Chicago');
    expect(isWithinPatientWindow(now, IL, clinic())).toBe(true);
    expect(isWithinPatientWindow(now, FL, clinic())).toBe(false);
    // Honolulu (no DST) at 07:00 when Chicago is at noon.
    const hi: Recipient = { phone: '+18085550100', timeZone: 'Pacific/Honolulu' };
    expect(isWithinPatientWindow(at('2026-06-10T12:00', 'America/Chicago'), hi, clinic())).toBe(false);
  });
});

describe('federal holidays are computed for the year', () => {
  it('2026 and 2027, with observed days', () => {
    const y2026 = federalHolidays(2026);
    for (const d of [
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03', // July 4 is a Saturday
      '2026-07-04',
      '2026-09-07',
      '2026-10-12',
      '2026-11-11',
      '2026-11-26',
      '2026-12-25',
    ]) {
      expect(y2026.has(d), d).toBe(true);
    }
    expect(y2026.has('2026-11-27')).toBe(false);
    const y2027 = federalHolidays(2027);
    expect(y2027.has('2027-12-24')).toBe(true); // Christmas on a Saturday
    expect(y2027.has('2027-12-31')).toBe(true); // New Year's Day 2028 is a Saturday
  });
});
