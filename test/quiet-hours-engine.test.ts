import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isWithinPatientWindow } from '../shared/domain/quiet-hours/index.js';
import { makeClinic, ZONE } from './support/clinic.js';

/**
 * Quiet hours in the engine, on DynamoDB Local with the in-process scheduler on a moved clock: each
 * patient's window is the clinic's within federal and state rules, and every text that is not an answer
 * (offers, withdrawal notices) waits for it.
 */
const chicago = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toUTC().toISO() as string;
const NO_LONGER = 'no longer available';

describe('state quiet hours in selection', () => {
  it('a Florida patient is not offered at 20:30 even with CONTACT_HOURS_END=21:00; an Illinois one is', async () => {
    const clinic = await makeClinic({ CONTACT_HOURS_END: '21:00', BATCH_SIZE: '1' });
    clinic.setNow(chicago('2026-11-24T20:27'));
    // The Florida panhandle is on Central time: the clinic's window is open for both.
    const florida = await clinic.addPatient({ boost: 30, state: 'FL', phone: '+18505550101' });
    const illinois = await clinic.addPatient({ boost: 0 });
    const slot = await clinic.engine.logCancellation(clinic.slotInput(40));
    await clinic.advance(3); // 20:30
    expect(clinic.sms.to(florida.phone)).toHaveLength(0);
    expect(clinic.sms.to(illinois.phone)).toHaveLength(1);
    expect((await clinic.store.getSlot(slot.slotId))?.lastSelection?.excluded).toMatchObject({
      OUTSIDE_CONTACT_HOURS: 1,
    });
  });

  it('with only Florida patients the batch waits for 08:00 (their area code says Florida)', async () => {
    const clinic = await makeClinic({ CONTACT_HOURS_END: '21:00' });
    clinic.setNow(chicago('2026-11-24T20:27'));
    const florida = await clinic.addPatient({ phone: '+18505550102' });
    const slot = await clinic.engine.logCancellation(clinic.slotInput(40));
    await clinic.advance(3);
    expect(clinic.sms.sent).toHaveLength(0);
    expect((await clinic.store.getSlot(slot.slotId))?.currentBatch).toBe(0);
    clinic.setNow(chicago('2026-11-25T08:00'));
    await clinic.advance(0);
    expect(clinic.sms.to(florida.phone)).toHaveLength(1);
  });
});

describe('a withdrawal notice respects quiet hours', () => {
  async function offeredThenWithdrawnAt22(slotHoursAhead: number) {
    const clinic = await makeClinic({ CONTACT_HOURS_END: '21:00', HOLD_MINUTES: '240' });
    clinic.setNow(chicago('2026-11-24T19:57'));
    const patient = await clinic.addPatient();
    const slot = await clinic.engine.logCancellation(clinic.slotInput(slotHoursAhead));
    await clinic.advance(3);
    expect(clinic.sms.to(patient.phone)).toHaveLength(1); // the offer, at 20:00
    clinic.setNow(chicago('2026-11-24T22:00'));
    await clinic.engine.withdraw(slot.slotId, 'staff-1');
    return { clinic, patient, slot };
  }

  it('withdrawn at 22:00, the notice waits for 08:00 and goes once', async () => {
    const { clinic, patient } = await offeredThenWithdrawnAt22(38); // visit at 10:00 on Thursday
    expect(clinic.sms.to(patient.phone)).toHaveLength(1);
    clinic.setNow(chicago('2026-11-25T07:59'));
    await clinic.advance(0);
    expect(clinic.sms.to(patient.phone)).toHaveLength(1);
    clinic.setNow(chicago('2026-11-25T08:00'));
    await clinic.advance(0, 2); // delivered twice, as EventBridge may
    const texts = clinic.sms.to(patient.phone);
    expect(texts).toHaveLength(2);
    expect(texts[1]?.body).toContain(NO_LONGER);
  });

  it('withdrawn at 22:00 for a visit at 07:30, the notice is dropped at 08:00', async () => {
    const { clinic, patient } = await offeredThenWithdrawnAt22(11.5); // visit at 07:30 on Wednesday
    clinic.setNow(chicago('2026-11-25T08:00'));
    await clinic.advance(0);
    expect(clinic.sms.to(patient.phone)).toHaveLength(1);
    expect(clinic.scheduler.pending().filter((s) => s.event.kind === 'SEND_NOTICE')).toHaveLength(0);
  });

  it('withdrawn inside the window, the notice goes at once', async () => {
    const clinic = await makeClinic({ HOLD_MINUTES: '240' });
    const patient = await clinic.addPatient();
    const slot = await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    await clinic.engine.withdraw(slot.slotId, 'staff-1');
    expect(clinic.sms.to(patient.phone).map((m) => m.body.includes(NO_LONGER))).toEqual([false, true]);
  });
});

