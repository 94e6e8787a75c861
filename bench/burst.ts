/**
 * npm run bench:burst [-- N]
 * N patients (default 200) hold offers on one slot; all reply YES at the same moment as signed Twilio
 * webhooks through the local API gateway (real handlers, DynamoDB Local). Prints winners (must be 1),
 * unanswered (must be 0) and webhook latency percentiles.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalStack } from '../local/stack.js';
import { DynamoOfferStore } from '../shared/adapters/dynamo/dynamo-offer-store.js';
import { WaitlistStore } from '../shared/adapters/dynamo/waitlist-store.js';
import { percentile } from './support.js';

const n = Number(process.argv[2] ?? 200);
const batchSize = 50;
const stack = await startLocalStack({
  port: 0,
  statusDelayMs: 5,
  env: {
    ...process.env,
    BATCH_SIZE: String(batchSize),
    FIRST_BATCH_DELAY_MINUTES: '60',
    CONTACT_HOURS_START: '00:00',
    CONTACT_HOURS_END: '24:00',
    MAX_MESSAGES_PER_HOUR: '100000',
  },
});
try {
  const doc = DynamoDBDocumentClient.from(stack.dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const waitlist = new WaitlistStore(doc, stack.tableName, 'America/Chicago');
  const store = new DynamoOfferStore(doc, stack.tableName);
  const now = new Date().toISOString();
  await waitlist.putProvider({
    providerId: 'dr-lee',
    displayName: 'Dr. Lee',
    providerType: 'MD/DO',
    locationIds: ['main'],
  });
  await waitlist.putLocation({ locationId: 'main', displayName: 'Main St' });
  process.stdout.write(`seeding ${n} patients…\n`);
  const phones: string[] = [];
  for (let i = 0; i < n; i++) {
    const patientId = `burst-${i}`;
    const phone = `+1312555${String(i).padStart(4, '0')}`;
    const patient = {
      patientId,
      phone,
      displayName: `P${i}`,
      consent: 'OPTED_IN' as const,
      recentOfferTimes: [],
      createdAt: now,
    };
    await waitlist.createPatient(patient);
    await waitlist.putEntry(
      {
        entryId: `e-${i}`,
        patientId,
        urgent: false,
        boost: i % 40,
        preferences: { providerIds: [], providerTypes: [], locationIds: [], visitTypes: [] },
        currentAppointmentAt: new Date(Date.now() + 120 * 86_400_000).toISOString(),
        joinedAt: now,
        active: true,
      },
      patient,
      now,
    );
    phones.push(phone);
  }
  const { buildEngine } = await import('../shared/runtime/composition.js');
  const { buildSmsSender } = await import('../shared/runtime/sms-sender.js');
  const { engine } = buildEngine({ sms: await buildSmsSender(), advanceMode: 'inline' });
  const slot = await engine.logCancellation({
    providerId: 'dr-lee',
    locationId: 'main',
    visitType: 'follow-up',
    startAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    durationMinutes: 30,
    loggedBy: 'bench',
  });
  // Every batch at once, as if each hold had run out: earlier batches may still claim.
  for (let batch = 1; (batch - 1) * batchSize < n; batch++)
    await engine.startBatch({ slotId: slot.slotId, batch });
  const offers = await store.listOffers(slot.slotId);
  await stack.simulator?.settled();
  process.stdout.write(`${offers.length} offers out; ${n} patients reply YES at once…\n`);

  const simulator = stack.simulator;
  if (!simulator) throw new Error('the SMS simulator is not running');
  const results = await Promise.all(
    phones.map(async (phone) => {
      const started = performance.now();
      const reply = await simulator.reply(phone, 'YES');
      return { ms: performance.now() - started, status: reply.status, text: reply.twimlMessages.join(' ') };
    }),
  );
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  const winners = results.filter((r) => r.text.includes('booked')).length;
  const unanswered = results.filter((r) => r.status !== 200 || r.text === '').length;
  const filled = await store.getSlot(slot.slotId);
  console.log(`concurrent signed YES replies: ${n}`);
  console.log(`winners:        ${winners}   (must be 1)`);
  console.log(`told "taken":   ${results.filter((r) => r.text.includes('just taken')).length}`);
  console.log(`unanswered:     ${unanswered}   (must be 0)`);
  console.log(`slot status:    ${filled?.status}`);
  console.log(
    `webhook latency p50 / p99 / max (ms): ${percentile(latencies, 50).toFixed(0)} / ${percentile(latencies, 99).toFixed(0)} / ${latencies.at(-1)?.toFixed(0)}`,
  );
  if (winners !== 1 || unanswered !== 0) process.exitCode = 1;
} finally {
  await stack.stop();
}
