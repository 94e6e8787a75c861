import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateWaitlistResponse, PatientDetail } from '../../shared/admin/contract.js';
import { ADMIN_CLAIMS, jsonEvent } from '../support/admin-events.js';
import { type AdminApp, startAdminApp } from './support/admin-app.js';

/** Staff may record the state whose quiet hours apply (docs/compliance.md): API and CSV import. */
let app: AdminApp;
const post = (path: string, body?: unknown) =>
  app.call(jsonEvent({ method: 'POST', path, body, claims: ADMIN_CLAIMS }));
const patch = (path: string, body?: unknown) =>
  app.call(jsonEvent({ method: 'PATCH', path, body, claims: ADMIN_CLAIMS }));
const get = (path: string) => app.call(jsonEvent({ method: 'GET', path, claims: ADMIN_CLAIMS }));

beforeAll(async () => {
  app = await startAdminApp();
});
afterAll(async () => {
  await app?.close();
});

describe('a patient’s state', () => {
  it('is accepted in any case on create, shown, changed and cleared; a bad code is a 400 naming the field', async () => {
    const created = await post('/admin/waitlist', {
      patient: { phone: '(312) 555-7101', displayName: 'Flo', consentSource: 'VERBAL', state: 'fl' },
      entry: {},
    });
    expect(created.status, created.text).toBe(201);
    const { patient } = created.body as CreateWaitlistResponse;
    expect(patient.state).toBe('FL');
    const changed = await patch(`/admin/patients/${patient.patientId}`, { state: 'RI' });
    expect(changed.status, changed.text).toBe(200);
    expect((changed.body as { state?: string }).state).toBe('RI');
    const cleared = await patch(`/admin/patients/${patient.patientId}`, { state: null });
    expect(cleared.status, cleared.text).toBe(200);
    expect((cleared.body as { state?: string }).state).toBeUndefined();

    const bad = await post('/admin/waitlist', {
      patient: { phone: '(312) 555-7102', displayName: 'Zed', consentSource: 'VERBAL', state: 'ZZ' },
      entry: {},
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('state');
  });

  it('comes from the CSV import’s state column', async () => {
    const reply = await app.call(
      jsonEvent({
        method: 'POST',
        path: '/admin/waitlist/import',
        body: ['phone,display_name,state', '312-555-7201,Kay,ky', '312-555-7202,Lou,'].join('\r\n'),
        contentType: 'text/csv',
        claims: ADMIN_CLAIMS,
      }),
    );
    expect(reply.status, reply.text).toBe(201);
    const list = (await get('/admin/waitlist?limit=100')).body as {
      items: Array<{ patientId: string; patient?: { displayName: string } }>;
    };
    const kay = list.items.find((r) => r.patient?.displayName === 'Kay');
    const detail = (await get(`/admin/patients/${kay?.patientId}`)).body as PatientDetail;
    expect(detail.patient.state).toBe('KY');
  });
});
