import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES, type AdminRoute } from '../../shared/admin/contract.js';
import { ADMIN_CLAIMS, jsonEvent } from '../support/admin-events.js';
import { type AdminApp, type Reply, startAdminApp } from './support/admin-app.js';

/**
 * Input that looks well-formed but is absurd: far-future and far-past dates, ids of odd shapes, forged
 * cursors whose keys lie outside the range being read. Walked over every route in ADMIN_ROUTES (never
 * hand-picked): each case is a 4xx in the one error shape, a 400 names the field, and nothing is written.
 * Dates are accepted from 2000-01-01 to 2100-12-31 (contract.ts, DATE_RANGE).
 */

let app: AdminApp;
const UNKNOWN = '01JUNKNOWNID0000000000000X';

function pathOf(route: AdminRoute, values: Record<string, string> = {}): string {
  return route.path.replace(/\{(\w+)\}/g, (_m, name: string) => values[name] ?? UNKNOWN);
}

const SOON = new Date(Date.now() + 48 * 3600_000).toISOString();

/** A body each route accepts, with every date field it has filled (so each can be made extreme). */
const VALID_BODIES: Record<string, unknown> = {
  'slots.create': {
    providerId: 'prov-lee',
    locationId: 'loc-main',
    startAt: SOON,
    durationMinutes: 30,
    visitType: 'follow-up',
  },
  'slots.withdraw': {},
  'slots.nextBatch': { afterBatch: 1 },
  'slots.booked': {},
  'waitlist.create': {
    patient: {
      phone: '312-555-7701',
      displayName: 'Jo',
      consentSource: 'VERBAL',
      timeZone: 'America/Denver',
    },
    entry: { urgent: false, currentAppointmentAt: SOON, notes: 'prefers mornings' },
  },
  'waitlist.update': { currentAppointmentAt: SOON, notes: 'call first' },
  'waitlist.boost': { boost: 10, reason: 'clinical need' },
  'waitlist.deactivate': { reason: 'moved away' },
  'patients.update': { displayName: 'Jo', familyName: 'Ng', timeZone: 'America/Denver' },
  'patients.consent': { state: 'OPTED_OUT', note: 'asked at the desk' },
  'providers.create': { displayName: 'Dr. New', providerType: 'APP', locationIds: ['loc-main'] },
  'providers.update': { displayName: 'Dr. New', providerType: 'APP', locationIds: ['loc-main'] },
  'locations.create': { displayName: 'East' },
  'locations.update': { displayName: 'East' },
};

const EXTREME_DATES = ['9999-12-31', '0000-01-01', '0001-01-01', '1970-01-01', '2101-01-01', '1999-12-31'];
const EXTREME_DATE_TIMES = [
  '9999-12-31T23:59:59Z',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+14:00',
  '1970-01-01T00:00:00Z',
  '2101-01-01T00:00:00Z',
];
/** Path and query ids that are not ids (the id schema: letters, digits, - and _, at most 64). */
const ODD_IDS = [
  'x'.repeat(65),
  'a%20b',
  'a.b',
  'PATIENT%23x',
  '%00',
  '%E2%80%AE',
  '%F0%9F%98%80',
  '%ED%A0%80',
  '..',
  'a%2Fb',
];

interface Case {
  label: string;
  method: string;
  path: string;
  body?: unknown;
  /** The field a 400 must name, when there is exactly one to name. */
  field?: string;
  expect?: number[];
}

/** Every string leaf of `body` that is an ISO date-time, replaced one at a time by `value`. */
function withEachDateTime(body: unknown, value: string): Array<{ where: string; body: unknown }> {
  const out: Array<{ where: string; body: unknown }> = [];
  const walk = (node: unknown, path: string[]) => {
    if (typeof node === 'string' && /^\d{4}-\d\d-\d\dT/.test(node)) {
      const copy = structuredClone(body) as Record<string, unknown>;
      let cursor = copy;
      for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string, unknown>;
      cursor[path.at(-1) as string] = value;
      out.push({ where: path.join('.'), body: copy });
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
    }
  };
  walk(body, []);
  return out;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function todayIn(zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());
}

