import { describe, expect, it } from 'vitest';
import { OfferEngine } from '../shared/engine/offer-engine.js';
import type { OfferStore } from '../shared/engine/offer-store.js';
import { SmsSendError } from '../shared/ports.js';
import { makeClinic } from './support/clinic.js';

/**
 * Interleavings a reviewer found, each forced at the exact point where it can happen. The store and
 * scheduler are the real ones (DynamoDB Local, the in-process scheduler); a thin wrapper only decides
 * *when* another actor steps in, or injects the fault a real outage would raise.
 */
type Clinic = Awaited<ReturnType<typeof makeClinic>>;

function engineWith(
  clinic: Clinic,
  store: OfferStore,
  overrides: Partial<ConstructorParameters<typeof OfferEngine>[0]> = {},
) {
  return new OfferEngine({
    store,
    scheduler: clinic.scheduler,
    sms: clinic.sms,
    clock: clinic.clock,
    policy: clinic.policy,
    ...overrides,
  });
}

/** The real store, with one method wrapped. */
function interceptStore<K extends keyof OfferStore>(
  store: OfferStore,
  method: K,
  wrap: (real: OfferStore[K]) => OfferStore[K],
): OfferStore {
  const real = (store[method] as (...args: unknown[]) => unknown).bind(store) as OfferStore[K];
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === method) return wrap(real);
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('engine under hostile interleavings', () => {
  it('a batch whose sender dies after taking it (before any hold exists) is finished once the lease runs out', async () => {
    const clinic = await makeClinic();
    await Promise.all([0, 1, 2].map((i) => clinic.addPatient({ boost: 10 - i })));
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    let crashes = 1;
    const crashing = interceptStore(clinic.store, 'createOffer', (real) => async (input) => {
      if (crashes-- > 0) throw new Error('DynamoDB throttled (simulated)');
      return real(input);
    });
    clinic.setNow(new Date(clinic.clock().getTime() + 3 * 60_000).toISOString());
    await expect(engineWith(clinic, crashing).startBatch({ slotId: slot.slotId, batch: 1 })).rejects.toThrow(
      /throttled/,
    );
    // Lambda's async retry a minute later, still inside the lease: it must leave a way forward.
    clinic.setNow(new Date(clinic.clock().getTime() + 60_000).toISOString());
    await clinic.engine.startBatch({ slotId: slot.slotId, batch: 1 });
    expect(clinic.scheduler.pending().some((s) => s.name.includes('-after'))).toBe(true);
    await clinic.advance(3); // past the lease: the come-back fires and finishes batch 1
    expect(clinic.sms.sent).toHaveLength(3);
    expect(await clinic.store.getSlot(slot.slotId)).toMatchObject({ currentBatch: 1, phase: 'HOLDING' });
  });

  it('a NO whose hand-off failed still moves the slot on when Twilio retries it', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1', ADVANCE_MODE: 'handoff' });
    const [first, second] = await Promise.all([0, 1].map((i) => clinic.addPatient({ boost: 10 - i })));
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    let failures = 1;
    const flaky = {
      scheduleOnce: async (input: Parameters<Clinic['scheduler']['scheduleOnce']>[0]) => {
        if (input.name.endsWith('-early') && failures-- > 0)
          throw new Error('Scheduler throttled (simulated)');
        return clinic.scheduler.scheduleOnce(input);
      },
      cancel: (name: string) => clinic.scheduler.cancel(name),
    };
    const engine = engineWith(clinic, clinic.store, { scheduler: flaky, advanceMode: 'handoff' });
    await expect(engine.decline(first?.patientId as string)).rejects.toThrow(/throttled/);
    expect(await engine.decline(first?.patientId as string)).toMatchObject({ kind: 'DECLINED' });
    await clinic.advance(0);
    expect(clinic.sms.to(second?.phone as string)).toHaveLength(1);
    expect((await clinic.store.getSlot(slot.slotId))?.currentBatch).toBe(2);
  });

  it('an offer created while the slot was being withdrawn is closed, not texted, and frees the patient', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    const patient = await clinic.addPatient();
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    // Withdraw lands between the offer's writes: its listing of live offers saw none.
    const racing = interceptStore(clinic.store, 'createOffer', (real) => async (input) => {
      const result = await real(input);
      await clinic.store.closeSlot({
        slotId: input.slot.slotId,
        to: 'WITHDRAWN',
        now: input.now,
        reason: 'test',
      });
      return result;
    });
    clinic.setNow(new Date(clinic.clock().getTime() + 3 * 60_000).toISOString());
    await engineWith(clinic, racing).startBatch({ slotId: slot.slotId, batch: 1 });
    expect(clinic.sms.sent).toHaveLength(0);
    expect((await clinic.store.listOffers(slot.slotId))[0]).toMatchObject({
      state: 'CANCELLED',
      closedReason: 'SLOT_CLOSED',
    });
    expect((await clinic.store.getPatient(patient.patientId))?.liveOfferSlotId).toBeUndefined();
  });

  it('a patient who wins an older slot while a new batch picks them is not offered the new one', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1', MAX_OFFERS_PER_PATIENT_PER_DAY: '3' });
    const patient = await clinic.addPatient({ urgent: true });
    await clinic.addPatient();
    const a = await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    await clinic.advance(7); // A's hold passes: the patient may still claim A
    const b = await clinic.engine.logCancellation(clinic.slotInput(72));
    const racing = interceptStore(clinic.store, 'createOffer', (real) => async (input) => {
      // The patient's YES for A lands after B's batch chose them and before B's offer exists.
      if (input.patient.patientId === patient.patientId)
        await clinic.store.claimSlot(a.slotId, patient.patientId, input.now);
      return real(input);
    });
    clinic.setNow(new Date(clinic.clock().getTime() + 3 * 60_000).toISOString());
    await engineWith(clinic, racing).startBatch({ slotId: b.slotId, batch: 1 });
    expect((await clinic.store.getSlot(a.slotId))?.filledByPatientId).toBe(patient.patientId);
    const offerB = (await clinic.store.listOffers(b.slotId)).find((o) => o.patientId === patient.patientId);
    expect(offerB).toMatchObject({ state: 'CANCELLED', closedReason: 'PATIENT_BOOKED' });
    expect(clinic.sms.to(patient.phone)).toHaveLength(1); // only A's offer, never B's
  });

  it('an outage at the provider defers the batch instead of failing every patient', async () => {
    const clinic = await makeClinic();
    const patients = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => clinic.addPatient({ boost: 10 - i })));
    for (const p of patients)
      clinic.sms.failFor.set(p.phone, new SmsSendError('authenticate', '20003', false));
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    const offers = await clinic.store.listOffers(slot.slotId);
    expect(offers.map((o) => o.state)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(await clinic.store.getSlot(slot.slotId)).toMatchObject({
      status: 'OPEN',
      currentBatch: 1,
      phase: 'SENDING',
    });
    clinic.sms.failFor.clear(); // the provider is back
    await clinic.advance(5);
    expect(clinic.sms.sent).toHaveLength(3);
    expect((await clinic.store.getSlot(slot.slotId))?.phase).toBe('HOLDING');
  });

  it('two STOPs at the same moment opt out once and confirm once', async () => {
    const clinic = await makeClinic();
    const patient = await clinic.addPatient();
    const replies = await Promise.all(
      ['STOP', 'stop texting me', 'UNSUBSCRIBE'].map((body, i) =>
        clinic.conversation.handleInbound({ messageSid: `SMstop${i}`, from: patient.phone, body }),
      ),
    );
    expect(replies.filter((r) => r.reply?.includes('no further messages'))).toHaveLength(1);
  });

  it('a copy of an inbound SMS arriving while the first is still being handled does not act twice', async () => {
    const clinic = await makeClinic();
    const patient = await clinic.addPatient();
    const sms = { messageSid: 'SMsame', from: patient.phone, body: 'STOP' };
    const [a, b] = await Promise.all([
      clinic.conversation.handleInbound(sms),
      clinic.conversation.handleInbound(sms),
    ]);
    const outcomes = [a.outcome, b.outcome].sort();
    expect(outcomes).toContain('OPTED_OUT');
    expect(['IN_FLIGHT', 'REPLAYED']).toContain(outcomes.find((o) => o !== 'OPTED_OUT'));
  });

  it('two slots offering the same patient from one stale profile cannot both pass the caps', async () => {
    const clinic = await makeClinic({ MAX_OFFERS_PER_PATIENT_PER_DAY: '1' });
    const patient = await clinic.addPatient();
    const a = await clinic.engine.logCancellation(clinic.slotInput(48));
    const b = await clinic.engine.logCancellation(clinic.slotInput(50));
    const now = clinic.clock().toISOString();
    const stale = await clinic.store.getPatient(patient.patientId);
    if (!stale) throw new Error('fixture');
    const open = async (slotId: string) => {
      await clinic.store.beginBatch({ slotId, batch: 1, now, leaseUntil: now, holdExpiresAt: now });
      return (await clinic.store.getSlot(slotId)) as NonNullable<
        Awaited<ReturnType<typeof clinic.store.getSlot>>
      >;
    };
    expect(
      await clinic.store.createOffer({
        slot: await open(a.slotId),
        patient: stale,
        batch: 1,
        now,
        holdExpiresAt: now,
      }),
    ).toBe('CREATED');
    // A's offer closes (the patient said no), so no live offer blocks B: only the cap check can.
    await clinic.store.closeOffer({
      slotId: a.slotId,
      patientId: patient.patientId,
      from: ['PENDING'],
      to: 'DECLINED',
      now,
      reason: 'test',
    });
    expect(
      await clinic.store.createOffer({
        slot: await open(b.slotId),
        patient: stale,
        batch: 1,
        now,
        holdExpiresAt: now,
      }),
    ).toBe('PATIENT_UNAVAILABLE');
    expect((await clinic.store.getPatient(patient.patientId))?.recentOfferTimes).toHaveLength(1);
  });
});
