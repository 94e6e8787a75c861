import { describe, expect, it } from 'vitest';
import { SmsConversation } from '../shared/engine/conversation.js';
import { OfferEngine } from '../shared/engine/offer-engine.js';
import type { OfferStore } from '../shared/engine/offer-store.js';
import { makeClinic } from './support/clinic.js';

/**
 * No inbound message is lost on a transient failure: a failed attempt gives its reservation back so a
 * retry (Twilio's fallback, the durable queue behind it) handles the message, an exact replay never acts
 * twice however late, and an answer the webhook could not deliver as TwiML goes out through the API.
 */
type Clinic = Awaited<ReturnType<typeof makeClinic>>;

/** The real store with `method` failing `times` times, as a DynamoDB blip would. */
function failing<K extends keyof OfferStore>(store: OfferStore, method: K, times: number): OfferStore {
  let left = times;
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === method) {
        return async (...args: unknown[]) => {
          if (left-- > 0) throw new Error('ProvisionedThroughputExceeded (simulated)');
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function conversationOn(clinic: Clinic, store: OfferStore) {
  const engine = new OfferEngine({
    store,
    scheduler: clinic.scheduler,
    sms: clinic.sms,
    clock: clinic.clock,
    policy: clinic.policy,
  });
  return new SmsConversation({ store, engine, clock: clinic.clock, policy: clinic.policy });
}

async function offeredPatient() {
  const clinic = await makeClinic({ BATCH_SIZE: '2' });
  const patient = await clinic.addPatient({ urgent: true });
  await clinic.addPatient();
  const slot = await clinic.engine.logCancellation(clinic.slotInput());
  await clinic.advance(3);
  return { clinic, patient, slot };
}

describe('inbound messages survive transient failures', () => {
  it('a YES whose first attempt failed after the reservation is handled by the retry seconds later', async () => {
    const { clinic, patient, slot } = await offeredPatient();
    const sms = { messageSid: `SM${'a'.repeat(32)}`, from: patient.phone, body: 'YES' };
    await expect(
      conversationOn(clinic, failing(clinic.store, 'claimSlot', 1)).handleInbound(sms),
    ).rejects.toThrow(/simulated/);
    expect((await clinic.store.getSlot(slot.slotId))?.status).toBe('OPEN');
    clinic.setNow(new Date(clinic.clock().getTime() + 5_000).toISOString()); // Twilio's fallback, 5 s on
    const retry = await clinic.conversation.handleInbound(sms);
    expect(retry.outcome).toBe('WON');
    expect((await clinic.store.getSlot(slot.slotId))?.filledByPatientId).toBe(patient.patientId);
    // The message was recorded once, by the first attempt, before anything acted on it.
    expect((await clinic.store.getMessage(`in-${sms.messageSid}`))?.body).toBe('YES');
  });

  it('an exact replay a year later gets the first answer and acts on nothing', async () => {
    const { clinic, patient, slot } = await offeredPatient();
    const sms = { messageSid: `SM${'b'.repeat(32)}`, from: patient.phone, body: 'NO' };
    const first = await clinic.conversation.handleInbound(sms);
    expect(first.outcome).toBe('DECLINED');
    const batch = (await clinic.store.getSlot(slot.slotId))?.currentBatch;
    clinic.setNow(new Date(clinic.clock().getTime() + 400 * 86_400_000).toISOString());
    const replay = await clinic.conversation.handleInbound(sms);
    expect(replay.outcome).toBe('REPLAYED');
    expect((await clinic.store.getSlot(slot.slotId))?.currentBatch).toBe(batch);
    const { Item } = await clinic.doc.send(
      new (await import('@aws-sdk/lib-dynamodb')).GetCommand({
        TableName: clinic.tableName,
        Key: { pk: `INBOUND#${sms.messageSid}`, sk: 'INBOUND' },
      }),
    );
    expect(Item?.expiresAt).toBeUndefined();
  });

  it('a message taken from the durable fallback queue is answered through the API, once', async () => {
    const { clinic, patient, slot } = await offeredPatient();
    const sms = { messageSid: `SM${'c'.repeat(32)}`, from: patient.phone, body: 'yes please' };
    // The webhook's attempt died after winning (its TwiML never reached the patient).
    await expect(
      conversationOn(clinic, failing(clinic.store, 'completeInbound', 1)).handleInbound(sms),
    ).rejects.toThrow(/simulated/);
    expect((await clinic.store.getSlot(slot.slotId))?.filledByPatientId).toBe(patient.patientId);
    const before = clinic.sms.to(patient.phone).length;
    const queued = await clinic.conversation.handleQueuedInbound(sms);
    expect(queued.outcome).toBe('WON');
    const sent = clinic.sms.to(patient.phone).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toMatch(/You're booked/);
    // SQS delivers at least once: a second delivery sends nothing more.
    await clinic.conversation.handleQueuedInbound(sms);
    expect(clinic.sms.to(patient.phone).slice(before)).toHaveLength(1);
  });
});
