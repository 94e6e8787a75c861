import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { holdScheduleName } from '../shared/engine/offer-engine.js';
import { makeClinic, ZONE } from './support/clinic.js';

const daysFromNowIso = (clinic: { clock: () => Date }, days: number) =>
  DateTime.fromJSDate(clinic.clock()).plus({ days }).toUTC().toISO() as string;

describe('offer engine on DynamoDB Local', () => {
  it('runs the full flow: cancellation → batch 1 → hold expires → batch 2 → one YES wins', async () => {
    const clinic = await makeClinic();
    const urgent = await Promise.all(
      [1, 2, 3].map((i) => clinic.addPatient({ name: `Urgent${i}`, urgent: true, boost: 10 - i })),
    );
    const later = await Promise.all(
      [1, 2, 3].map((i) => clinic.addPatient({ name: `Later${i}`, boost: 10 - i })),
    );
    await clinic.addPatient({ name: 'Last', boost: 0 });

    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    expect(clinic.sms.sent).toHaveLength(0); // nothing before the first-batch delay
    expect(clinic.scheduler.pending().map((s) => s.name)).toEqual([holdScheduleName(slot.slotId, 1)]);

    await clinic.advance(3);
    expect(clinic.sms.sent.map((m) => m.to).sort()).toEqual(urgent.map((p) => p.phone).sort());
    expect(clinic.sms.sent[0]?.body).toMatch(
      /^Lakeside: Opening .* with Dr\. Lee at Main St\. YES to book, NO to pass, STOP to opt out/,
    );
    let current = await clinic.store.getSlot(slot.slotId);
    expect(current).toMatchObject({ status: 'OPEN', currentBatch: 1, phase: 'HOLDING' });

    await clinic.advance(7);
    expect(
      clinic.sms.sent
        .slice(3)
        .map((m) => m.to)
        .sort(),
    ).toEqual(later.map((p) => p.phone).sort());
    const batch1 = (await clinic.store.listOffers(slot.slotId)).filter((o) => o.batch === 1);
    expect(batch1.every((o) => o.state === 'EXPIRED')).toBe(true);

    const winner = later[1];
    if (!winner) throw new Error('fixture');
    const outcome = await clinic.engine.claim(winner.patientId);
    expect(outcome.kind).toBe('WON');
    current = await clinic.store.getSlot(slot.slotId);
    expect(current).toMatchObject({ status: 'FILLED', filledByPatientId: winner.patientId });
    const offers = await clinic.store.listOffers(slot.slotId);
    expect(offers.find((o) => o.patientId === winner.patientId)?.state).toBe('ACCEPTED');
    expect(
      offers.filter((o) => o.batch === 2 && o.patientId !== winner.patientId).map((o) => o.state),
    ).toEqual(['CANCELLED', 'CANCELLED']);
    expect(clinic.scheduler.pending()).toHaveLength(0);
    expect(clinic.alerts).toEqual([expect.objectContaining({ slotId: slot.slotId, batch: 2 })]);
    // A second YES from someone else learns it is taken; the winner asking again is still the winner.
    expect((await clinic.engine.claim(later[0]?.patientId as string)).kind).toBe('TAKEN');
    expect((await clinic.engine.claim(winner.patientId)).kind).toBe('WON');
    // The winner leaves the waitlist; a patient of an expired batch-1 offer may no longer claim.
    expect((await clinic.waitlist.entriesOf(winner.patientId))[0]?.active).toBe(false);
    expect((await clinic.engine.claim(urgent[0]?.patientId as string)).kind).toBe('TAKEN');
  });

  it('lets a patient whose hold has passed still claim while the slot is open', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    const first = await clinic.addPatient({ urgent: true });
    await clinic.addPatient();
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    await clinic.advance(7); // batch 2 goes to the other patient
    const outcome = await clinic.engine.claim(first.patientId);
    expect(outcome.kind).toBe('WON');
    expect((await clinic.store.getSlot(slot.slotId))?.filledByPatientId).toBe(first.patientId);
  });

  it('does not let a patient claim an older slot once a newer one was offered to them', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1', MAX_OFFERS_PER_PATIENT_PER_DAY: '3' });
    const patient = await clinic.addPatient({ urgent: true });
    const a = await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    await clinic.advance(7); // hold on A passes; no one else, so A expires
    const b = await clinic.engine.logCancellation(clinic.slotInput(72));
    await clinic.advance(3);
    expect(clinic.sms.to(patient.phone)).toHaveLength(2);
    const outcome = await clinic.engine.claim(patient.patientId);
    expect(outcome.kind).toBe('WON');
    if (outcome.kind === 'WON') expect(outcome.slot.slotId).toBe(b.slotId);
    expect((await clinic.store.getSlot(a.slotId))?.status).not.toBe('FILLED');
  });

  it('expires the slot when every patient declines', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '2' });
    const patients = await Promise.all([0, 1, 2, 3].map((i) => clinic.addPatient({ boost: 10 - i })));
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    for (const p of patients) {
      const offers = await clinic.store.listOffers(slot.slotId);
      if (!offers.some((o) => o.patientId === p.patientId)) continue;
      expect((await clinic.engine.decline(p.patientId)).kind).toBe('DECLINED');
    }
    // Batch 1 declined → batch 2 went out at once (no waiting for the hold); then batch 2 declined too.
    for (const p of patients) {
      const offers = await clinic.store.listOffers(slot.slotId);
      if (offers.find((o) => o.patientId === p.patientId)?.state === 'PENDING')
        await clinic.engine.decline(p.patientId);
    }
    const current = await clinic.store.getSlot(slot.slotId);
    expect(current).toMatchObject({ status: 'EXPIRED', closedReason: 'NO_ELIGIBLE_PATIENTS' });
    expect((await clinic.store.listOffers(slot.slotId)).map((o) => o.state)).toEqual([
      'DECLINED',
      'DECLINED',
      'DECLINED',
      'DECLINED',
    ]);
    expect(clinic.sms.sent).toHaveLength(4);
    expect((await clinic.engine.claim(patients[0]?.patientId as string)).kind).toBe('CLOSED');
  });

  it('expires the slot at the offer cutoff before its start', async () => {
    const clinic = await makeClinic({
      BATCH_SIZE: '1',
      OFFER_CUTOFF_MINUTES: '120',
      MIN_NOTICE_MINUTES: '0',
    });
    await Promise.all([0, 1, 2, 3, 4].map(() => clinic.addPatient()));
    const slot = await clinic.engine.logCancellation({
      ...clinic.slotInput(),
      startAt: DateTime.fromJSDate(clinic.clock()).plus({ minutes: 125 }).toUTC().toISO() as string,
    });
    await clinic.advance(3); // batch 1 at 122 min before start; the 7-minute hold is cut to the cutoff 2 min later
    expect((await clinic.store.getSlot(slot.slotId))?.holdExpiresAt).toBe(
      new Date(Date.parse(slot.startAt) - 120 * 60_000).toISOString(),
    );
    await clinic.advance(20);
    expect(await clinic.store.getSlot(slot.slotId)).toMatchObject({
      status: 'EXPIRED',
      closedReason: 'OFFER_CUTOFF_REACHED',
    });
    expect(clinic.sms.sent).toHaveLength(1);
  });

  it('withdraws a slot: live offers close, their patients are told, nobody can claim', async () => {
    const clinic = await makeClinic();
    const patients = await Promise.all([0, 1, 2].map(() => clinic.addPatient()));
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    const withdrawn = await clinic.engine.withdraw(slot.slotId, 'staff-2');
    expect(withdrawn.status).toBe('WITHDRAWN');
    expect((await clinic.store.listOffers(slot.slotId)).map((o) => o.state)).toEqual([
      'CANCELLED',
      'CANCELLED',
      'CANCELLED',
    ]);
    for (const p of patients) {
      expect(clinic.sms.to(p.phone).map((m) => m.body)).toEqual([
        expect.stringContaining('YES to book'),
        expect.stringContaining('no longer available'),
      ]);
      expect((await clinic.engine.claim(p.patientId)).kind).toBe('CLOSED');
    }
    expect(clinic.scheduler.pending()).toHaveLength(0);
    // Withdrawing twice is harmless; the hold firing late changes nothing.
    await clinic.engine.withdraw(slot.slotId, 'staff-2');
    await clinic.engine.startBatch({ slotId: slot.slotId, batch: 2 });
    expect(clinic.sms.sent).toHaveLength(6);
  });

  it('never offers opted-out, inactive, mismatched or not-earlier patients', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '10' });
    const ok = await clinic.addPatient({ name: 'Match' });
    await clinic.addPatient({ consent: 'OPTED_OUT', urgent: true });
    await clinic.addPatient({ active: false, urgent: true });
    await clinic.addPatient({ urgent: true, preferences: { providerIds: ['prov-app'] } });
    await clinic.addPatient({ urgent: true, preferences: { providerTypes: ['APP'] } });
    await clinic.addPatient({ urgent: true, preferences: { locationIds: ['loc-north'] } });
    await clinic.addPatient({ urgent: true, preferences: { visitTypes: ['annual'] } });
    await clinic.addPatient({ urgent: true, currentAppointmentAt: daysFromNowIso(clinic, 1) });
    await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    expect(clinic.sms.sent.map((m) => m.to)).toEqual([ok.phone]);
  });

  it('holds a patient to one live offer and respects the daily cap', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    const patient = await clinic.addPatient({ urgent: true });
    const other = await clinic.addPatient();
    const a = await clinic.engine.logCancellation(clinic.slotInput(48));
    const b = await clinic.engine.logCancellation(clinic.slotInput(50));
    await clinic.advance(3);
    const aOffers = await clinic.store.listOffers(a.slotId);
    const bOffers = await clinic.store.listOffers(b.slotId);
    expect([...aOffers, ...bOffers].map((o) => o.patientId).sort()).toEqual(
      [patient.patientId, other.patientId].sort(),
    );
    // Next day's cap: after both holds pass, the patient (cap 1/day) is not offered again today.
    const c = await clinic.engine.logCancellation(clinic.slotInput(70));
    await clinic.advance(10);
    expect(await clinic.store.listOffers(c.slotId)).toHaveLength(0);
  });

  it('defers a batch that would start outside contact hours to the window opening', async () => {
    const clinic = await makeClinic();
    clinic.setNow(DateTime.fromISO('2026-11-24T19:58', { zone: ZONE }).toUTC().toISO() as string);
    await clinic.addPatient();
    const slot = await clinic.engine.logCancellation(clinic.slotInput(40));
    await clinic.advance(3); // 20:01: outside the window
    expect(clinic.sms.sent).toHaveLength(0);
    const deferred = clinic.scheduler.pending();
    expect(deferred).toHaveLength(1);
    expect(
      DateTime.fromISO(deferred[0]?.at as string)
        .setZone(ZONE)
        .toFormat('yyyy-MM-dd HH:mm'),
    ).toBe('2026-11-25 08:00');
    await clinic.advance(12 * 60);
    expect(clinic.sms.sent).toHaveLength(1);
    expect((await clinic.store.getSlot(slot.slotId))?.currentBatch).toBe(1);
  });

  it('moves on at once when every send of a batch fails', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    const landline = await clinic.addPatient({ urgent: true });
    const mobile = await clinic.addPatient();
    const { SmsSendError } = await import('../shared/ports.js');
    clinic.sms.failFor.set(landline.phone, new SmsSendError('landline', '30006', true));
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    const offers = await clinic.store.listOffers(slot.slotId);
    expect(offers.find((o) => o.patientId === landline.patientId)?.state).toBe('FAILED');
    expect(offers.find((o) => o.patientId === mobile.patientId)).toMatchObject({
      state: 'PENDING',
      batch: 2,
    });
    expect(clinic.sms.sent.map((m) => m.to)).toEqual([mobile.phone]);
  });

  it('stops at the hourly send cap and resumes the same batch next hour instead of failing offers', async () => {
    const clinic = await makeClinic({ SEND_CAP: '2' });
    await Promise.all([0, 1, 2].map((i) => clinic.addPatient({ boost: 10 - i })));
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    expect(clinic.sms.sent).toHaveLength(2);
    const offers = await clinic.store.listOffers(slot.slotId);
    expect(offers.map((o) => o.state)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(offers.filter((o) => o.notifiedAt)).toHaveLength(2);
    expect(await clinic.store.getSlot(slot.slotId)).toMatchObject({ currentBatch: 1, phase: 'SENDING' });
    await clinic.advance(60); // the next hour: the batch resumes and texts the third patient
    expect(clinic.sms.sent).toHaveLength(3);
    expect((await clinic.store.listOffers(slot.slotId)).every((o) => o.notifiedAt)).toBe(true);
    expect((await clinic.store.getSlot(slot.slotId))?.phase).toBe('HOLDING');
  });
});
