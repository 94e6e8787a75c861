import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotView } from '../../shared/admin/contract.js';
import { ADMIN_CLAIMS, jsonEvent } from '../support/admin-events.js';
import { type AdminApp, startAdminApp } from './support/admin-app.js';

/**
 * PATCH /admin/slots/{id} while the first batch waits, and "send the first batch now"
 * (next-batch with afterBatch 0), through the real handler on DynamoDB Local.
 */
let app: AdminApp;
const call = (method: string, path: string, body?: unknown) =>
  app.call(jsonEvent({ method, path, body, claims: ADMIN_CLAIMS }));

beforeAll(async () => {
  app = await startAdminApp({ FIRST_BATCH_DELAY_MINUTES: '5' });
});
afterAll(async () => {
  await app?.close();
});

describe('editing a waiting cancellation over the API', () => {
  it('edits during the delay, refuses bad input naming the field, sends batch 1 now, then refuses edits', async () => {
    const startAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const created = await call('POST', '/admin/slots', {
      providerId: 'prov-lee',
      locationId: 'loc-main',
      visitType: 'follow-up',
      startAt,
      durationMinutes: 30,
    });
    expect(created.status, created.text).toBe(201);
    const { slotId } = created.body as SlotView;
    const fixed = await call('PATCH', `/admin/slots/${slotId}`, {
      durationMinutes: 45,
      locationId: 'loc-north',
    });
    expect(fixed.status, fixed.text).toBe(200);
    expect(fixed.body).toMatchObject({ durationMinutes: 45, locationId: 'loc-north' });

    const before = await app.countItems();
    for (const [body, field] of [
      [{}, ''],
      [{ durationMinutes: 2 }, 'durationMinutes'],
      [{ startAt: 'tomorrow' }, 'startAt'],
      [{ status: 'FILLED' }, 'status'],
    ] as const) {
      const bad = await call('PATCH', `/admin/slots/${slotId}`, body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      if (field) expect(bad.text).toContain(field);
    }
    expect((await call('PATCH', '/admin/slots/unknown-slot', { durationMinutes: 40 })).status).toBe(404);
    expect(await app.countItems()).toBe(before);

    const added = await call('POST', '/admin/waitlist', {
      patient: { phone: '(312) 555-4471', displayName: 'Robin', consentSource: 'VERBAL' },
      entry: {},
    });
    expect(added.status, added.text).toBe(201);
    const now = await call('POST', `/admin/slots/${slotId}/next-batch`, { afterBatch: 0 });
    expect(now.status, now.text).toBe(200);
    expect(now.body).toMatchObject({ currentBatch: 1 });
    const refused = await call('PATCH', `/admin/slots/${slotId}`, { durationMinutes: 60 });
    expect(refused.status).toBe(409);
    expect(refused.text).toMatch(/batch 1 has gone out/);
  });
});
