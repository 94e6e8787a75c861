import { describe, expect, it } from 'vitest';
import { holdScheduleName } from '../shared/engine/offer-engine.js';
import { makeClinic } from './support/clinic.js';

describe('duplicate hold-expiry deliveries', () => {
  it('advances the slot once when the same event is delivered three times in a row', async () => {
    const clinic = await makeClinic();
    await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => clinic.addPatient({ boost: 20 - i })));
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3, 3);
    expect(clinic.sms.sent).toHaveLength(3);
    await clinic.advance(7, 3);
    expect(clinic.sms.sent).toHaveLength(6);
    expect(await clinic.store.getSlot(slot.slotId)).toMatchObject({ currentBatch: 2, phase: 'HOLDING' });
    const held = await clinic.store.getSlot(slot.slotId);
    expect(clinic.scheduler.pending().map((s) => s.name)).toEqual([
      holdScheduleName(slot.slotId, 3, held?.holdExpiresAt),
    ]);
  });

  it('advances the slot once when three deliveries arrive at the same moment', async () => {
    const clinic = await makeClinic();
    await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => clinic.addPatient({ boost: 20 - i })));
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    await clinic.advance(7, 0); // move the clock past the hold without delivering
    const event = { slotId: slot.slotId, batch: 2 };
    await Promise.all([
      clinic.engine.startBatch(event),
      clinic.engine.startBatch(event),
      clinic.engine.startBatch(event),
    ]);
    expect(clinic.sms.sent).toHaveLength(6);
    const offers = await clinic.store.listOffers(slot.slotId);
    expect(offers.filter((o) => o.batch === 2)).toHaveLength(3);
    // A late replay of an old event changes nothing.
    await clinic.engine.startBatch({ slotId: slot.slotId, batch: 1 });
    await clinic.engine.startBatch(event);
    expect(clinic.sms.sent).toHaveLength(6);
  });

  it('finishes a batch whose sender died mid-way once its lease has run out, texting only who was missed', async () => {
    const clinic = await makeClinic();
    const patients = await Promise.all([0, 1, 2].map((i) => clinic.addPatient({ boost: 10 - i })));
    const stuck = patients[1];
    if (!stuck) throw new Error('fixture');
    clinic.sms.hangFor.add(stuck.phone);
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    void clinic.engine.startBatch({ slotId: slot.slotId, batch: 1 }); // this sender "dies" on one send
    for (let i = 0; i < 100 && clinic.sms.sent.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(clinic.sms.sent).toHaveLength(2);
    expect((await clinic.store.getSlot(slot.slotId))?.phase).toBe('SENDING');

    // A redelivery inside the lease does nothing; after it, the batch is finished.
    clinic.sms.hangFor.clear();
    await clinic.engine.startBatch({ slotId: slot.slotId, batch: 1 });
    expect(clinic.sms.sent).toHaveLength(2);
    clinic.setNow(new Date(clinic.clock().getTime() + 3 * 60_000).toISOString());
    await clinic.engine.startBatch({ slotId: slot.slotId, batch: 1 });
    expect(clinic.sms.sent.map((m) => m.to)).toEqual(expect.arrayContaining([stuck.phone]));
    expect(clinic.sms.sent).toHaveLength(3);
    expect((await clinic.store.getSlot(slot.slotId))?.phase).toBe('HOLDING');
  });

  it('the sweep restarts a slot whose schedules were lost, and leaves healthy slots alone', async () => {
    const clinic = await makeClinic();
    await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => clinic.addPatient({ boost: 20 - i })));
    const waiting = await clinic.engine.logCancellation(clinic.slotInput(48));
    const holding = await clinic.engine.logCancellation(clinic.slotInput(50));
    await clinic.engine.startBatch({ slotId: holding.slotId, batch: 1 });
    for (const s of clinic.scheduler.pending()) await clinic.scheduler.cancel(s.name); // every schedule lost
    expect(await clinic.engine.sweepStalledSlots()).toEqual([]); // nothing is overdue yet
    await clinic.advance(12); // past the first-batch delay and the hold, plus the grace
    const restarted = await clinic.engine.sweepStalledSlots();
    expect(restarted.sort()).toEqual([waiting.slotId, holding.slotId].sort());
    expect((await clinic.store.getSlot(waiting.slotId))?.currentBatch).toBe(1);
    expect((await clinic.store.getSlot(holding.slotId))?.currentBatch).toBe(2);
    expect(await clinic.engine.sweepStalledSlots()).toEqual([]);
  });
});
