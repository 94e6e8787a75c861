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

describe('staff send the next batch without waiting for the hold', () => {
  it('texts the next batch now; the first batch can still claim, and the hold firing later changes nothing', async () => {
    const clinic = await makeClinic();
    const patients = await Promise.all(
      [0, 1, 2, 3, 4, 5, 6].map((i) => clinic.addPatient({ boost: 20 - i })),
    );
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    expect(clinic.sms.sent).toHaveLength(3);

    const after = await clinic.engine.sendNextBatchNow(slot.slotId, 1);
    expect(after).toMatchObject({ currentBatch: 2, phase: 'HOLDING', status: 'OPEN' });
    expect(clinic.sms.sent).toHaveLength(6);
    const offers = await clinic.store.listOffers(slot.slotId);
    expect(offers.filter((o) => o.batch === 1).map((o) => o.state)).toEqual([
      'EXPIRED',
      'EXPIRED',
      'EXPIRED',
    ]);
    expect(offers.filter((o) => o.batch === 2).map((o) => o.state)).toEqual([
      'PENDING',
      'PENDING',
      'PENDING',
    ]);

    // Batch 1's hold was still running: its schedule fires and finds batch 2 already out.
    await clinic.advance(4);
    expect(clinic.sms.sent).toHaveLength(6);
    expect((await clinic.store.getSlot(slot.slotId))?.currentBatch).toBe(2);

    // A first-batch patient who answers late still gets the slot.
    const early = patients[0];
    if (!early) throw new Error('fixture');
    expect((await clinic.engine.claim(early.patientId)).kind).toBe('WON');
  });

  it('advances once when staff click twice and the hold expires at the same moment', async () => {
    const clinic = await makeClinic();
    await Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => clinic.addPatient({ boost: 20 - i })));
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    await clinic.advance(7, 0); // the hold is over but its event not yet delivered
    const results = await Promise.allSettled([
      clinic.engine.sendNextBatchNow(slot.slotId, 1),
      clinic.engine.sendNextBatchNow(slot.slotId, 1),
      clinic.engine.startBatch({ slotId: slot.slotId, batch: 2 }),
    ]);
    // A click that loses the race is told why; none fails any other way.
    for (const result of results) {
      if (result.status === 'rejected') {
        expect(String(result.reason)).toMatch(/already gone out|being sent right now/);
      }
    }
    const offers = await clinic.store.listOffers(slot.slotId);
    expect(offers.filter((o) => o.batch === 2)).toHaveLength(3);
    expect(offers.filter((o) => o.batch === 3)).toHaveLength(0);
    expect(new Set(clinic.sms.sent.map((m) => m.to)).size).toBe(clinic.sms.sent.length);
    expect(clinic.sms.sent).toHaveLength(6);
  });

  it('a click from a board that still shows the old batch does not cut the new batch short', async () => {
    const clinic = await makeClinic();
    await Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => clinic.addPatient({ boost: 20 - i })));
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    await clinic.advance(7); // the hold ran out: batch 2 is out
    expect(clinic.sms.sent).toHaveLength(6);
    await expect(clinic.engine.sendNextBatchNow(slot.slotId, 1)).rejects.toThrow(
      'batch 2 has already gone out; reload to see it',
    );
    expect(clinic.sms.sent).toHaveLength(6);
    const offers = await clinic.store.listOffers(slot.slotId);
    expect(offers.filter((o) => o.batch === 2).every((o) => o.state === 'PENDING')).toBe(true);
  });

  it('refuses, and changes nothing, when nobody is left, outside contact hours, past the cutoff, or once filled', async () => {
    const clinic = await makeClinic();
    const patients = await Promise.all([0, 1, 2].map((i) => clinic.addPatient({ boost: 20 - i })));
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    const unchanged = async () => {
      expect(await clinic.store.getSlot(slot.slotId)).toMatchObject({
        status: 'OPEN',
        currentBatch: 1,
        phase: 'HOLDING',
      });
      expect((await clinic.store.listOffers(slot.slotId)).every((o) => o.state === 'PENDING')).toBe(true);
      expect(clinic.sms.sent).toHaveLength(3);
    };

    await expect(clinic.engine.sendNextBatchNow(slot.slotId, 1)).rejects.toThrow(
      'nobody else on the waitlist can take this slot; the patients already offered can still answer',
    );
    await unchanged();

    await clinic.addPatient({ boost: 1 });
    const hold = clinic.clock().toISOString();
    clinic.setNow('2026-11-24T03:00:00Z'); // 21:00 the evening before, in Chicago
    await expect(clinic.engine.sendNextBatchNow(slot.slotId, 1)).rejects.toThrow(
      /outside contact hours \(08:00-20:00\)/,
    );
    clinic.setNow(new Date(Date.parse(slot.startAt) - 60 * 60_000).toISOString()); // an hour before the visit
    await expect(clinic.engine.sendNextBatchNow(slot.slotId, 1)).rejects.toThrow(
      /offers stop 120 minutes before the visit/,
    );
    clinic.setNow(hold);
    await unchanged();

    const winner = patients[0];
    if (!winner) throw new Error('fixture');
    expect((await clinic.engine.claim(winner.patientId)).kind).toBe('WON');
    await expect(clinic.engine.sendNextBatchNow(slot.slotId, 1)).rejects.toThrow(/is FILLED/);
    await expect(clinic.engine.sendNextBatchNow('01JNOSUCHSLOT000000000000', 1)).rejects.toThrow(/slot/);
  });
});

describe("a slot's own batch size and hold", () => {
  it('offers as many patients as staff chose, holds for as long as they chose, and the next batch follows suit', async () => {
    const clinic = await makeClinic(); // the clinic's settings: batches of 3, a 7-minute hold
    await Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => clinic.addPatient({ boost: 20 - i })));
    const slot = await clinic.engine.logCancellation({ ...clinic.slotInput(), batchSize: 5, holdMinutes: 3 });
    expect(slot).toMatchObject({ batchSize: 5, holdMinutes: 3 });
    await clinic.advance(3);
    expect(clinic.sms.sent).toHaveLength(5);
    const held = await clinic.store.getSlot(slot.slotId);
    expect(Date.parse(held?.holdExpiresAt ?? '') - clinic.clock().getTime()).toBe(3 * 60_000);
    await clinic.advance(3);
    expect(clinic.sms.sent).toHaveLength(10);
    expect((await clinic.store.getSlot(slot.slotId))?.currentBatch).toBe(2);
  });

  it("refuses a batch size over the clinic's limit, a hold under three minutes, and anything not whole", async () => {
    const clinic = await makeClinic({ MAX_SLOT_BATCH_SIZE: '6' });
    for (const [tuning, field] of [
      [{ batchSize: 7 }, 'batchSize'],
      [{ batchSize: 0 }, 'batchSize'],
      [{ batchSize: 2.5 }, 'batchSize'],
      [{ holdMinutes: 2 }, 'holdMinutes'],
      [{ holdMinutes: Number.NaN }, 'holdMinutes'],
    ] as const) {
      const attempt = clinic.engine.logCancellation({ ...clinic.slotInput(), ...tuning });
      await expect(attempt).rejects.toMatchObject({
        name: 'ValidationError',
        fields: { [field]: expect.any(String) },
      });
    }
    expect(await clinic.store.listOpenSlots()).toHaveLength(0);
  });
});
