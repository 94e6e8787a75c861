import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { SmsSendError } from '../shared/ports.js';
import { makeClinic, ZONE } from './support/clinic.js';

/**
 * A batch that resumes (after a provider outage, the hourly cap or a crash) gets a fresh hold: the
 * offers texted only now carry it, their text shows it, and the first hold's schedule no longer cuts
 * it short. DynamoDB Local and the in-process scheduler on a moved clock.
 */
const heldTill = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toFormat('h:mma');

describe('a resumed batch holds from when it is really texted', () => {
  it('after a provider outage, the texts show the new hold and the old hold changes nothing', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '2', HOLD_MINUTES: '7' });
    const patients = await Promise.all([0, 1, 2, 3].map((i) => clinic.addPatient({ boost: 30 - i })));
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    for (const p of patients) clinic.sms.failFor.set(p.phone, new SmsSendError('Twilio 503', '503', false));
    await clinic.advance(3); // batch 1 chosen; its texts are deferred
    const firstHold = (await clinic.store.getSlot(slot.slotId))?.holdExpiresAt as string;
    expect(clinic.sms.sent).toHaveLength(0);

    clinic.sms.failFor.clear(); // the provider is back
    await clinic.advance(5); // the retry resumes the batch
    const resumed = await clinic.store.getSlot(slot.slotId);
    expect(resumed).toMatchObject({ currentBatch: 1, phase: 'HOLDING' });
    const newHold = resumed?.holdExpiresAt as string;
    expect(Date.parse(newHold)).toBeGreaterThan(Date.parse(firstHold));
    expect(Date.parse(newHold)).toBeGreaterThanOrEqual(clinic.clock().getTime() + 6 * 60_000);
    expect(clinic.sms.sent).toHaveLength(2);
    for (const text of clinic.sms.sent) {
      expect(text.body).toContain(`Held till ${heldTill(newHold)}`);
      expect(Date.parse(newHold)).toBeGreaterThan(clinic.clock().getTime());
    }
    for (const offer of await clinic.store.listOffers(slot.slotId)) {
      expect(offer.holdExpiresAt).toBe(newHold);
    }

    // The first hold's moment passes: batch 1 is still holding.
    clinic.setNow(new Date(Date.parse(firstHold) + 30_000).toISOString());
    await clinic.advance(0);
    expect((await clinic.store.getSlot(slot.slotId))?.currentBatch).toBe(1);
    expect((await clinic.store.listOffers(slot.slotId)).map((o) => o.state)).toEqual(['PENDING', 'PENDING']);

    // The new hold ends: batch 2 goes out.
    clinic.setNow(new Date(Date.parse(newHold) + 1_000).toISOString());
    await clinic.advance(0);
    expect((await clinic.store.getSlot(slot.slotId))?.currentBatch).toBe(2);
  });
});

describe('an offer text is never sent for a slot that closed a moment earlier', () => {
  it('the slot is re-checked right before the send, and the unsent offer gives back its cap', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1', MAX_OFFERS_PER_PATIENT_PER_DAY: '1' });
    const patient = await clinic.addPatient();
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    // Staff fill it by phone after the offer was written and before its text goes out.
    let armed = false;
    const store = new Proxy(clinic.store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === 'createOffer') {
          return async (input: Parameters<typeof target.createOffer>[0]) => {
            const created = await target.createOffer(input);
            armed = true;
            return created;
          };
        }
        if (prop === 'getPatient') {
          return async (patientId: string) => {
            const read = await target.getPatient(patientId);
            if (armed) {
              armed = false;
              await target.closeSlot({
                slotId: slot.slotId,
                to: 'WITHDRAWN',
                now: read?.createdAt ?? '',
                reason: 'test',
              });
            }
            return read;
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const { OfferEngine } = await import('../shared/engine/offer-engine.js');
    const engine = new OfferEngine({
      store,
      scheduler: clinic.scheduler,
      sms: clinic.sms,
      clock: clinic.clock,
      policy: clinic.policy,
    });
    clinic.setNow(new Date(clinic.clock().getTime() + 3 * 60_000).toISOString());
    await engine.startBatch({ slotId: slot.slotId, batch: 1 });
    expect(clinic.sms.sent).toHaveLength(0);
    expect((await clinic.store.listOffers(slot.slotId))[0]?.state).toBe('CANCELLED');
    const after = await clinic.store.getPatient(patient.patientId);
    expect(after?.liveOfferSlotId).toBeUndefined();
    // The text never went out, so today's one offer is still theirs to get.
    expect(after?.recentOfferTimes).toEqual([]);
  });
});

describe('a slot whose candidates are all busy waits for them', () => {
  it('when every eligible patient holds another slot’s offer, the slot waits and offers them once they are free', async () => {
    const clinic = await makeClinic({
      BATCH_SIZE: '1',
      HOLD_MINUTES: '7',
      MAX_OFFERS_PER_PATIENT_PER_DAY: '3',
    });
    const patient = await clinic.addPatient();
    const a = await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3); // A offers the only patient
    const b = await clinic.engine.logCancellation(clinic.slotInput(72));
    await clinic.advance(3); // B's first batch: the patient holds A's offer
    expect(await clinic.store.getSlot(b.slotId)).toMatchObject({ status: 'OPEN', currentBatch: 0 });
    // The patient passes on A: B offers them at its next look.
    await clinic.conversation.handleInbound({
      messageSid: `SM${'6'.repeat(32)}`,
      from: patient.phone,
      body: 'NO',
    });
    await clinic.advance(8);
    expect(await clinic.store.getSlot(b.slotId)).toMatchObject({ status: 'OPEN', currentBatch: 1 });
    expect(clinic.sms.to(patient.phone).filter((m) => m.body.includes('Opening'))).toHaveLength(2);
    expect((await clinic.store.getSlot(a.slotId))?.status).toBe('EXPIRED');
  });

  it('a slot whose candidates stay busy expires at its cutoff, not before', async () => {
    const clinic = await makeClinic({
      BATCH_SIZE: '1',
      HOLD_MINUTES: '30',
      OFFER_CUTOFF_MINUTES: '60',
      MIN_NOTICE_MINUTES: '60',
    });
    await clinic.addPatient();
    await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    const b = await clinic.engine.logCancellation(clinic.slotInput(2)); // starts in 2 h, cutoff in 1 h
    await clinic.advance(3);
    expect((await clinic.store.getSlot(b.slotId))?.status).toBe('OPEN');
    for (let i = 0; i < 6; i++) await clinic.advance(10);
    expect(await clinic.store.getSlot(b.slotId)).toMatchObject({ status: 'EXPIRED' });
  });
});

