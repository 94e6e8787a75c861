import { describe, expect, it } from 'vitest';
import { seedSampleData } from '../../local/seed.js';
import { AdminStore } from '../../shared/adapters/dynamo/admin-store.js';
import { DynamoOfferStore } from '../../shared/adapters/dynamo/dynamo-offer-store.js';
import { InProcessScheduler } from '../../shared/adapters/scheduler/in-process-scheduler.js';
import { offerPolicyFrom, parseConfig } from '../../shared/config.js';
import { OfferEngine } from '../../shared/engine/offer-engine.js';
import { TUESDAY_10AM, ZONE } from '../support/clinic-fixture.js';
import { RecordingSms } from '../support/recording-sms.js';
import { freshTable } from '../support/table.js';

describe('local/seed.ts', () => {
  it('seeds providers, locations, 30 ranked patients and two cancellations, once', async () => {
    const table = await freshTable('seed');
    const policy = offerPolicyFrom(parseConfig({ TABLE_NAME: table.tableName, CLINIC_TIME_ZONE: ZONE }));
    const scheduler = new InProcessScheduler();
    const sms = new RecordingSms();
    const now = new Date(TUESDAY_10AM);
    const store = new DynamoOfferStore(table.doc, table.tableName);
    const engine = new OfferEngine({
      store,
      scheduler,
      sms,
      clock: () => now,
      policy,
      advanceMode: 'inline',
    });
    scheduler.onFire(async (event) => void (await engine.handleScheduled(event)));
    const lines: string[] = [];
    const options = {
      doc: table.doc,
      tableName: table.tableName,
      clinicTimeZone: ZONE,
      now: TUESDAY_10AM,
      engine,
    };

    const result = await seedSampleData({ ...options, log: (l) => lines.push(l) });
    expect(result).toMatchObject({ skipped: false, providers: 4, locations: 3, patients: 30 });
    expect(result.slots).toHaveLength(2);
    expect(lines.at(-1)).toMatch(/done/);

    const admin = new AdminStore(table.doc, table.tableName);
    const ranked = await admin.rankedEntries({ limit: 100, filter: {} });
    expect(ranked.items).toHaveLength(30);
    const scores = ranked.items.map((e) => e.score ?? 0);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(new Set(scores).size).toBeGreaterThan(5);

    // The first batches go out through the engine like any other cancellation.
    await scheduler.fireDue(new Date(now.getTime() + 5 * 60_000));
    expect(sms.sent.length).toBeGreaterThanOrEqual(3);

    const again = await seedSampleData(options);
    expect(again.skipped).toBe(true);
    expect((await admin.rankedEntries({ limit: 100, filter: {} })).items).toHaveLength(30);
  });
});
