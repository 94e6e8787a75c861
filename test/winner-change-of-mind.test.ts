import { describe, expect, it } from 'vitest';
import { slotTimeline } from '../shared/admin/views.js';
import { makeClinic } from './support/clinic.js';

/**
 * A patient who won a slot and then says they cannot come (NO, "can't make it") or opts out with
 * CANCEL is not met with silence: the patient is told what happens next, and staff are alerted and see
 * it on the slot, because the booking may now be empty. DynamoDB Local, the real conversation.
 */
async function winner() {
  const clinic = await makeClinic({ BATCH_SIZE: '2' });
  const patient = await clinic.addPatient({ urgent: true });
  await clinic.addPatient();
  const slot = await clinic.engine.logCancellation(clinic.slotInput());
  await clinic.advance(3);
  const won = await clinic.conversation.handleInbound({
    messageSid: `SM${'1'.repeat(32)}`,
    from: patient.phone,
    body: 'YES',
  });
  expect(won.outcome).toBe('WON');
  return { clinic, patient, slot };
}

describe("a winner's change of mind reaches staff", () => {
  it.each(['NO', "can't make it after all"])(
    '"%s" after winning: the patient hears what happens next, staff are told',
    async (body) => {
      const { clinic, patient, slot } = await winner();
      const answer = await clinic.conversation.handleInbound({
        messageSid: `SM${'2'.repeat(32)}`,
        from: patient.phone,
        body,
      });
      expect(answer.outcome).toBe('WINNER_CHANGED_MIND');
      expect(answer.reply).toMatch(/312-555-0100|call/i);
      expect(answer.reply).not.toMatch(/cancel/i);
      const after = await clinic.store.getSlot(slot.slotId);
      expect(after).toMatchObject({ status: 'FILLED', filledByPatientId: patient.patientId });
      expect(after?.winnerChangedMind).toMatchObject({ how: 'DECLINED' });
      expect(clinic.changeOfMindAlerts).toEqual([
        expect.objectContaining({ slotId: slot.slotId, how: 'DECLINED' }),
      ]);
      // The slot's timeline (Details page and board) says to call them.
      const timeline = slotTimeline(after as Parameters<typeof slotTimeline>[0], [], []);
      expect(timeline.at(-1)).toMatchObject({ kind: 'WINNER_CHANGED_MIND', patientId: patient.patientId });
      // Saying it twice alerts once.
      await clinic.conversation.handleInbound({
        messageSid: `SM${'3'.repeat(32)}`,
        from: patient.phone,
        body,
      });
      expect(clinic.changeOfMindAlerts).toHaveLength(1);
    },
  );

  it('CANCEL after winning opts out (the law says so) with one confirmation that says the visit stands, and staff are told', async () => {
    const { clinic, patient, slot } = await winner();
    const answer = await clinic.conversation.handleInbound({
      messageSid: `SM${'4'.repeat(32)}`,
      from: patient.phone,
      body: 'CANCEL',
    });
    expect(answer.outcome).toBe('OPTED_OUT');
    expect(answer.reply).toMatch(/no further messages/);
    expect(answer.reply).toMatch(/booked/);
    expect((await clinic.store.getPatient(patient.patientId))?.consent).toBe('OPTED_OUT');
    expect((await clinic.store.getSlot(slot.slotId))?.winnerChangedMind).toMatchObject({ how: 'OPTED_OUT' });
    expect(clinic.changeOfMindAlerts).toEqual([
      expect.objectContaining({ slotId: slot.slotId, how: 'OPTED_OUT' }),
    ]);
  });

  it('a NO from a patient who never won still just declines', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    const patient = await clinic.addPatient();
    await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    const answer = await clinic.conversation.handleInbound({
      messageSid: `SM${'5'.repeat(32)}`,
      from: patient.phone,
      body: 'NO',
    });
    expect(answer.outcome).toBe('DECLINED');
    expect(clinic.changeOfMindAlerts).toHaveLength(0);
  });
});
