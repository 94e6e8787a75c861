import { describe, expect, it } from 'vitest';
import { makeClinic } from './support/clinic.js';

describe('claims under real concurrency (DynamoDB Local)', () => {
  it('100 concurrent YES replies on one slot, 20 times: exactly one winner, every loser told it is taken', async () => {
    const clinic = await makeClinic({
      BATCH_SIZE: '50',
      MAX_OFFERS_PER_PATIENT_PER_DAY: '20',
      MAX_OFFERS_PER_PATIENT_PER_WEEK: '50',
    });
    const patients: Awaited<ReturnType<typeof clinic.addPatient>>[] = [];
    for (let i = 0; i < 100; i++) patients.push(await clinic.addPatient({ boost: i % 40 }));

    for (let trial = 0; trial < 20; trial++) {
      const slot = await clinic.engine.logCancellation(clinic.slotInput(48 + trial));
      await clinic.advance(3); // batch 1: 50 patients
      await clinic.advance(7); // batch 2: the other 50; batch 1's holds passed but they may still claim
      const offers = await clinic.store.listOffers(slot.slotId);
      expect(offers).toHaveLength(100);

      const outcomes = await Promise.all(patients.map((p) => clinic.engine.claim(p.patientId)));
      const winners = outcomes.filter((o) => o.kind === 'WON');
      expect(winners).toHaveLength(1);
      expect(outcomes.filter((o) => o.kind === 'TAKEN')).toHaveLength(99);
      const filled = await clinic.store.getSlot(slot.slotId);
      const winnerIndex = outcomes.findIndex((o) => o.kind === 'WON');
      expect(filled).toMatchObject({ status: 'FILLED', filledByPatientId: patients[winnerIndex]?.patientId });
      const states = (await clinic.store.listOffers(slot.slotId)).map((o) => o.state);
      expect(states.filter((s) => s === 'ACCEPTED')).toHaveLength(1);
      expect(states.filter((s) => s === 'PENDING')).toHaveLength(0);

      // Put the winner back on the list for the next trial.
      const winner = patients[winnerIndex];
      if (!winner) throw new Error('no winner');
      await clinic.waitlist.putEntry({ ...winner.entry, active: true }, winner, clinic.clock().toISOString());
    }
  }, 240_000);

  it('an opted-out patient never claims, even racing the opt-out', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '5' });
    const patients = await Promise.all([0, 1, 2, 3, 4].map(() => clinic.addPatient()));
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    const [optOut, ...others] = patients;
    if (!optOut) throw new Error('fixture');
    await clinic.store.recordConsentChange(optOut.patientId, {
      at: clinic.clock().toISOString(),
      state: 'OPTED_OUT',
      source: 'INBOUND_KEYWORD',
      evidence: 'STOP',
    });
    expect((await clinic.engine.claim(optOut.patientId)).kind).toBe('OPTED_OUT');
    expect((await clinic.store.getSlot(slot.slotId))?.status).toBe('OPEN');
    expect((await clinic.engine.claim(others[0]?.patientId as string)).kind).toBe('WON');
  });
});
