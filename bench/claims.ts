/**
 * npm run bench:claims [-- N]
 * N patients hold claimable offers on one slot and all reply YES at the same moment, against DynamoDB
 * Local. Prints winners (must be 1), latency percentiles and DynamoDB calls per claim on the path that
 * decides the winner (the profile read and the one conditional write).
 */
import { DynamoOfferStore } from '../shared/adapters/dynamo/dynamo-offer-store.js';
import { OfferEngine } from '../shared/engine/offer-engine.js';
import { makeClinicOn } from '../test/support/clinic-fixture.js';
import { benchTable, percentile } from './support.js';

const n = Number(process.argv[2] ?? 200);
const batchSize = 50;
const table = await benchTable('bench-claims');
try {
  const clinic = await makeClinicOn(table, {
    BATCH_SIZE: String(batchSize),
    HOLD_MINUTES: '7',
    MAX_OFFERS_PER_PATIENT_PER_DAY: '5',
    MAX_OFFERS_PER_PATIENT_PER_WEEK: '10',
  });
  process.stdout.write(`setting up ${n} patients with offers on one slot…\n`);
  const patients = [];
  for (let i = 0; i < n; i++) patients.push(await clinic.addPatient({ boost: i % 40 }));
  const slot = await clinic.engine.logCancellation(clinic.slotInput(72));
  await clinic.advance(3);
  for (let b = 1; b * batchSize < n; b++) await clinic.advance(7); // later batches; earlier holds may still claim
  const offered = (await clinic.store.listOffers(slot.slotId)).length;

  const results = await Promise.all(
    patients.map(async (p) => {
      // A store per claim so each claim's DynamoDB calls are counted on their own.
      const store = new DynamoOfferStore(table.doc, table.tableName);
      let decidingCalls = 0;
      const countingStore = new Proxy(store, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (prop === 'claimSlot' && typeof value === 'function') {
            return async (...args: unknown[]) => {
              const out = await value.apply(target, args);
              decidingCalls = target.calls;
              return out;
            };
          }
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const engine = new OfferEngine({
        store: countingStore,
        scheduler: clinic.scheduler,
        sms: clinic.sms,
        clock: clinic.clock,
        policy: clinic.policy,
      });
      const started = performance.now();
      const outcome = await engine.claim(p.patientId);
      return { kind: outcome.kind, ms: performance.now() - started, decidingCalls, totalCalls: store.calls };
    }),
  );
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  const winners = results.filter((r) => r.kind === 'WON');
  const taken = results.filter((r) => r.kind === 'TAKEN').length;
  const maxDeciding = Math.max(...results.map((r) => r.decidingCalls));
  console.log(`offers on the slot:           ${offered}`);
  console.log(`concurrent claims:            ${n}`);
  console.log(`winners:                      ${winners.length}   (must be 1)`);
  console.log(`told "taken":                 ${taken}   (must be ${n - 1})`);
  console.log(
    `latency p50 / p99 / max (ms): ${percentile(latencies, 50).toFixed(1)} / ${percentile(latencies, 99).toFixed(1)} / ${latencies.at(-1)?.toFixed(1)}`,
  );
  console.log(
    `DynamoDB calls deciding a claim (max): ${maxDeciding}   (goal ≤ 3; +1 phone lookup in the webhook)`,
  );
  console.log(`DynamoDB calls of the winner incl. bookkeeping: ${winners[0]?.totalCalls}`);
  if (winners.length !== 1 || taken !== n - 1) process.exitCode = 1;
} finally {
  await table.stop();
}
