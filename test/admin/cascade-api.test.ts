import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateWaitlistResponse, SlotView } from '../../shared/admin/contract.js';
import { ADMIN_CLAIMS, jsonEvent } from '../support/admin-events.js';
import { type AdminApp, startAdminApp } from './support/admin-app.js';

/**
 * Cascading backfill through the admin API (ask mode, the default): staff record where and what a
 * patient's current appointment is; when the patient's earlier visit is marked booked, the freed one
 * is offered to staff on the slot and logged in one click, linked to its parent, once.
 */
let app: AdminApp;
const post = (path: string, body?: unknown) =>
  app.call(jsonEvent({ method: 'POST', path, body, claims: ADMIN_CLAIMS }));

beforeAll(async () => {
  app = await startAdminApp({ BATCH_SIZE: '1', FIRST_BATCH_DELAY_MINUTES: '0' });
});
afterAll(async () => {
  await app?.close();
});

describe('cascading backfill in the admin API', () => {
  it('records the old appointment, suggests it when booked, logs it once in one click', async () => {
    const oldAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const added = await post('/admin/waitlist', {
      patient: { phone: '(312) 555-4411', displayName: 'Maria', consentSource: 'VERBAL' },
      entry: {
        currentAppointmentAt: oldAt,
        currentAppointment: {
          providerId: 'prov-lee',
          locationId: 'loc-main',
          visitType: 'follow-up',
          durationMinutes: 30,
        },
      },
    });
    expect(added.status, added.text).toBe(201);
    const { patient } = added.body as CreateWaitlistResponse;
    const bad = await post('/admin/waitlist', {
      patient: { phone: '(312) 555-4412', displayName: 'Bad', consentSource: 'VERBAL' },
      entry: { currentAppointment: { providerId: 'prov-lee', durationMinutes: 2 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/currentAppointment/);

    const slot = await app.clinic.engine.logCancellation(app.clinic.slotInput(48));
    await app.clinic.advance(3);
    const won = await app.clinic.engine.claim(patient.patientId);
    expect(won.kind).toBe('WON');

    const booked = await post(`/admin/slots/${slot.slotId}/booked`, {});
    expect(booked.status, booked.text).toBe(200);
    expect((booked.body as SlotView).freedAppointment).toMatchObject({
      startAt: oldAt,
      providerId: 'prov-lee',
    });
    const logged = await post(`/admin/slots/${slot.slotId}/log-freed`, {});
    expect(logged.status, logged.text).toBe(200);
    expect((logged.body as SlotView).chain).toMatchObject({ parentSlotId: slot.slotId, depth: 1 });
    expect((logged.body as SlotView).startAt).toBe(oldAt);
    const again = await post(`/admin/slots/${slot.slotId}/log-freed`, {});
    expect(again.status).toBe(409);
  });
});