function corpus(): Case[] {
  const cases: Case[] = [];
  const today = todayIn('America/Chicago');
  const utcToday = new Date().toISOString().slice(0, 10);
  for (const route of ADMIN_ROUTES) {
    const name = `${route.method} ${route.path}`;
    const valid = VALID_BODIES[route.id];
    if ('query' in route) {
      const shape = (route as { query: { shape: Record<string, unknown> } }).query.shape;
      for (const key of ['date', 'from', 'to'].filter((k) => k in shape)) {
        for (const value of [...EXTREME_DATES, ...(route.id === 'slots.list' ? EXTREME_DATE_TIMES : [])]) {
          cases.push({
            label: `${name} ?${key}=${value}`,
            method: route.method,
            path: `${pathOf(route)}?${key}=${encodeURIComponent(value)}`,
            field: key,
            expect: [400],
          });
        }
      }
      if ('from' in shape && 'to' in shape) {
        cases.push({
          label: `${name} far-future range`,
          method: route.method,
          path: `${pathOf(route)}?from=9999-10-01&to=9999-12-31`,
          expect: [400],
        });
      }
      if ('locationId' in shape) {
        for (const id of ODD_IDS) {
          cases.push({
            label: `${name} ?locationId=${id}`,
            method: route.method,
            path: `${pathOf(route)}?locationId=${id}`,
            field: 'locationId',
            expect: [400],
          });
        }
      }
      // Cursors of the right shape and partition whose sort key lies outside what the query reads.
      if ('cursor' in shape) {
        const forged: Record<string, unknown[]> = {
          'slots.list': [
            { pk: 'SLOT#x', sk: 'SLOT', gsi1pk: 'SLOTS#OPEN', gsi1sk: '0000' },
            { pk: 'SLOT#x', sk: 'SLOT', gsi1pk: 'SLOTS#OPEN', gsi1sk: '~~~~' },
          ],
          'waitlist.list': [{ pk: 'PATIENT#x', sk: 'ENTRY#y', gsi1pk: 'WAITLIST', gsi1sk: '\u0000' }],
          'messages.list': [
            { pk: 'MSG#x', sk: 'MSG', gsi1pk: `MSGLOG#${utcToday}`, gsi1sk: '0000' },
            { pk: 'MSG#x', sk: 'MSG', gsi1pk: `MSGLOG#${utcToday}`, gsi1sk: '~~~~' },
          ],
          'audit.list': [{ pk: `AUDIT#${today}`, sk: '~' }],
        };
        const query =
          route.id === 'slots.list'
            ? `from=${today}&to=${today}&`
            : route.id === 'messages.list' || route.id === 'audit.list'
              ? `date=${today}&`
              : '';
        for (const key of forged[route.id] ?? []) {
          cases.push({
            label: `${name} forged cursor ${JSON.stringify(key)}`,
            method: route.method,
            path: `${pathOf(route)}?${query}cursor=${b64(key)}`,
            field: 'cursor',
            expect: [400],
          });
        }
      }
    }
    if (route.path.includes('{')) {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
      for (const id of ODD_IDS) {
        for (const param of names) {
          cases.push({
            label: `${name} ${param}=${id}`,
            method: route.method,
            path: pathOf(route, { [param]: id }),
            body: valid,
            field: param,
            expect: [400, 404],
          });
        }
      }
    }
    if (valid && typeof valid === 'object') {
      for (const value of EXTREME_DATE_TIMES) {
        for (const { where, body } of withEachDateTime(valid, value)) {
          cases.push({
            label: `${name} ${where}=${value}`,
            method: route.method,
            path: pathOf(route),
            body,
            field: where,
            expect: [400],
          });
        }
      }
    }
  }
  return cases;
}

function expectErrorShape(reply: Reply, label: string) {
  const body = reply.body as { error?: { code?: string; message?: string } };
  expect(body.error?.code, label).toMatch(/^[A-Z_]+$/);
  expect(body.error?.message, label).toBeTruthy();
}

