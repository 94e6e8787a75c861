import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES, type AdminRoute } from '../../shared/admin/contract.js';
import { ADMIN_CLAIMS, jsonEvent, STAFF_CLAIMS } from '../support/admin-events.js';
import { type AdminApp, type Reply, startAdminApp } from './support/admin-app.js';

/**
 * The edge of every route, enumerated from ADMIN_ROUTES (never hand-picked): who may call it, and what a
 * bad request gets back. Bad requests must be a 4xx in the one error shape, and must write nothing.
 */

let app: AdminApp;
const UNKNOWN = '01JUNKNOWNID0000000000000X';

/** A path for the route with every parameter filled. */
function pathOf(route: AdminRoute, values: Record<string, string> = {}): string {
  return route.path.replace(/\{(\w+)\}/g, (_m, name: string) => values[name] ?? UNKNOWN);
}

/** A body each route accepts (ids may still be unknown: that is the 404 case). */
const VALID_BODIES: Record<string, unknown> = {
  'inbox.reply': { body: 'Thanks, see you then.' },
  'slots.create': {
    providerId: 'prov-lee',
    locationId: 'loc-main',
    startAt: new Date(Date.now() + 48 * 3600_000).toISOString(),
    durationMinutes: 30,
    visitType: 'follow-up',
  },
  'slots.withdraw': {},
  'slots.nextBatch': { afterBatch: 1 },
  'slots.update': { durationMinutes: 45 },
  'slots.booked': {},
  'waitlist.create': {
    patient: { phone: '312-555-7788', displayName: 'Jo', consentSource: 'VERBAL' },
    entry: { urgent: false },
  },
  'waitlist.update': { urgent: true },
  'waitlist.boost': { boost: 10, reason: 'clinical need' },
  'waitlist.deactivate': { reason: 'moved away' },
  'patients.update': { language: 'es' },
  'patients.consent': { state: 'OPTED_OUT', note: 'asked at the desk' },
  'providers.create': { displayName: 'Dr. New', providerType: 'APP', locationIds: ['loc-main'] },
  'providers.update': { displayName: 'Dr. New', providerType: 'APP', locationIds: ['loc-main'] },
  'locations.create': { displayName: 'East' },
  'locations.update': { displayName: 'East' },
  'visitTypes.create': { name: 'Annual', durationMinutes: 30 },
  'visitTypes.update': { name: 'Annual', durationMinutes: 30 },
};

