import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { FIELD_LIMITS } from '../shared/domain/field-limits.js';
import { segmentInfo } from '../shared/domain/gsm7.js';
import { englishTemplates, type OfferDetails, spanishTemplates } from '../shared/domain/templates.js';
import { makeClinic, ZONE } from './support/clinic.js';

/**
 * CTIA: the first text a person gets from a program says how to opt out, and regularly after that.
 * And no patient can misread the hold: in another zone it is shown in theirs, labelled. Every variant
 * still fits one GSM-7 segment with the longest values validation allows.
 */
const brand = {
  clinicName: 'C'.repeat(FIELD_LIMITS.clinicName),
  contactPhone: '9'.repeat(FIELD_LIMITS.contactPhone),
};
const worst: OfferDetails = {
  firstName: 'F'.repeat(FIELD_LIMITS.firstName),
  providerName: 'P'.repeat(FIELD_LIMITS.providerName),
  locationName: 'L'.repeat(FIELD_LIMITS.locationName),
  startAt: '2026-09-30T17:30:00Z',
  timeZone: 'America/Chicago',
  holdExpiresAt: '2026-09-30T15:07:00Z',
};

describe.each([
  ['English', englishTemplates, /STOP to opt out/],
  ['Spanish', spanishTemplates, /STOP para salir/],
] as const)('%s offer variants', (_language, t, stopWords) => {
  it.each([
    ['first contact', { optOutHint: true }],
    ['another zone', { patientTimeZone: 'America/Los_Angeles' }],
    ['first contact in another zone', { optOutHint: true, patientTimeZone: 'America/New_York' }],
  ])('%s fits one GSM-7 segment with worst-case values', (_name, extra) => {
    const text = t.offer(brand, { ...worst, ...extra });
    expect(segmentInfo(text)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    if ('optOutHint' in extra) expect(text).toMatch(stopWords);
    expect(text).not.toMatch(/cancel/i);
  });

  it("in another zone the hold is in the patient's zone, labelled, and the visit in the clinic's, labelled", () => {
    const text = t.offer(brand, { ...worst, patientTimeZone: 'America/Los_Angeles' });
    expect(text).toMatch(/8:07\s?(AM|am) PDT/);
    expect(text).toMatch(/12:30\s?(PM|pm) CDT/);
  });

  it("in the clinic's own zone nothing changes", () => {
    expect(t.offer(brand, { ...worst, patientTimeZone: 'America/Chicago' })).toBe(t.offer(brand, worst));
  });
});

describe('the engine tells patients how to opt out at first contact and every 30 days', () => {
  it('first offer carries STOP instructions, the next one within 30 days does not, one after 30 days does', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1', MAX_OFFERS_PER_PATIENT_PER_DAY: '3' });
    const patient = await clinic.addPatient();
    const offers = () => clinic.sms.to(patient.phone).filter((m) => m.body.includes('YES'));
    await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    expect(offers()[0]?.body).toMatch(/STOP to opt out/);
    await clinic.advance(10); // hold over; the slot expires (nobody else)
    await clinic.engine.logCancellation(clinic.slotInput(72));
    await clinic.advance(3);
    expect(offers()).toHaveLength(2);
    expect(offers()[1]?.body).not.toMatch(/STOP/);
    clinic.setNow(DateTime.fromJSDate(clinic.clock()).plus({ days: 31 }).toUTC().toISO() as string);
    await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    expect(offers()).toHaveLength(3);
    expect(offers()[2]?.body).toMatch(/STOP to opt out/);
  });

  it('a patient in another zone reads the hold in their own time, labelled', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    const patient = await clinic.addPatient({ timeZone: 'America/New_York' });
    const slot = await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    const hold = (await clinic.store.getSlot(slot.slotId))?.holdExpiresAt as string;
    const eastern = DateTime.fromISO(hold, { zone: 'America/New_York' }).toFormat('h:mma');
    expect(clinic.sms.to(patient.phone)[0]?.body).toContain(`${eastern} EST`);
    expect(DateTime.fromISO(hold, { zone: ZONE }).toFormat('h:mma')).not.toBe(eastern);
  });
});
