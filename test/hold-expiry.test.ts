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
    expect(clinic.scheduler.pending().map((s) => s.name)).toEqual([holdScheduleName(slot.slotId, 3)]);
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
});