function expectErrorShape(reply: Reply, label: string) {
  expect(reply.status, `${label}: ${reply.text}`).toBeGreaterThanOrEqual(400);
  expect(reply.status, `${label}: ${reply.text}`).toBeLessThan(500);
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

describe('auth, for every route in ADMIN_ROUTES', () => {
  it('answers 401 to a request without verified claims, on every route', async () => {
    for (const route of ADMIN_ROUTES) {
      const reply = await app.call(
        jsonEvent({ method: route.method, path: pathOf(route), body: VALID_BODIES[route.id], claims: null }),
      );
      expect(reply.status, `${route.method} ${route.path}`).toBe(401);
      expect((reply.body as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    }
  });

  it('answers 403 to staff on every admin-only route, and lets admins past authorisation everywhere', async () => {
    const adminOnly = ADMIN_ROUTES.filter((r) => r.role === 'admin');
    expect(adminOnly.map((r) => r.id).sort()).toEqual(
      [
        'audit.list',
        'config',
        'locations.create',
        'locations.update',
        'providers.create',
        'providers.update',
        'visitTypes.create',
        'visitTypes.update',
      ].sort(),
    );
    for (const route of adminOnly) {
      const before = await app.countItems();
      const reply = await app.call(
        jsonEvent({
          method: route.method,
          path: pathOf(route),
          body: VALID_BODIES[route.id],
          claims: STAFF_CLAIMS,
        }),
      );
      expect(reply.status, `${route.method} ${route.path}`).toBe(403);
      expect(await app.countItems()).toBe(before);
    }
    for (const route of ADMIN_ROUTES) {
      const reply = await app.call(
        jsonEvent({
          method: route.method,
          path: pathOf(route),
          body: VALID_BODIES[route.id],
          claims: ADMIN_CLAIMS,
        }),
      );
      expect([401, 403], `${route.method} ${route.path}`).not.toContain(reply.status);
      expect(reply.status, `${route.method} ${route.path}: ${reply.text}`).toBeLessThan(500);
    }
  });

  it('answers 403 to a verified user in neither group', async () => {
    const reply = await app.call(
      jsonEvent({
        method: 'GET',
        path: '/admin/health',
        claims: { sub: 'x', 'cognito:groups': '[billing]' },
      }),
    );
    expect(reply.status).toBe(403);
  });

  it('never grants a role from a group whose name merely contains one (commas, quotes, no brackets)', async () => {
    const cases: Array<[string | string[], string[]]> = [
      ['x,admin', []],
      ['staff,admin', []],
      ['[x,admin]', []],
      ['[x,admin staff]', ['staff']],
      ['[staff x,admin]', ['staff']],
      ['["x,admin"]', []],
      ['["x,admin","staff"]', ['staff']],
      [['x,admin'], []],
      [['x,admin', 'staff'], ['staff']],
      ['["admin"', []],
      ['"admin"', []],
      ['[Admin]', []],
      ['admin', []],
      ['admin staff', []],
      ['', []],
      ['[]', []],
    ];
    for (const [groups, roles] of cases) {
      const reply = await app.call(
        jsonEvent({ method: 'GET', path: '/admin/me', claims: { sub: 's-1', 'cognito:groups': groups } }),
      );
      const label = JSON.stringify(groups);
      if (roles.length === 0) {
        expect(reply.status, `${label}: ${reply.text}`).toBe(403);
      } else {
        expect(reply.status, label).toBe(200);
        expect((reply.body as { roles: string[] }).roles, label).toEqual(roles);
      }
    }
  });

  it('reads groups in every form API Gateway delivers them', async () => {
    // "[a b]" is how the HTTP API JWT authorizer flattens an array claim (and how the local stack does);
    // a JSON array string comes from a token whose claim was set as a string; a real array from tests.
    for (const groups of [
      '[staff admin]',
      '[admin staff]',
      '["staff","admin"]',
      '[admin]',
      ['staff', 'admin'],
    ]) {
      const reply = await app.call(
        jsonEvent({ method: 'GET', path: '/admin/me', claims: { sub: 's-1', 'cognito:groups': groups } }),
      );
      expect(reply.status, String(groups)).toBe(200);
      expect((reply.body as { roles: string[] }).roles, String(groups)).toEqual(['staff', 'admin']);
    }
    const staff = await app.call(jsonEvent({ method: 'GET', path: '/admin/me', claims: STAFF_CLAIMS }));
    expect(staff.body).toEqual({
      sub: STAFF_CLAIMS.sub,
      name: STAFF_CLAIMS.name,
      email: STAFF_CLAIMS.email,
      roles: ['staff'],
      // Staff cannot read /admin/config: the dashboard shows and reads times in the clinic's zone from here.
      clinic: {
        name: 'Lakeside',
        timeZone: 'America/Chicago',
        contactHours: { start: '00:00', end: '24:00' },
        batchSize: 3,
        holdMinutes: 7,
        maxSlotBatchSize: 10,
      },
    });
  });

  it('gives CORS headers to the dashboard origin only, and answers preflight without a token', async () => {
    const origin = 'https://dashboard.clinic.example';
    const ok = await app.call(jsonEvent({ method: 'GET', path: '/admin/health', headers: { origin } }));
    expect(ok.headers['access-control-allow-origin']).toBe(origin);
    const other = await app.call(
      jsonEvent({ method: 'GET', path: '/admin/health', headers: { origin: 'https://evil.example' } }),
    );
    expect(other.status).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await app.call(
      jsonEvent({ method: 'OPTIONS', path: '/admin/slots', claims: null, headers: { origin } }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(origin);
    expect(preflight.headers['access-control-allow-headers']).toContain('authorization');
    // Errors carry the CORS header too, or the dashboard could not read them.
    const denied = await app.call(jsonEvent({ method: 'GET', path: '/admin/audit', headers: { origin } }));
    expect(denied.status).toBe(403);
    expect(denied.headers['access-control-allow-origin']).toBe(origin);
  });

  it('answers unknown paths 404 and wrong methods 405, in the error shape', async () => {
    const missing = await app.call(jsonEvent({ method: 'GET', path: '/admin/nope' }));
    expect(missing.status).toBe(404);
    expectErrorShape(missing, 'unknown path');
    const wrong = await app.call(jsonEvent({ method: 'DELETE', path: '/admin/slots' }));
    expect(wrong.status).toBe(405);
    expectErrorShape(wrong, 'wrong method');
  });
});

describe('bad input on every route', () => {
  interface BadCase {
    label: string;
    method: string;
    path: string;
    body?: unknown;
    contentType?: string | null;
    expect?: number[];
  }

  const OVERSIZED = 'x'.repeat(5_000);
  const SCRIPT = '<script>alert("x")</script>';

  /** Every string leaf of a body, replaced one at a time by `value`. */
  function withEachString(body: unknown, value: unknown): Array<{ where: string; body: unknown }> {
    const out: Array<{ where: string; body: unknown }> = [];
    const walk = (node: unknown, path: Array<string | number>) => {
      if (typeof node === 'string') {
        const copy = structuredClone(body) as Record<string, unknown>;
        let cursor: Record<string | number, unknown> = copy;
        for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string | number, unknown>;
        cursor[path.at(-1) as string | number] = value;
        out.push({ where: path.join('.'), body: copy });
      } else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) walk(v, [...path, Array.isArray(node) ? Number(k) : k]);
      }
    };
    walk(body, []);
    return out;
  }

  function corpus(): BadCase[] {
    const cases: BadCase[] = [];
    for (const route of ADMIN_ROUTES) {
      const name = `${route.method} ${route.path}`;
      const valid = VALID_BODIES[route.id];
      if ('body' in route) {
        for (const wrong of [[], 'text', 42, null, { unexpectedField: 1 }]) {
          cases.push({
            label: `${name} body ${JSON.stringify(wrong)}`,
            method: route.method,
            path: pathOf(route),
            body: JSON.stringify(wrong),
          });
        }
        // A "__proto__" key is an own property of parsed JSON: it must be refused like any unknown field,
        // not vanish into an object's prototype and let the request through.
        const validJson = valid && typeof valid === 'object' ? JSON.stringify(valid).slice(1, -1) : '';
        for (const key of ['__proto__', 'constructor']) {
          cases.push({
            label: `${name} with a ${key} key`,
            method: route.method,
            path: pathOf(route),
            body: `{"${key}":{"polluted":1}${validJson ? `,${validJson}` : ''}}`,
            expect: [400],
          });
        }
        cases.push({
          label: `${name} broken JSON`,
          method: route.method,
          path: pathOf(route),
          body: '{"a":',
        });
        cases.push({
          label: `${name} form body`,
          method: route.method,
          path: pathOf(route),
          body: 'a=1&b=2',
          contentType: 'application/x-www-form-urlencoded',
        });
        if (valid && typeof valid === 'object' && Object.keys(valid).length > 0) {
          for (const key of Object.keys(valid)) {
            const missing = { ...(valid as Record<string, unknown>) };
            delete missing[key];
            // Optional fields (every field of a PATCH, a provider's locations) are not "missing".
            if (route.id === 'waitlist.update' || key === 'locationIds') continue;
            cases.push({
              label: `${name} missing ${key}`,
              method: route.method,
              path: pathOf(route),
              body: missing,
            });
          }
          for (const { where, body } of withEachString(valid, OVERSIZED)) {
            cases.push({
              label: `${name} oversized ${where}`,
              method: route.method,
              path: pathOf(route),
              body,
            });
          }
          for (const { where, body } of withEachString(valid, 12345)) {
            cases.push({
              label: `${name} number for ${where}`,
              method: route.method,
              path: pathOf(route),
              body,
            });
          }
          for (const { where, body } of withEachString(valid, 'Jo\u202Eeno\u200Bra')) {
            cases.push({
              label: `${name} invisible format characters in ${where}`,
              method: route.method,
              path: pathOf(route),
              body,
            });
          }
          // Half of an emoji: not a character, so not text (a lone UTF-16 surrogate survives JSON).
          for (const { where, body } of withEachString(valid, 'Jo \uD83D')) {
            cases.push({
              label: `${name} lone surrogate in ${where}`,
              method: route.method,
              path: pathOf(route),
              body,
            });
          }
          for (const { where, body } of withEachString(valid, 'bad\u0000value')) {
            cases.push({
              label: `${name} control character in ${where}`,
              method: route.method,
              path: pathOf(route),
              body,
            });
          }
          for (const { where, body } of withEachString(valid, SCRIPT)) {
            // Too long for any name field, not an id, not a phone: refused. Short markup is stored as
            // text (see the waitlist tests); it is never escaped or executed by the API.
            if (
              where.endsWith('startAt') ||
              where.endsWith('reason') ||
              where.endsWith('note') ||
              where.endsWith('visitType') ||
              // A catalogue visit type's name is the same text a slot's visitType is.
              (route.id.startsWith('visitTypes.') && where === 'name')
            )
              continue;
            cases.push({
              label: `${name} script in ${where}`,
              method: route.method,
              path: pathOf(route),
              body,
            });
          }
        }
      }
      if (route.path.includes('{')) {
        cases.push({
          label: `${name} unknown id`,
          method: route.method,
          path: pathOf(route),
          body: valid,
          expect: [404],
        });
        cases.push({
          label: `${name} malformed id`,
          method: route.method,
          path: pathOf(route, {
            slotId: 'a%20b',
            patientId: '%3Cscript%3E',
            entryId: 'x'.repeat(100),
            providerId: 'a%2Fb',
            locationId: '..',
          }),
          body: valid,
          expect: [400, 404],
        });
      }
      if ('query' in route) {
        for (const q of [
          'cursor=not-a-cursor!',
          `cursor=${Buffer.from('{"pk":"PATIENT#1","sk":"PROFILE"}').toString('base64url')}`,
          `cursor=${Buffer.from('[1,2]').toString('base64url')}`,
        ]) {
          if (route.id === 'metrics' || route.id === 'patients.get') continue;
          cases.push({
            label: `${name} ?${q}`,
            method: route.method,
            path: `${pathOf(route)}?${q}`,
            expect: [400],
          });
        }
        for (const q of [
          'limit=abc',
          'limit=0',
          'limit=100000',
          'status=BOGUS',
          'from=yesterday',
          'date=2026-13-45',
          'last4=12a4',
          'direction=SIDEWAYS',
          'urgent=maybe',
          'reveal=yes',
          'to=1',
          'providerType=DENTIST',
        ]) {
          const key = q.split('=')[0] as string;
          const shape = (route as { query: { shape: Record<string, unknown> } }).query.shape;
          if (!(key in shape)) continue;
          cases.push({
            label: `${name} ?${q}`,
            method: route.method,
            path: `${pathOf(route)}?${q}`,
            expect: [400, 404],
          });
        }
      }
    }
    // Domain-level refusals: valid shapes, impossible requests.
    cases.push({
      label: 'slot in the past',
      method: 'POST',
      path: '/admin/slots',
      body: { ...(VALID_BODIES['slots.create'] as object), startAt: '2020-01-01T10:00:00Z' },
      expect: [400],
    });
    cases.push({
      label: 'slot with an unknown provider',
      method: 'POST',
      path: '/admin/slots',
      body: { ...(VALID_BODIES['slots.create'] as object), providerId: 'prov-nobody' },
      expect: [400],
    });
    cases.push({
      label: 'slot at a location its provider does not work at',
      method: 'POST',
      path: '/admin/slots',
      body: { ...(VALID_BODIES['slots.create'] as object), locationId: 'loc-north' },
      expect: [400],
    });
    cases.push({
      label: 'slot in the year 9999',
      method: 'POST',
      path: '/admin/slots',
      body: { ...(VALID_BODIES['slots.create'] as object), startAt: '9999-12-31T23:59:59Z' },
      expect: [400],
    });
    cases.push({
      label: 'slot lasting 1000 minutes',
      method: 'POST',
      path: '/admin/slots',
      body: { ...(VALID_BODIES['slots.create'] as object), durationMinutes: 1000 },
      expect: [400],
    });
    cases.push({
      label: 'boost 41',
      method: 'POST',
      path: `/admin/waitlist/${UNKNOWN}/${UNKNOWN}/boost`,
      body: { boost: 41, reason: 'x' },
      expect: [400],
    });
    cases.push({
      label: 'boost without reason',
      method: 'POST',
      path: '/admin/waitlist',
      body: {
        patient: { phone: '3125550123', displayName: 'Al', consentSource: 'VERBAL' },
        entry: { boost: 5 },
      },
      expect: [400],
    });
    cases.push({
      label: 'invalid phone',
      method: 'POST',
      path: '/admin/waitlist',
      body: { patient: { phone: '123', displayName: 'Al', consentSource: 'VERBAL' }, entry: {} },
      expect: [400],
    });
    cases.push({
      label: 'bad time zone',
      method: 'POST',
      path: '/admin/waitlist',
      body: {
        patient: {
          phone: '3125550124',
          displayName: 'Al',
          consentSource: 'VERBAL',
          timeZone: 'Mars/Olympus',
        },
        entry: {},
      },
      expect: [400],
    });
    cases.push({
      label: 'unknown preferred location',
      method: 'POST',
      path: '/admin/waitlist',
      body: {
        patient: { phone: '3125550125', displayName: 'Al', consentSource: 'VERBAL' },
        entry: { preferences: { locationIds: ['loc-moon'] } },
      },
      expect: [400],
    });
    cases.push({
      label: 'provider at an unknown location',
      method: 'POST',
      path: '/admin/providers',
      body: { displayName: 'Dr. X', providerType: 'APP', locationIds: ['loc-moon'] },
      expect: [400],
    });
    cases.push({
      label: 'duplicate provider id',
      method: 'POST',
      path: '/admin/providers',
      body: { providerId: 'prov-lee', displayName: 'Dr. X', providerType: 'APP' },
      expect: [409],
    });
    cases.push({
      label: 'provider name over the SMS limit',
      method: 'POST',
      path: '/admin/providers',
      body: { displayName: 'Dr. Bartholomew Fitzgerald', providerType: 'APP' },
      expect: [400],
    });
    cases.push({
      label: 'metrics range too long',
      method: 'GET',
      path: '/admin/metrics?from=2025-01-01&to=2025-12-31',
      expect: [400],
    });
    cases.push({
      label: 'metrics from after to',
      method: 'GET',
      path: '/admin/metrics?from=2025-02-01&to=2025-01-01',
      expect: [400],
    });
    cases.push({
      label: 'slots from after to',
      method: 'GET',
      path: '/admin/slots?from=2026-02-01&to=2026-01-01',
      expect: [400],
    });
    cases.push({
      label: 'withdraw unknown slot',
      method: 'POST',
      path: `/admin/slots/${UNKNOWN}/withdraw`,
      expect: [404],
    });
    return cases;
  }

  it('answers every case with a 4xx in the one error shape, never a 5xx, and writes nothing', async () => {
    const cases = corpus();
    expect(cases.length).toBeGreaterThan(150);
    const before = await app.countItems();
    const failures: string[] = [];
    for (const c of cases) {
      const method = c.method;
      const reply = await app.call(
        jsonEvent({ method, path: c.path, body: c.body, contentType: c.contentType, claims: ADMIN_CLAIMS }),
      );
      const allowed = c.expect ?? [400, 404, 413, 415];
      if (!allowed.includes(reply.status))
        failures.push(`${c.label}: ${reply.status} ${reply.text.slice(0, 200)}`);
      else expectErrorShape(reply, c.label);
      if (reply.status === 400) {
        const error = (reply.body as { error: { code: string; fields?: Record<string, string> } }).error;
        expect(error.code, c.label).toBe('VALIDATION');
        expect(Object.keys(error.fields ?? {}).length, `${c.label} names the bad field`).toBeGreaterThan(0);
      }
    }
    expect(failures).toEqual([]);
    expect(await app.countItems()).toBe(before);
  });

  it.each([
    ['+44 20 7946 0958', 'must be a US or Canadian mobile number'],
    ['900-555-0199', 'is a premium-rate number'],
    ['call me maybe', 'is not a valid phone number'],
  ])('refuses the phone %s: %s', async (phone, message) => {
    const reply = await app.call(
      jsonEvent({
        method: 'POST',
        path: '/admin/waitlist',
        body: { patient: { phone, displayName: 'Ana', consentSource: 'VERBAL' }, entry: {} },
      }),
    );
    expect(reply.status).toBe(400);
    expect((reply.body as { error: { fields: Record<string, string> } }).error.fields['patient.phone']).toBe(
      message,
    );
  });

  it('names each bad field in a 400', async () => {
    const reply = await app.call(
      jsonEvent({
        method: 'POST',
        path: '/admin/waitlist',
        body: {
          patient: { phone: 'call me', displayName: '', consentSource: 'EMAIL', extra: true },
          entry: { boost: 90, preferences: { providerTypes: ['DENTIST'] } },
        },
      }),
    );
    expect(reply.status).toBe(400);
    const fields = (reply.body as { error: { fields: Record<string, string> } }).error.fields;
    expect(fields).toMatchObject({
      'patient.phone': 'is not a valid phone number',
      'patient.displayName': 'must not be empty',
      'patient.consentSource': 'must be VERBAL, WRITTEN or PORTAL',
      'patient.extra': 'is not a known field',
      'entry.boost': 'must be 0-40',
      'entry.preferences.providerTypes.0': 'must be MD/DO or APP',
    });
    const missing = await app.call(jsonEvent({ method: 'POST', path: '/admin/slots', body: {} }));
    expect((missing.body as { error: { fields: Record<string, string> } }).error.fields).toMatchObject({
      providerId: 'is required',
      startAt: 'is required',
      durationMinutes: 'is required',
    });
  });
});
