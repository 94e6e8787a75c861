import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntryView, ErrorBody, Page, WaitlistRow } from '../../shared/admin/contract.js';
import { ADMIN_CLAIMS, jsonEvent } from '../support/admin-events.js';
import { type AdminApp, startAdminApp } from './support/admin-app.js';

let app: AdminApp;
let phone = 0;
const get = (path: string) => app.call(jsonEvent({ method: 'GET', path, claims: ADMIN_CLAIMS }));
const send = (method: 'POST' | 'PATCH', path: string, body: unknown) =>
  app.call(jsonEvent({ method, path, body, claims: ADMIN_CLAIMS }));
const newPatient = (displayName: string) => ({
  phone: `(312) 555-${String(6000 + ++phone)}`,
  displayName,
  consentSource: 'VERBAL',
});
const rows = async () => ((await get('/admin/waitlist?limit=100')).body as Page<WaitlistRow>).items;

beforeAll(async () => {
  app = await startAdminApp();
});
afterAll(async () => {
  await app?.close();
});

describe('availability on waitlist entries', () => {
  const mornings = [{ days: ['Mon', 'Tue'], from: '08:00', to: '12:00' }, { days: ['Thu'] }];

  it('is taken on create, shown on the waitlist, and edited (null clears it)', async () => {
    const created = await send('POST', '/admin/waitlist', {
      patient: newPatient('Avery'),
      entry: { availability: mornings },
    });
    expect(created.status, created.text).toBe(201);
    const row = (await rows()).find((r) => r.patient?.displayName === 'Avery') as WaitlistRow;
    expect(row.availability).toEqual(mornings);

    const path = `/admin/waitlist/${row.patientId}/${row.entryId}`;
    const edited = await send('PATCH', path, { availability: [{ days: [], from: '15:00', to: '18:00' }] });
    expect(edited.status, edited.text).toBe(200);
    expect((edited.body as EntryView).availability).toEqual([{ days: [], from: '15:00', to: '18:00' }]);
    const cleared = await send('PATCH', path, { availability: null });
    expect(cleared.status, cleared.text).toBe(200);
    expect((cleared.body as EntryView).availability).toBeUndefined();
  });

  it.each([
    [[{ days: ['Funday'] }], 'entry.availability.0.days.0'],
    [[{ days: ['Mon'], from: '12:00', to: '08:00' }], 'entry.availability.0'],
    [[{ days: [], from: '8am', to: '12:00' }], 'entry.availability.0.from'],
    [[{ days: ['Mon'], from: '08:00' }], 'entry.availability.0'],
    ['mornings', 'entry.availability'],
  ])('refuses %j with a 400 naming the field, and writes nothing', async (availability, field) => {
    const before = (await rows()).length;
    const reply = await send('POST', '/admin/waitlist', {
      patient: newPatient('Bad'),
      entry: { availability },
    });
    expect(reply.status, reply.text).toBe(400);
    expect(Object.keys((reply.body as ErrorBody).error.fields ?? {})).toContain(field);
    expect((await rows()).length).toBe(before);
  });

  it('imports and exports the compact cell form', async () => {
    const csv = [
      'phone,display_name,availability',
      '312-555-7101,Cora,"Mon,Tue 08:00-12:00; Thu 15:00-18:00"',
      '312-555-7102,Dev,',
    ].join('\r\n');
    const reply = await app.call(
      jsonEvent({
        method: 'POST',
        path: '/admin/waitlist/import',
        body: csv,
        contentType: 'text/csv',
        claims: ADMIN_CLAIMS,
      }),
    );
    expect(reply.status, reply.text).toBe(201);
    const all = await rows();
    expect(all.find((r) => r.patient?.displayName === 'Cora')?.availability).toEqual([
      { days: ['Mon', 'Tue'], from: '08:00', to: '12:00' },
      { days: ['Thu'], from: '15:00', to: '18:00' },
    ]);
    expect(all.find((r) => r.patient?.displayName === 'Dev')?.availability).toBeUndefined();
    const exported = await get('/admin/waitlist/export');
    expect(exported.text).toContain('"Mon,Tue 08:00-12:00; Thu 15:00-18:00"');
    expect(exported.text.split('\r\n')[0]).toContain('availability');
  });

  it('refuses a bad availability cell by row and column, importing nothing', async () => {
    const before = (await rows()).length;
    const reply = await app.call(
      jsonEvent({
        method: 'POST',
        path: '/admin/waitlist/import',
        body: ['phone,display_name,availability', '312-555-7201,Eve,Mon 12:00-08:00'].join('\r\n'),
        contentType: 'text/csv',
        claims: ADMIN_CLAIMS,
      }),
    );
    expect(reply.status, reply.text).toBe(400);
    expect(reply.text).toContain('availability');
    expect((await rows()).length).toBe(before);
  });
});
