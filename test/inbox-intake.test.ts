import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeClinic } from './support/clinic.js';

/**
 * What the system cannot fully handle itself reaches a person: a qualified yes books nobody and is
 * answered once, "wrong number" opts the number out and flags the patient, and each lands in the
 * staff inbox (one item per message, even when Twilio retries). DynamoDB Local, the real conversation.
 */
type Clinic = Awaited<ReturnType<typeof makeClinic>>;
let n = 0;
const sid = () => `SM${(++n).toString(16).padStart(32, '0')}`;

async function inbox(clinic: Clinic) {
  const out = await clinic.doc.send(
    new QueryCommand({
      TableName: clinic.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :open',
      ExpressionAttributeValues: { ':open': 'INBOX#OPEN' },
    }),
  );
  return out.Items ?? [];
}

async function offered() {
  const clinic = await makeClinic({ BATCH_SIZE: '1' });
  const patient = await clinic.addPatient({ name: 'Maria' });
  const slot = await clinic.engine.logCancellation(clinic.slotInput());
  await clinic.advance(3);
  return { clinic, patient, slot };
}

describe('the staff inbox gets what the system cannot answer itself', () => {
  it('a yes with a condition books nobody, is answered once, and waits for staff', async () => {
    const { clinic, patient, slot } = await offered();
    const body = 'Yes but only if it is after 2pm';
    const first = await clinic.conversation.handleInbound({ messageSid: sid(), from: patient.phone, body });
    expect(first.outcome).toBe('QUALIFIED_HELPED_ONCE');
    expect(first.reply).toMatch(/reply YES/);
    expect((await clinic.store.getSlot(slot.slotId))?.status).toBe('OPEN');
    const second = await clinic.conversation.handleInbound({ messageSid: sid(), from: patient.phone, body });
    expect(second.reply).toBeUndefined();
    const items = await inbox(clinic);
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({
      reason: 'QUALIFIED_YES',
      patientId: patient.patientId,
      slotId: slot.slotId,
    });
    // The plain YES afterwards still books it.
    const yes = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'YES',
    });
    expect(yes.outcome).toBe('WON');
  });

  it('"this isn\'t Maria" opts the number out, flags the patient, apologises once, and reaches staff', async () => {
    const { clinic, patient, slot } = await offered();
    const messageSid = sid();
    const answer = await clinic.conversation.handleInbound({
      messageSid,
      from: patient.phone,
      body: "Sorry, this isn't Maria",
    });
    expect(answer.outcome).toBe('WRONG_NUMBER');
    expect(answer.reply).toMatch(/removed this number/);
    const after = await clinic.store.getPatient(patient.patientId);
    expect(after?.consent).toBe('OPTED_OUT');
    expect(after?.numberMayBeReassigned?.at).toBeDefined();
    expect((await clinic.store.listOffers(slot.slotId))[0]?.state).toBe('CANCELLED');
    // A Twilio retry of the same message adds nothing.
    await clinic.conversation.handleInbound({
      messageSid,
      from: patient.phone,
      body: "Sorry, this isn't Maria",
    });
    expect(await inbox(clinic)).toEqual([
      expect.objectContaining({ reason: 'WRONG_NUMBER', patientId: patient.patientId }),
    ]);
    // Saying it again is not answered again.
    const again = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'wrong number',
    });
    expect(again.reply).toBeUndefined();
  });

  it('a question, and a text from a number that is not a patient, wait for staff; a tapback and HELP do not', async () => {
    const { clinic, patient } = await offered();
    await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'Is there parking?',
    });
    await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'Liked “Reply YES”',
    });
    await clinic.conversation.handleInbound({ messageSid: sid(), from: patient.phone, body: 'HELP' });
    await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: '+13125559911',
      body: 'hi who is the doctor',
    });
    await clinic.conversation.handleInbound({ messageSid: sid(), from: '+13125559912', body: 'HELP' });
    const reasons = (await inbox(clinic)).map((i) => i.reason).sort();
    expect(reasons).toEqual(['UNKNOWN_REPLY', 'UNKNOWN_SENDER']);
  });
});
