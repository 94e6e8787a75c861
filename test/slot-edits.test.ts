import { describe, expect, it } from 'vitest';
import { makeClinic } from './support/clinic.js';

/**
 * While a cancellation's first batch waits out the edit delay, staff can fix it (start, duration,
 * provider, location, visit type, batch size, hold) or send batch 1 at once. Once batch 1 is out an
 * edit is refused with the reason. DynamoDB Local, the real engine and scheduler.
 */
describe('editing a cancellation before its first batch', () => {
  it('fixes a typo during the delay; the first batch then offers the fixed slot', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    const patient = await clinic.addPatient();
    const slot = await clinic.engine.logCancellation(clinic.slotInput(48));
    const fixedStart = new Date(Date.parse(slot.startAt) + 60 * 60_000).toISOString();
    const edited = await clinic.engine.editWaitingSlot(slot.slotId, {
      startAt: fixedStart,
      providerId: 'prov-app',
      durationMinutes: 45,
      holdMinutes: 10,
    });
    expect(edited).toMatchObject({
      startAt: fixedStart,
      providerId: 'prov-app',
      durationMinutes: 45,
      holdMinutes: 10,
    });
    await clinic.advance(3);
    expect(clinic.sms.to(patient.phone)[0]?.body).toContain('Sam Ortiz PA');
  });

  it('refuses a bad edit naming the field, and changes nothing', async () => {
    const clinic = await makeClinic();
    const slot = await clinic.engine.logCancellation(clinic.slotInput(48));
    await expect(clinic.engine.editWaitingSlot(slot.slotId, { providerId: 'nobody' })).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(
      clinic.engine.editWaitingSlot(slot.slotId, {
        startAt: new Date(clinic.clock().getTime() + 30 * 60_000).toISOString(),
      }),
    ).rejects.toMatchObject({ name: 'ValidationError', fields: { startAt: expect.any(String) } });
    expect(await clinic.store.getSlot(slot.slotId)).toMatchObject({
      startAt: slot.startAt,
      providerId: slot.providerId,
    });
  });

  it('is refused with the reason once batch 1 has gone out', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    await clinic.addPatient();
    const slot = await clinic.engine.logCancellation(clinic.slotInput(48));
    await clinic.advance(3);
    await expect(clinic.engine.editWaitingSlot(slot.slotId, { durationMinutes: 60 })).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringMatching(/batch 1 has gone out/),
    });
  });

  it('"send the first batch now" skips the delay, once', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1', FIRST_BATCH_DELAY_MINUTES: '10' });
    const patient = await clinic.addPatient();
    const slot = await clinic.engine.logCancellation(clinic.slotInput(48));
    const sent = await clinic.engine.sendNextBatchNow(slot.slotId, 0);
    expect(sent).toMatchObject({ currentBatch: 1 });
    expect(clinic.sms.to(patient.phone)).toHaveLength(1);
    await expect(clinic.engine.sendNextBatchNow(slot.slotId, 0)).rejects.toMatchObject({
      name: 'ConflictError',
    });
    await clinic.advance(10); // the delayed schedule finds batch 1 already out
    expect((await clinic.store.getSlot(slot.slotId))?.currentBatch).toBe(1);
  });
});
