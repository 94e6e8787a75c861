import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { OutboundSms, SmsPort } from '../shared/ports.js';
import { SmsSendError } from '../shared/ports.js';
import { makeClinic, ZONE } from './support/clinic.js';

/**
 * A YES means the slot whose text the patient last received. A newer offer whose text has not been
 * accepted by the provider yet (held back by the hourly cap, an outage, or just the gap between writing
 * the offer and sending it) must neither take the older slot away nor be what the YES books.
 * DynamoDB Local, the real engine and conversation; the SMS port decides when a text "reaches" Twilio.
 */

/** The visit's day as the confirmation prints it (clinic time). */
function visitDay(iso: string): string {
  return DateTime.fromISO(iso, { zone: ZONE }).toFormat('ccc LLL d');
}

async function patientOfferedAThenB() {
  const clinic = await makeClinic({ BATCH_SIZE: '1', MAX_OFFERS_PER_PATIENT_PER_DAY: '3' });
  const patient = await clinic.addPatient({ urgent: true });
  // Keeps A open after the patient's hold (A's batch 2 goes to them); they do not want B's provider.
  await clinic.addPatient({ preferences: { providerIds: ['prov-lee'] } });
  const a = await clinic.engine.logCancellation(clinic.slotInput(48));
  await clinic.advance(3); // A's text goes out
  await clinic.advance(7); // A's hold passes: the patient may still claim A
  expect(clinic.sms.to(patient.phone)).toHaveLength(1);
  expect((await clinic.store.getSlot(a.slotId))?.status).toBe('OPEN');
  const b = await clinic.engine.logCancellation(clinic.slotInput(96, { providerId: 'prov-app' }));
  return { clinic, patient, a, b };
}

describe('a YES books the slot whose text the patient last received', () => {
  it('while the newer offer text is held back by a provider outage, YES books the older slot and says so', async () => {
    const { clinic, patient, a, b } = await patientOfferedAThenB();
    clinic.sms.failFor.set(patient.phone, new SmsSendError('Twilio 503', '503', false));
    await clinic.advance(3); // B's batch picks the patient; its text is deferred
    const offerB = (await clinic.store.listOffers(b.slotId)).find((o) => o.patientId === patient.patientId);
    expect(offerB?.state).toBe('PENDING');
    expect(clinic.sms.to(patient.phone)).toHaveLength(1); // still only A's text

    const answer = await clinic.conversation.handleInbound({
      messageSid: 'SMyesForA',
      from: patient.phone,
      body: 'YES',
    });
    expect(answer.outcome).toBe('WON');
    expect((await clinic.store.getSlot(a.slotId))?.filledByPatientId).toBe(patient.patientId);
    expect((await clinic.store.getSlot(b.slotId))?.status).toBe('OPEN');
    expect(answer.reply).toContain(visitDay(a.startAt));
    expect(answer.reply).not.toContain(visitDay(b.startAt));
    // The booked patient is no longer offered B, and B is never texted to them.
    const afterB = (await clinic.store.listOffers(b.slotId)).find((o) => o.patientId === patient.patientId);
    expect(afterB).toMatchObject({ state: 'CANCELLED', closedReason: 'PATIENT_BOOKED' });
    clinic.sms.failFor.clear();
    await clinic.advance(6);
    expect(clinic.sms.to(patient.phone)).toHaveLength(1);
    expect((await clinic.store.getPatient(patient.patientId))?.liveOfferSlotId).toBeUndefined();
  });

  it('once the newer text has gone out, YES books the newer slot and the older one is no longer theirs', async () => {
    const { clinic, patient, a, b } = await patientOfferedAThenB();
    await clinic.advance(3); // B's text goes out
    expect(clinic.sms.to(patient.phone)).toHaveLength(2);
    const answer = await clinic.conversation.handleInbound({
      messageSid: 'SMyesForB',
      from: patient.phone,
      body: 'YES',
    });
    expect(answer.outcome).toBe('WON');
    expect((await clinic.store.getSlot(b.slotId))?.filledByPatientId).toBe(patient.patientId);
    expect((await clinic.store.getSlot(a.slotId))?.status).toBe('OPEN');
    expect(answer.reply).toContain(visitDay(b.startAt));
    // A's claim right went when B's text was accepted: a stale claim on A cannot win.
    expect(
      (await clinic.store.claimSlot(a.slotId, patient.patientId, clinic.clock().toISOString())).won,
    ).toBe(false);
  });

  it('a YES for the older slot racing the newer text books the older slot, never both', async () => {
    const { clinic, patient, a, b } = await patientOfferedAThenB();
    // The patient's YES (for A) is handled while B's text is being accepted by Twilio, before the
    // engine has recorded that it went out.
    const realSend = clinic.sms.send.bind(clinic.sms);
    let answer: Awaited<ReturnType<typeof clinic.conversation.handleInbound>> | undefined;
    const racing: SmsPort = {
      send: async (message: OutboundSms) => {
        const receipt = await realSend(message);
        if (message.to === patient.phone && !answer) {
          answer = await clinic.conversation.handleInbound({
            messageSid: 'SMyesRacing',
            from: patient.phone,
            body: 'YES',
          });
        }
        return receipt;
      },
    };
    clinic.sms.send = racing.send;
    await clinic.advance(3);
    expect(answer?.outcome).toBe('WON');
    expect(answer?.reply).toContain(visitDay(a.startAt));
    expect((await clinic.store.getSlot(a.slotId))?.filledByPatientId).toBe(patient.patientId);
    const slotB = await clinic.store.getSlot(b.slotId);
    expect(slotB?.filledByPatientId).toBeUndefined();
    const offerB = (await clinic.store.listOffers(b.slotId)).find((o) => o.patientId === patient.patientId);
    expect(offerB).toMatchObject({ state: 'CANCELLED', closedReason: 'PATIENT_BOOKED' });
    // A second YES (meaning B's text) cannot book B as well.
    const again = await clinic.conversation.handleInbound({
      messageSid: 'SMyesAgain',
      from: patient.phone,
      body: 'YES',
    });
    expect(again.outcome).toBe('WON'); // still the winner of A
    expect((await clinic.store.getSlot(b.slotId))?.filledByPatientId).toBeUndefined();
  });

  it('a patient who was never texted cannot claim a slot whose offer text is still waiting', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    const patient = await clinic.addPatient();
    const slot = await clinic.engine.logCancellation(clinic.slotInput(48));
    clinic.sms.failFor.set(patient.phone, new SmsSendError('Twilio 503', '503', false));
    await clinic.advance(3);
    const answer = await clinic.conversation.handleInbound({
      messageSid: 'SMyesUnsent',
      from: patient.phone,
      body: 'YES',
    });
    expect(answer.outcome).toBe('NO_OFFER');
    expect((await clinic.store.getSlot(slot.slotId))?.status).toBe('OPEN');
  });
});
