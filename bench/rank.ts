/**
 * npm run bench:rank
 * Batch selection at waitlist sizes 100 / 1,000 / 10,000 / 100,000 on DynamoDB Local: items read and
 * time to choose a batch. The ranked sparse index keeps items read flat as the list grows.
 * The waitlist carries the matching filters (issue 12): a third of the entries want another location or
 * provider type, a third can come only at days or hours the slot misses (availability), a quarter want
 * another visit type; every one of them is read and skipped. The last column shows why, by count.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { ulid } from 'ulid';
import { entryIndexKeys } from '../shared/adapters/dynamo/dynamo-offer-store.js';
import { keys } from '../shared/adapters/dynamo/keys.js';
import { parseAvailability } from '../shared/domain/availability.js';
import type { Patient, WaitlistEntry } from '../shared/domain/model.js';
import { makeClinicOn } from '../test/support/clinic-fixture.js';
import { benchTable, percentile } from './support.js';

/** Half the entries say when they can come; two of those three patterns miss the slot (Fri 10:00). */
const AVAILABILITY = ['Mon,Wed 08:00-12:00', 'Fri 08:00-12:00', '13:00-17:00', '', '', ''];

const sizes = (process.argv[2] ?? '100,1000,10000,100000').split(',').map(Number);

async function fill(
  table: { doc: import('@aws-sdk/lib-dynamodb').DynamoDBDocumentClient; tableName: string },
  count: number,
  now: string,
  zone: string,
) {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const patient: Patient = {
      patientId: ulid(),
      phone: `+1312${String(1_000_000 + i).padStart(7, '0')}`,
      displayName: `P${i}`,
      consent: 'OPTED_IN',
      recentOfferTimes: [],
      createdAt: now,
    };
    const entry: WaitlistEntry = {
      entryId: ulid(),
      patientId: patient.patientId,
      urgent: i % 17 === 0,
      boost: i % 41,
      // A realistic mix: a third want another location or provider type, so they are read and skipped.
      preferences: {
        providerIds: [],
        providerTypes: i % 5 === 0 ? ['APP'] : [],
        locationIds: i % 7 === 0 ? ['loc-north'] : [],
        // The bench's slot is a Friday-morning follow-up.
        visitTypes: i % 4 === 1 ? ['new-patient'] : [],
      },
      ...(AVAILABILITY[i % AVAILABILITY.length]
        ? { availability: parseAvailability(AVAILABILITY[i % AVAILABILITY.length] as string) }
        : {}),
      currentAppointmentAt: DateTime.fromISO(now)
        .plus({ days: 10 + (i % 200) })
        .toUTC()
        .toISO() as string,
      joinedAt: DateTime.fromISO(now)
        .minus({ days: i % 400 })
        .toUTC()
        .toISO() as string,
      active: true,
    };
    items.push({ ...keys.patient(patient.patientId), entity: 'PATIENT', ...patient });
    items.push({
      ...keys.entry(patient.patientId, entry.entryId),
      ...entryIndexKeys(entry, patient, now, zone),
      entity: 'ENTRY',
      ...entry,
    });
  }
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let done = 0;
  const workers = Array.from({ length: 8 }, async () => {
    for (;;) {
      const chunk = chunks.shift();
      if (!chunk) return;
      let request: Record<string, unknown> | undefined = {
        [table.tableName]: chunk.map((Item) => ({ PutRequest: { Item } })),
      };
      while (request && Object.keys(request).length > 0) {
        const out = await table.doc.send(new BatchWriteCommand({ RequestItems: request as never }));
        request = out.UnprocessedItems as Record<string, unknown> | undefined;
      }
      done += chunk.length;
      if (done % 20_000 < 25) process.stdout.write(`  loaded ${done / 2} entries\r`);
    }
  });
  await Promise.all(workers);
}

console.log('waitlist size | items read | DynamoDB calls | select ms (p50 of 5) | chosen | left out (why)');
let filled = 0;
const table = await benchTable('bench-rank');
try {
  const clinic = await makeClinicOn(table, { BATCH_SIZE: '3' });
  const provider = clinic.provider;
  for (const size of sizes) {
    await fill(table, size - filled, clinic.clock().toISOString(), clinic.policy.clinicTimeZone);
    filled = size;
    const timings: number[] = [];
    let itemsRead = 0;
    let calls = 0;
    let chosen = 0;
    let excluded = '';
    for (let run = 0; run < 5; run++) {
      const slot = { ...(await clinic.engine.logCancellation(clinic.slotInput(72))) };
      const before = clinic.store.calls;
      const started = performance.now();
      const selection = await clinic.engine.selectCandidates(slot, provider, clinic.clock().toISOString());
      timings.push(performance.now() - started);
      itemsRead = selection.itemsRead;
      calls = clinic.store.calls - before;
      chosen = selection.chosen.length;
      excluded = Object.entries(selection.excluded)
        .map(([why, n]) => `${why} ${n}`)
        .join(', ');
    }
    timings.sort((a, b) => a - b);
    console.log(
      `${String(size).padStart(13)} | ${String(itemsRead).padStart(10)} | ${String(calls).padStart(14)} | ${percentile(timings, 50).toFixed(1).padStart(20)} | ${chosen} | ${excluded}`,
    );
  }
} finally {
  await table.stop();
}
