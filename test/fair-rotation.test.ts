import { describe, expect, it } from 'vitest';
import { makeClinic } from './support/clinic.js';

/**
 * Fair rotation: among patients whose scores are close (within FAIR_ROTATION_BAND points), those
 * offered least recently go first, so the same few never take every offer ("I never win"). A clearly
 * higher score (urgent +30) still goes first. DynamoDB Local, the real ranked index.
 */
let n = 0;
const sid = () => `SM${(++n).toString(16).padStart(32, 'd')}`;

describe('fair rotation within a score band', () => {
  it('the next slot goes to the equally ranked patients not offered yet, not the same two again', async () => {
    const clinic = await makeClinic({
      BATCH_SIZE: '2',
      MAX_OFFERS_PER_PATIENT_PER_DAY: '5',
      MAX_OFFERS_PER_PATIENT_PER_WEEK: '10',
      FAIR_ROTATION_BAND: '5',
    });
    const patients = [];
    for (let i = 0; i < 6; i++) patients.push(await clinic.addPatient({ boost: 10 + (i % 2) }));
    const first = await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    const firstOffered = (await clinic.store.listOffers(first.slotId)).map((o) => o.patientId);
    for (const p of patients.filter((p) => firstOffered.includes(p.patientId))) {
      await clinic.conversation.handleInbound({ messageSid: sid(), from: p.phone, body: 'NO' });
    }
    const second = await clinic.engine.logCancellation(clinic.slotInput(72));
    await clinic.advance(3);
    const secondOffered = (await clinic.store.listOffers(second.slotId)).map((o) => o.patientId);
    expect(secondOffered).toHaveLength(2);
    expect(secondOffered.filter((id) => firstOffered.includes(id))).toEqual([]);
  });

  it('a clearly higher score still goes first however recently it was offered', async () => {
    const clinic = await makeClinic({
      BATCH_SIZE: '1',
      MAX_OFFERS_PER_PATIENT_PER_DAY: '5',
      MAX_OFFERS_PER_PATIENT_PER_WEEK: '10',
      FAIR_ROTATION_BAND: '5',
    });
    const urgent = await clinic.addPatient({ urgent: true });
    await clinic.addPatient({ boost: 2 });
    const first = await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    expect((await clinic.store.listOffers(first.slotId))[0]?.patientId).toBe(urgent.patientId);
    await clinic.conversation.handleInbound({ messageSid: sid(), from: urgent.phone, body: 'NO' });
    const second = await clinic.engine.logCancellation(clinic.slotInput(72));
    await clinic.advance(3);
    expect((await clinic.store.listOffers(second.slotId))[0]?.patientId).toBe(urgent.patientId);
  });

  it('band 0 turns rotation off: pure rank order', async () => {
    const clinic = await makeClinic({
      BATCH_SIZE: '1',
      MAX_OFFERS_PER_PATIENT_PER_DAY: '5',
      MAX_OFFERS_PER_PATIENT_PER_WEEK: '10',
      FAIR_ROTATION_BAND: '0',
    });
    const top = await clinic.addPatient({ boost: 11 });
    await clinic.addPatient({ boost: 10 });
    const first = await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    await clinic.conversation.handleInbound({ messageSid: sid(), from: top.phone, body: 'NO' });
    const second = await clinic.engine.logCancellation(clinic.slotInput(72));
    await clinic.advance(3);
    expect((await clinic.store.listOffers(first.slotId))[0]?.patientId).toBe(top.patientId);
    expect((await clinic.store.listOffers(second.slotId))[0]?.patientId).toBe(top.patientId);
  });
});
