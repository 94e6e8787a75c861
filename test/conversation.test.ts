import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { makeClinic } from './support/clinic.js';

let sidCounter = 0;
const sid = () => `SM${String(++sidCounter).padStart(32, '0')}`;

async function clinicWithOffers(overrides: Record<string, string> = {}) {
  const clinic = await makeClinic({ ADVANCE_MODE: 'handoff', ...overrides });
  const patients = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => clinic.addPatient({ boost: 30 - i })));
  const slot = await clinic.engine.logCancellation(clinic.slotInput());
  await clinic.advance(3);
  const offered = patients.slice(0, 3);
  const waiting = patients.slice(3);
  return { clinic, slot, offered, waiting, patients };
}

async function consentHistory(clinic: Awaited<ReturnType<typeof makeClinic>>, patientId: string) {
  const out = await clinic.doc.send(
    new QueryCommand({
      TableName: clinic.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
      ExpressionAttributeValues: { ':pk': `PATIENT#${patientId}`, ':c': 'CONSENT#' },
    }),
  );
  return out.Items ?? [];
}

describe('SMS conversation', () => {
  it('a YES claims, is recorded before it acts, and a repeated MessageSid gets the same answer', async () => {
    const { clinic, slot, offered } = await clinicWithOffers();
    const [patient] = offered;
    if (!patient) throw new Error('fixture');
    const messageSid = sid();
    const first = await clinic.conversation.handleInbound({
      messageSid,
      from: patient.phone,
      body: 'Yes!! 👍',
    });
    expect(first.outcome).toBe('WON');
    expect(first.reply).toMatch(/^Lakeside: You're booked .* with Dr\. Lee at Main St/);
    const again = await clinic.conversation.handleInbound({
      messageSid,
      from: patient.phone,
      body: 'Yes!! 👍',
    });
    expect(again).toMatchObject({ reply: first.reply, intent: 'DUPLICATE' });
    const inbound = await clinic.store.getMessage(`in-${messageSid}`);
    expect(inbound).toMatchObject({
      direction: 'INBOUND',
      body: 'Yes!! 👍',
      patientId: patient.patientId,
      slotId: slot.slotId,
    });
    const answer = await clinic.store.getMessage(`re-${messageSid}`);
    expect(answer).toMatchObject({ direction: 'OUTBOUND', body: first.reply, slotId: slot.slotId });
    expect((await clinic.store.getSlot(slot.slotId))?.status).toBe('FILLED');
  });

  it('losers who answer are told it is taken', async () => {
    const { clinic, offered } = await clinicWithOffers();
    const replies = await Promise.all(
      offered.map((p) =>
        clinic.conversation.handleInbound({ messageSid: sid(), from: p.phone, body: 'YES' }),
      ),
    );
    expect(replies.filter((r) => r.outcome === 'WON')).toHaveLength(1);
    const taken = replies.filter((r) => r.outcome === 'TAKEN');
    expect(taken).toHaveLength(2);
    for (const r of taken) expect(r.reply).toContain('just taken');
  });

  it('STOP opts out at once: live offer closes, one confirmation, a later YES never claims, START opts back in', async () => {
    const { clinic, slot, offered } = await clinicWithOffers();
    const [patient] = offered;
    if (!patient) throw new Error('fixture');
    const stop = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'stop texting me',
    });
    expect(stop.intent).toBe('OPT_OUT');
    expect(stop.reply).toMatch(/Lakeside.*no further messages/);
    expect((await clinic.store.getPatient(patient.patientId))?.consent).toBe('OPTED_OUT');
    const offer = (await clinic.store.listOffers(slot.slotId)).find((o) => o.patientId === patient.patientId);
    expect(offer).toMatchObject({ state: 'CANCELLED', closedReason: 'OPTED_OUT' });

    const secondStop = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'STOP',
    });
    expect(secondStop.reply).toBeUndefined();
    const yes = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'YES',
    });
    expect(yes).toMatchObject({ outcome: 'IGNORED_OPTED_OUT', reply: undefined });
    expect((await clinic.store.getSlot(slot.slotId))?.status).toBe('OPEN');

    const start = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'START',
    });
    expect(start.outcome).toBe('OPTED_IN');
    const history = await consentHistory(clinic, patient.patientId);
    expect(history.map((h) => [h.state, h.source, h.evidence])).toEqual([
      ['OPTED_OUT', 'INBOUND_KEYWORD', 'stop texting'],
      ['OPTED_IN', 'INBOUND_KEYWORD', 'start'],
    ]);
  });

  it('a patient who opted out is never picked for a batch again until they opt in', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    const patient = await clinic.addPatient({ urgent: true });
    const other = await clinic.addPatient();
    await clinic.conversation.handleInbound({ messageSid: sid(), from: patient.phone, body: 'UNSUBSCRIBE' });
    await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    expect(clinic.sms.sent.map((m) => m.to)).toEqual([other.phone]);
  });

  it('HELP answers with brand, contact number and how to opt out; unknown senders get help only', async () => {
    const { clinic, offered } = await clinicWithOffers({ CLINIC_CONTACT_PHONE: '312-555-0100' });
    const help = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: offered[0]?.phone as string,
      body: 'help',
    });
    expect(help.reply).toMatch(/Lakeside/);
    expect(help.reply).toContain('312-555-0100');
    expect(help.reply).toContain('Reply STOP to opt out');
    const stranger = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: '+13125559999',
      body: 'YES',
    });
    expect(stranger).toMatchObject({ intent: 'UNKNOWN_SENDER', reply: undefined });
    const strangerHelp = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: '+13125559999',
      body: 'INFO',
    });
    expect(strangerHelp.reply).toContain('Reply STOP to opt out');
  });

  it('a tapback is not an answer; an unknown reply gets a short help text once per offer', async () => {
    const { clinic, slot, offered } = await clinicWithOffers();
    const patient = offered[0];
    if (!patient) throw new Error('fixture');
    const offerText = clinic.sms.to(patient.phone)[0]?.body ?? '';
    const tapback = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: `Liked “${offerText}”`,
    });
    expect(tapback).toMatchObject({ outcome: 'IGNORED_REACTION', reply: undefined });
    expect((await clinic.store.getSlot(slot.slotId))?.status).toBe('OPEN');
    const first = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'what time is it again?',
    });
    expect(first.reply).toMatch(/reply YES/i);
    const second = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'hello??',
    });
    expect(second.reply).toBeUndefined();
  });

  it('NO declines; when the whole batch declined the next batch is handed to the scheduler at once', async () => {
    const { clinic, slot, offered, waiting } = await clinicWithOffers();
    for (const p of offered) {
      const r = await clinic.conversation.handleInbound({
        messageSid: sid(),
        from: p.phone,
        body: 'no thanks',
      });
      expect(r.outcome).toBe('DECLINED');
    }
    expect(clinic.sms.sent).toHaveLength(3);
    await clinic.advance(0); // the early schedule fires right away, well before the 7-minute hold
    expect(
      clinic.sms.sent
        .slice(3)
        .map((m) => m.to)
        .sort(),
    ).toEqual(waiting.map((p) => p.phone).sort());
    expect((await clinic.store.getSlot(slot.slotId))?.currentBatch).toBe(2);
  });

  it('delivery status moves forward only and a failed offer moves the batch on', async () => {
    const { clinic, slot, offered } = await clinicWithOffers({ BATCH_SIZE: '1' });
    const patient = offered[0];
    if (!patient) throw new Error('fixture');
    const messageId = clinic.sms.to(patient.phone)[0]?.messageId as string;
    const messageSid = 'SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    expect(
      (await clinic.conversation.handleStatus({ messageId, messageSid, status: 'delivered' })).applied,
    ).toBe(true);
    expect((await clinic.conversation.handleStatus({ messageId, messageSid, status: 'sent' })).applied).toBe(
      false,
    );
    expect(
      (await clinic.conversation.handleStatus({ messageId, messageSid, status: 'delivered' })).applied,
    ).toBe(false);
    expect(await clinic.store.getMessage(messageId)).toMatchObject({ deliveryStatus: 'delivered' });
    expect((await clinic.store.getSlot(slot.slotId))?.currentBatch).toBe(1);

    // A second slot whose only offer fails at the carrier: FAILED, and the next batch goes without waiting.
    const slot2 = await clinic.engine.logCancellation(clinic.slotInput(60));
    await clinic.advance(3);
    const offer2 = (await clinic.store.listOffers(slot2.slotId))[0];
    const failedPatient = await clinic.store.getPatient(offer2?.patientId as string);
    const failedMessage = clinic.sms.to(failedPatient?.phone as string).at(-1)?.messageId as string;
    await clinic.conversation.handleStatus({
      messageId: failedMessage,
      messageSid,
      status: 'undelivered',
      errorCode: '30006',
    });
    expect(
      (await clinic.store.listOffers(slot2.slotId)).find((o) => o.patientId === offer2?.patientId)?.state,
    ).toBe('FAILED');
    await clinic.advance(0);
    expect((await clinic.store.getSlot(slot2.slotId))?.currentBatch).toBe(2);
  });

  it('error 21610 on a delivery marks the patient opted out with the evidence', async () => {
    const { clinic, offered } = await clinicWithOffers();
    const patient = offered[1];
    if (!patient) throw new Error('fixture');
    const messageId = clinic.sms.to(patient.phone)[0]?.messageId as string;
    await clinic.conversation.handleStatus({
      messageId,
      messageSid: 'SMbbbb',
      status: 'failed',
      errorCode: '21610',
    });
    expect((await clinic.store.getPatient(patient.patientId))?.consent).toBe('OPTED_OUT');
    const history = await consentHistory(clinic, patient.patientId);
    expect(history[0]).toMatchObject({
      state: 'OPTED_OUT',
      source: 'SEND_ERROR',
      evidence: 'Twilio error 21610',
    });
  });

  it('talks to a Spanish-speaking patient in Spanish, from the offer to the confirmation', async () => {
    const clinic = await makeClinic({ ADVANCE_MODE: 'handoff', BATCH_SIZE: '2' });
    const lucia = await clinic.addPatient({ boost: 30, language: 'es' });
    const ben = await clinic.addPatient({ boost: 20 });
    await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    // Same slot, same batch: each patient's offer is in their own language.
    expect(clinic.sms.to(lucia.phone)[0]?.body).toMatch(
      /^Lakeside: Cita .* con Dr\. Lee en Main St\. SI para reservar, NO para pasar, STOP para salir\. Vence /,
    );
    expect(clinic.sms.to(ben.phone)[0]?.body).toMatch(/^Lakeside: Opening /);

    const unclear = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: lucia.phone,
      body: 'mañana?',
    });
    expect(unclear.reply).toMatch(/^Lakeside: Responda SI para tomar la cita o NO para pasar/);
    const won = await clinic.conversation.handleInbound({ messageSid: sid(), from: lucia.phone, body: 'Sí' });
    expect(won.outcome).toBe('WON');
    expect(won.reply).toMatch(/^Lakeside: Cita reservada .* con Dr\. Lee en Main St\. ¿Dudas\? Llame al /);
    const late = await clinic.conversation.handleInbound({ messageSid: sid(), from: ben.phone, body: 'yes' });
    expect(late.reply).toMatch(/^Lakeside: Sorry, that opening was just taken/);

    const stop = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: lucia.phone,
      body: 'STOP',
    });
    expect(stop.reply).toMatch(/no le enviaremos otros mensajes/);
  });

  it('answers AYUDA in Spanish, even from a number it does not know', async () => {
    const clinic = await makeClinic();
    const english = await clinic.addPatient();
    const stranger = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: '+13125559999',
      body: 'ayuda',
    });
    expect(stranger.reply).toMatch(/^Lakeside lista de espera: .* STOP para salir/);
    const help = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: english.phone,
      body: 'HELP',
    });
    expect(help.reply).toMatch(/^Lakeside waitlist: .*Reply STOP to opt out/);
  });

  it("texts visit times in the clinic's time, even to a patient who lives in another zone", async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    const easterner = await clinic.addPatient({ boost: 30, timeZone: 'America/New_York' });
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    const clinicTime = DateTime.fromISO(slot.startAt).setZone('America/Chicago').setLocale('en-US');
    const offer = clinic.sms.to(easterner.phone)[0]?.body ?? '';
    expect(offer).toContain(clinicTime.toFormat('ccc LLL d h:mma'));
    expect(offer).not.toContain(clinicTime.setZone('America/New_York').toFormat('ccc LLL d h:mma'));
    const won = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: easterner.phone,
      body: 'YES',
    });
    expect(won.reply).toContain(clinicTime.toFormat('ccc LLL d h:mma'));
  });
});
