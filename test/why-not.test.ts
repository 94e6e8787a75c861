import { describe, expect, it } from 'vitest';
import { parseAvailability } from '../shared/domain/availability.js';
import { describeWhyNot, whyNot } from '../shared/domain/why-not.js';
import { makeClinic } from './support/clinic.js';

/**
 * "Nobody eligible" is never a mystery: each batch selection leaves its counts on the slot, and the
 * "send next batch now" refusal names the main reason by count. DynamoDB Local.
 */

describe('whyNot', () => {
  it('groups exclusions by what staff can act on, largest first', () => {
    expect(
      whyNot({
        DAILY_CAP: 17,
        WEEKLY_CAP: 3,
        OUTSIDE_CONTACT_HOURS: 1,
        LOCATION_MISMATCH: 2,
        PROVIDER_MISMATCH: 1,
      }),
    ).toEqual([
      { reason: 'CAP', count: 17 },
      { reason: 'PREFERENCE', count: 3 },
      { reason: 'CONTACT_WINDOW', count: 1 },
    ]);
    expect(describeWhyNot({ DAILY_CAP: 17, OUTSIDE_CONTACT_HOURS: 1 })).toBe(
      '17 at their offer cap, 1 outside their contact hours',
    );
    expect(describeWhyNot({})).toBeUndefined();
  });
});

describe('availability and why-not in the engine', () => {
  it('does not offer a slot to a patient who cannot come then, and records why on the slot', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '3' });
    // The slot is Thursday 26 Nov 2026, 10:00 in the clinic's zone.
    const mondays = await clinic.addPatient({
      boost: 30,
      availability: parseAvailability('Mon 08:00-12:00'),
    });
    const afternoons = await clinic.addPatient({ boost: 20, availability: parseAvailability('13:00-17:00') });
    const thursdays = await clinic.addPatient({
      boost: 10,
      availability: parseAvailability('Thu 08:00-12:00'),
    });
    const anyTime = await clinic.addPatient();
    const slot = await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    expect(clinic.sms.sent.map((m) => m.to).sort()).toEqual([thursdays.phone, anyTime.phone].sort());
    expect(clinic.sms.sent.map((m) => m.to)).not.toContain(mondays.phone);
    expect(clinic.sms.sent.map((m) => m.to)).not.toContain(afternoons.phone);
    const recorded = (await clinic.store.getSlot(slot.slotId))?.lastSelection;
    expect(recorded).toMatchObject({ batch: 1, chosen: 2, excluded: { AVAILABILITY: 2 } });
  });

  it('"send next batch now" names the main reason by count, not contact hours', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1', MAX_OFFERS_PER_PATIENT_PER_DAY: '1' });
    const capped = await Promise.all([0, 1, 2, 3].map((i) => clinic.addPatient({ boost: 30 - i })));
    const last = await clinic.addPatient();
    // Four patients use today's offer on a slot that staff then fill by phone.
    const first = await clinic.engine.logCancellation({ ...clinic.slotInput(30), batchSize: 4 });
    await clinic.advance(3);
    expect(clinic.sms.sent.map((m) => m.to).sort()).toEqual(capped.map((p) => p.phone).sort());
    await clinic.engine.withdraw(first.slotId, 'staff-1');
    const slot = await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    expect((await clinic.store.listOffers(slot.slotId)).map((o) => o.patientId)).toEqual([last.patientId]);

    const refusal = await clinic.engine.sendNextBatchNow(slot.slotId, 1).catch((e: Error) => e);
    expect(refusal).toBeInstanceOf(Error);
    expect((refusal as Error).message).toMatch(/^nobody left can be texted right now: 4 at their offer cap$/);
    expect((await clinic.store.getSlot(slot.slotId))?.lastSelection).toMatchObject({
      batch: 2,
      chosen: 0,
      excluded: { DAILY_CAP: 4, ALREADY_OFFERED: 1 },
    });
  });
});
