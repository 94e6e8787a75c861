import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningLocalStack, startLocalStack } from '../../local/stack.js';
import { DynamoOfferStore } from '../../shared/adapters/dynamo/dynamo-offer-store.js';
import { WaitlistStore } from '../../shared/adapters/dynamo/waitlist-store.js';
import type { Patient } from '../../shared/domain/model.js';

/**
 * The whole system over HTTP on the local stack: the real handlers behind the local API gateway, the
 * real EventBridge Scheduler adapter against the emulator, the real twilio SDK against the simulator,
 * signed webhooks, DynamoDB Local.
 */
let stack: RunningLocalStack;
let store: DynamoOfferStore;
let waitlist: WaitlistStore;

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `e2e-${Date.now()}`,
    statusDelayMs: 20,
    env: {
      ...process.env,
      CLINIC_NAME: 'Lakeside',
      BATCH_SIZE: '5',
      FIRST_BATCH_DELAY_MINUTES: '0',
      // The test runs at any hour: open the contact window all day.
      CONTACT_HOURS_START: '00:00',
      CONTACT_HOURS_END: '24:00',
    },
  });
  const doc = DynamoDBDocumentClient.from(stack.dynamo, { marshallOptions: { removeUndefinedValues: true } });
  store = new DynamoOfferStore(doc, stack.tableName);
  waitlist = new WaitlistStore(doc, stack.tableName, 'America/Chicago');
});

afterAll(async () => {
  await stack?.stop();
});

describe('end to end on the local stack', () => {
  it('offers go out by SMS, five patients say YES at once, exactly one wins and the rest are told', async () => {
    const now = new Date().toISOString();
    await waitlist.putProvider({
      providerId: 'dr-lee',
      displayName: 'Dr. Lee',
      providerType: 'MD/DO',
      locationIds: ['main'],
    });
    await waitlist.putLocation({ locationId: 'main', displayName: 'Main St' });
    const patients: Patient[] = [];
    for (let i = 0; i < 5; i++) {
      const patient: Patient = {
        patientId: `e2e-patient-${i}`,
        phone: `+1312555010${i}`,
        displayName: `Pat${i}`,
        consent: 'OPTED_IN',
        recentOfferTimes: [],
        createdAt: now,
      };
      await waitlist.createPatient(patient);
      await waitlist.putEntry(
        {
          entryId: `e2e-entry-${i}`,
          patientId: patient.patientId,
          urgent: false,
          boost: 10 + i,
          preferences: { providerIds: [], providerTypes: [], locationIds: [], visitTypes: [] },
          currentAppointmentAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
          joinedAt: now,
          active: true,
        },
        patient,
        now,
      );
      patients.push(patient);
    }
    const { buildEngine, noApiSends } = await import('../../shared/runtime/composition.js');
    const { engine } = buildEngine({ sms: noApiSends, advanceMode: 'handoff' });
    const slot = await engine.logCancellation({
      providerId: 'dr-lee',
      locationId: 'main',
      visitType: 'follow-up',
      startAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      durationMinutes: 30,
      loggedBy: 'e2e',
    });
    const simulator = stack.simulator;
    if (!simulator) throw new Error('simulator not running');

    // The scheduler emulator fires the first batch; the scheduler-target handler texts through Twilio's API.
    const offers = await until('five offers in the simulator', () => {
      const out = simulator.messages().filter((m) => m.direction === 'outbound-api');
      return out.length === 5 ? out : undefined;
    });
    expect(offers.map((m) => m.phone).sort()).toEqual(patients.map((p) => p.phone).sort());
    for (const m of offers) {
      expect(m.body).toContain('Reply YES');
      expect(m.encoding).toBe('GSM-7');
      expect(m.segments).toBe(1);
    }
    // Delivery callbacks come back signed and move each message to delivered.
    await simulator.settled();
    const offerMessages = (await store.listOffers(slot.slotId)).length;
    expect(offerMessages).toBe(5);

    const replies = await Promise.all(patients.map((p) => simulator.reply(p.phone, 'YES')));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const texts = replies.map((r) => r.twimlMessages.join(' '));
    expect(texts.filter((t) => t.includes('booked'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('just taken'))).toHaveLength(4);
    const filled = await store.getSlot(slot.slotId);
    expect(filled?.status).toBe('FILLED');
    const winnerIndex = texts.findIndex((t) => t.includes('booked'));
    expect(filled?.filledByPatientId).toBe(patients[winnerIndex]?.patientId);
  });
});