/** A small deterministic PRNG (mulberry32), so a failing week can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('a simulated week', () => {
  it('slots logged and withdrawn at random times: zero texts outside any recipient’s window', async () => {
    const clinic = await makeClinic({
      CONTACT_HOURS_START: '07:00',
      CONTACT_HOURS_END: '21:00',
      HOLD_MINUTES: '90',
      BATCH_SIZE: '3',
      MAX_OFFERS_PER_PATIENT_PER_DAY: '3',
      MAX_OFFERS_PER_PATIENT_PER_WEEK: '20',
    });
    const random = prng(20261124);
    // Monday 00:00 of a week holding the DST-free Thanksgiving (Alabama and Rhode Island close).
    clinic.setNow(chicago('2026-11-23T00:00'));
    const specs = [
      { phone: '+13055550110', timeZone: 'America/New_York' }, // FL
      { phone: '+18505550111' }, // FL, Central
      { phone: '+12065550112', timeZone: 'America/Los_Angeles' }, // WA
      { phone: '+14015550113', timeZone: 'America/New_York' }, // RI
      { phone: '+12055550114' }, // AL
      { phone: '+15025550115', timeZone: 'America/New_York' }, // KY
      { phone: '+13135550116', timeZone: 'America/Detroit' }, // MI
      { phone: '+14165550117', timeZone: 'America/Toronto' }, // Ontario
      { phone: '+18085550118', timeZone: 'Pacific/Honolulu' }, // HI
      { phone: '+13125550119', state: 'CT' }, // record says Connecticut
      {}, // IL
      { phone: '+16015550120' }, // MS
    ];
    const patients = [];
    for (const [i, spec] of specs.entries()) patients.push(await clinic.addPatient({ ...spec, boost: i }));
    const byPhone = new Map(patients.map((p) => [p.phone, p]));

    const slotIds: string[] = [];
    let checked = 0;
    const violations: string[] = [];
    const end = Date.parse(chicago('2026-11-30T00:00'));
    const check = (from: number, now: string) => {
      for (const text of clinic.sms.sent.slice(from)) {
        const patient = byPhone.get(text.to);
        checked++;
        if (!patient || !isWithinPatientWindow(now, patient, clinic.policy))
          violations.push(`${now} ${text.to}`);
      }
    };
    while (clinic.clock().getTime() < end) {
      const atStart = clinic.sms.sent.length;
      if (random() < 0.07) {
        // A cancellation at a random minute, for a visit 5-60 hours ahead.
        const slot = await clinic.engine.logCancellation(clinic.slotInput(5 + random() * 55));
        slotIds.push(slot.slotId);
      }
      if (slotIds.length > 0 && random() < 0.035) {
        const slotId = slotIds[Math.floor(random() * slotIds.length)] as string;
        if ((await clinic.store.getSlot(slotId))?.status === 'OPEN')
          await clinic.engine.withdraw(slotId, 'staff');
      }
      // A withdrawal's notices go now (inside the window) or are held.
      check(atStart, clinic.clock().toISOString());
      const before = clinic.sms.sent.length;
      await clinic.advance(10 + Math.floor(random() * 15));
      check(before, clinic.clock().toISOString());
    }
    const all = clinic.sms.sent.length;
    expect(all).toBeGreaterThan(20);
    expect(clinic.sms.sent.some((m) => m.body.includes(NO_LONGER))).toBe(true);
    expect(checked).toBe(all);
    expect(violations).toEqual([]);
  });
});
