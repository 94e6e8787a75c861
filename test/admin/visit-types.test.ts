import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, SlotView } from '../../shared/admin/contract.js';
import type { VisitType } from '../../shared/domain/visit-type.js';
import { ADMIN_CLAIMS, jsonEvent, STAFF_CLAIMS } from '../support/admin-events.js';
import { type AdminApp, startAdminApp } from './support/admin-app.js';

let app: AdminApp;
const call = (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, claims = ADMIN_CLAIMS) =>
  app.call(jsonEvent({ method, path, body, claims }));
const catalogue = async () =>
  ((await call('GET', '/admin/visit-types')).body as { items: VisitType[] }).items;
const slotBody = (visitType: string) => ({
  providerId: 'prov-lee',
  locationId: 'loc-main',
  startAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
  durationMinutes: 30,
  visitType,
});

beforeAll(async () => {
  app = await startAdminApp();
});
afterAll(async () => {
  await app?.close();
});

describe('the visit-type catalogue', () => {
  it('takes any visit type while the catalogue is empty (free text, as before)', async () => {
    const reply = await call('POST', '/admin/slots', slotBody('annual'));
    expect(reply.status, reply.text).toBe(201);
  });

  it('admins add, list and edit visit types; staff may only list', async () => {
    const created = await call('POST', '/admin/visit-types', {
      visitTypeId: 'follow-up',
      name: 'Follow-up',
      durationMinutes: 20,
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({
      visitTypeId: 'follow-up',
      name: 'Follow-up',
      durationMinutes: 20,
      providerTypes: [],
    });
    const neuro = await call('POST', '/admin/visit-types', {
      visitTypeId: 'neuro',
      name: 'Neurology consult',
      durationMinutes: 60,
      minNoticeHours: 72,
      providerTypes: ['MD/DO'],
    });
    expect(neuro.status, neuro.text).toBe(201);
    expect((await catalogue()).map((t) => t.name)).toEqual(['Follow-up', 'Neurology consult']);
    expect(
      (await call('POST', '/admin/visit-types', { name: 'X', durationMinutes: 10 }, STAFF_CLAIMS)).status,
    ).toBe(403);
    const dup = await call('POST', '/admin/visit-types', { name: 'follow-UP', durationMinutes: 30 });
    expect(dup.status, dup.text).toBe(409);
    const edited = await call('PUT', '/admin/visit-types/follow-up', {
      name: 'Follow-up',
      durationMinutes: 25,
    });
    expect(edited.status, edited.text).toBe(200);
    expect((await catalogue()).find((t) => t.visitTypeId === 'follow-up')?.durationMinutes).toBe(25);
  });

  it.each([
    [{ name: 'Short', durationMinutes: 2 }, 'durationMinutes'],
    [{ name: 'Odd', durationMinutes: 30, minNoticeHours: -1 }, 'minNoticeHours'],
    [{ name: 'Who', durationMinutes: 30, providerTypes: ['RN'] }, 'providerTypes.0'],
    [{ durationMinutes: 30 }, 'name'],
  ])('refuses %j with a 400 naming the field, and writes nothing', async (body, field) => {
    const before = (await catalogue()).length;
    const reply = await call('POST', '/admin/visit-types', body);
    expect(reply.status, reply.text).toBe(400);
    expect(Object.keys((reply.body as ErrorBody).error.fields ?? {})).toContain(field);
    expect((await catalogue()).length).toBe(before);
  });

  it('a cancellation picks its type from the catalogue; unknown and retired types are refused by name', async () => {
    const ok = await call('POST', '/admin/slots', slotBody('follow-up'));
    expect(ok.status, ok.text).toBe(201);
    expect((ok.body as SlotView).visitType).toBe('follow-up');

    const unknown = await call('POST', '/admin/slots', slotBody('annual'));
    expect(unknown.status, unknown.text).toBe(400);
    expect((unknown.body as ErrorBody).error.fields?.visitType).toContain('not in the visit-type catalogue');

    const retired = await call('PUT', '/admin/visit-types/neuro', {
      name: 'Neurology consult',
      durationMinutes: 60,
      retired: true,
    });
    expect(retired.status, retired.text).toBe(200);
    const refused = await call('POST', '/admin/slots', slotBody('Neurology consult'));
    expect(refused.status, refused.text).toBe(400);
    expect((refused.body as ErrorBody).error.fields?.visitType).toBe('Neurology consult is retired');
  });
});