describe('a slot that can never be offered is refused when it is logged', () => {
  it('starting inside the offer cutoff (after the first-batch delay) is a 400-class refusal naming startAt', async () => {
    const clinic = await makeClinic({ OFFER_CUTOFF_MINUTES: '120', FIRST_BATCH_DELAY_MINUTES: '3' });
    const tooSoon = {
      ...clinic.slotInput(1),
      startAt: new Date(clinic.clock().getTime() + 122 * 60_000).toISOString(),
    };
    await expect(clinic.engine.logCancellation(tooSoon)).rejects.toMatchObject({
      name: 'ValidationError',
      fields: { startAt: expect.stringMatching(/120 minutes/) },
    });
    expect(await clinic.store.listOpenSlots()).toEqual([]);
    const justInTime = {
      ...clinic.slotInput(1),
      startAt: new Date(clinic.clock().getTime() + 130 * 60_000).toISOString(),
    };
    expect((await clinic.engine.logCancellation(justInTime)).status).toBe('OPEN');
  });
});

describe('the slot says what it waits for', () => {
  it('the first batch, then a provider outage, leave their reason and time; a batch under way clears it', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    const patient = await clinic.addPatient();
    const slot = await clinic.engine.logCancellation(clinic.slotInput(48));
    expect((await clinic.store.getSlot(slot.slotId))?.nextStep).toMatchObject({ kind: 'FIRST_BATCH' });
    clinic.sms.failFor.set(patient.phone, new SmsSendError('Twilio 503', '503', false));
    await clinic.advance(3);
    expect((await clinic.store.getSlot(slot.slotId))?.nextStep).toMatchObject({ kind: 'PROVIDER_RETRY' });
    clinic.sms.failFor.clear();
    await clinic.advance(5);
    const holding = await clinic.store.getSlot(slot.slotId);
    expect(holding).toMatchObject({ phase: 'HOLDING' });
    expect(holding?.nextStep).toBeUndefined();
  });

  it("a batch held back by the clinic's hourly cap says so, until the hour turns", async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '2', SEND_CAP: '1' });
    await Promise.all([0, 1].map((i) => clinic.addPatient({ boost: 10 - i })));
    const slot = await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    const step = (await clinic.store.getSlot(slot.slotId))?.nextStep;
    expect(step?.kind).toBe('HOURLY_CAP');
    expect(DateTime.fromISO(step?.at as string).minute).toBe(0);
  });

  it('a batch due at night waits for contact hours and says until when', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    await clinic.addPatient();
    clinic.setNow(DateTime.fromISO('2026-11-24T22:00', { zone: ZONE }).toUTC().toISO() as string);
    const slot = await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    const step = (await clinic.store.getSlot(slot.slotId))?.nextStep;
    expect(step?.kind).toBe('CONTACT_HOURS');
    expect(DateTime.fromISO(step?.at as string, { zone: ZONE }).toFormat('HH:mm')).toBe('08:00');
  });
});