beforeAll(async () => {
  app = await startAdminApp();
});

afterAll(async () => {
  await app?.close();
});

describe('extreme dates, odd ids and forged cursors on every route', () => {
  it('answers every case with a 4xx naming the field, never a 5xx, and writes nothing', async () => {
    const cases = corpus();
    expect(cases.length).toBeGreaterThan(200);
    const before = await app.countItems();
    const failures: string[] = [];
    for (const c of cases) {
      const reply = await app.call(
        jsonEvent({ method: c.method, path: c.path, body: c.body, claims: ADMIN_CLAIMS }),
      );
      if (!(c.expect ?? [400, 404]).includes(reply.status)) {
        failures.push(`${c.label}: ${reply.status} ${reply.text.slice(0, 200)}`);
        continue;
      }
      expectErrorShape(reply, c.label);
      if (reply.status === 400 && c.field) {
        const fields = (reply.body as { error: { fields?: Record<string, string> } }).error.fields ?? {};
        if (!(c.field in fields)) failures.push(`${c.label}: 400 does not name ${c.field}: ${reply.text}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await app.countItems()).toBe(before);
  });

  it('says which dates are accepted', async () => {
    const messages = await app.call(jsonEvent({ method: 'GET', path: '/admin/messages?date=9999-12-31' }));
    expect(messages.status).toBe(400);
    expect((messages.body as { error: { fields: Record<string, string> } }).error.fields.date).toBe(
      'must be a date from 2000-01-01 to 2100-12-31',
    );
    const metrics = await app.call(
      jsonEvent({ method: 'GET', path: '/admin/metrics?from=9999-10-01&to=9999-12-31' }),
    );
    expect(metrics.status).toBe(400);
    expect((metrics.body as { error: { fields: Record<string, string> } }).error.fields).toEqual({
      from: 'must be a date from 2000-01-01 to 2100-12-31',
      to: 'must be a date from 2000-01-01 to 2100-12-31',
    });
  });

  it('still pages through every list with the cursors it hands out', async () => {
    const today = todayIn('America/Chicago');
    for (let i = 0; i < 3; i++) {
      const slot = await app.call(
        jsonEvent({
          method: 'POST',
          path: '/admin/slots',
          body: {
            ...(VALID_BODIES['slots.create'] as object),
            startAt: new Date(Date.now() + (50 + i) * 3600_000).toISOString(),
          },
        }),
      );
      expect(slot.status, slot.text).toBe(201);
    }
    const to = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    for (const base of [
      `/admin/slots?from=${today}&to=${to}`,
      '/admin/slots?',
      `/admin/audit?date=${today}`,
    ]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const sep = base.endsWith('?') ? '' : '&';
        const reply = await app.call(
          jsonEvent({
            method: 'GET',
            path: `${base}${sep}limit=1${cursor ? `&cursor=${cursor}` : ''}`,
            claims: ADMIN_CLAIMS,
          }),
        );
        expect(reply.status, `${base}: ${reply.text}`).toBe(200);
        const page = reply.body as { items: Array<{ slotId?: string; auditId?: string }>; cursor?: string };
        seen.push(...page.items.map((item) => item.slotId ?? item.auditId ?? ''));
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 10);
      expect(new Set(seen).size, base).toBe(3);
    }
  });

  it('still accepts the edges of the range', async () => {
    for (const path of [
      '/admin/messages?date=2000-01-01',
      '/admin/messages?date=2100-12-31',
      '/admin/audit?date=2100-12-31',
      '/admin/metrics?from=2100-10-01&to=2100-12-31',
      '/admin/metrics?from=2000-01-01&to=2000-01-31',
      '/admin/slots?from=2000-01-01&to=2100-12-31',
    ]) {
      const reply = await app.call(jsonEvent({ method: 'GET', path, claims: ADMIN_CLAIMS }));
      expect(reply.status, `${path}: ${reply.text.slice(0, 200)}`).toBe(200);
    }
  });
});
