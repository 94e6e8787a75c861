import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningLocalStack, startLocalStack } from '../../local/stack.js';
import { ADMIN_ROUTES } from '../../shared/admin/contract.js';

/**
 * The whole system over HTTP on the local stack, as a developer or the dashboard uses it: the real
 * handlers behind the local API gateway (JWT authorizer included), the real EventBridge Scheduler adapter
 * against the emulator, the real twilio SDK against the SMS simulator, signed webhooks, DynamoDB Local.
 */
let stack: RunningLocalStack;
let staffToken: string;
let adminToken: string;

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  token = staffToken,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${stack.urls.gateway}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `e2e-${Date.now()}`,
    statusDelayMs: 20,
    env: {
      ...process.env,
      CLINIC_NAME: 'Lakeside',
      BATCH_SIZE: '5',
      FIRST_BATCH_DELAY_MINUTES: '0',
      // The test runs at any hour: open the contact window all day.
      CONTACT_HOURS_START: '00:00',
      CONTACT_HOURS_END: '24:00',
      // ...and leave out federal/state quiet hours (never off in a deployment).
      LEGAL_QUIET_HOURS: 'false',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
  });
  staffToken = (await stack.auth.issueToken({ role: 'staff', name: 'Casey' })).token;
  adminToken = (await stack.auth.issueToken({ role: 'admin', name: 'Alex' })).token;
});

afterAll(async () => {
  await stack?.stop();
});

describe('end to end on the local stack', () => {
  it('add patients → log a cancellation → offers by SMS → five YES at once → one booked, four told, slot FILLED with its timeline', async () => {
    const location = await api(
      'POST',
      '/admin/locations',
      { locationId: 'main', displayName: 'Main St' },
      adminToken,
    );
    expect(location.status, JSON.stringify(location.body)).toBe(201);
    const provider = await api(
      'POST',
      '/admin/providers',
      { providerId: 'dr-lee', displayName: 'Dr. Lee', providerType: 'MD/DO', locationIds: ['main'] },
      adminToken,
    );
    expect(provider.status, JSON.stringify(provider.body)).toBe(201);
    const phones = ['+13125550100', '+13125550101', '+13125550102', '+13125550103', '+13125550104'];
    for (const [i, phone] of phones.entries()) {
      const created = await api('POST', '/admin/waitlist', {
        patient: {
          phone: phone.replace('+1', '(').replace(/^\((\d{3})/, '($1) '),
          displayName: `Pat${i}`,
          consentSource: 'VERBAL',
        },
        entry: {
          boost: 10 + i,
          boostReason: 'test order',
          currentAppointmentAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    const logged = await api<{ slotId: string }>('POST', '/admin/slots', {
      providerId: 'dr-lee',
      locationId: 'main',
      visitType: 'follow-up',
      startAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      durationMinutes: 30,
    });
    expect(logged.status, JSON.stringify(logged.body)).toBe(201);
    const slotId = logged.body.slotId;
    const simulator = stack.simulator;
    if (!simulator) throw new Error('simulator not running');

    // The scheduler emulator fires batch 1; the scheduler-target handler texts through Twilio's API.
    const offers = await until('five offers in the simulator', () => {
      const out = simulator.messages().filter((m) => m.direction === 'outbound-api');
      return out.length === 5 ? out : undefined;
    });
    expect(offers.map((m) => m.phone).sort()).toEqual([...phones].sort());
    for (const m of offers) {
      expect(m.body).toContain('YES to book');
      expect(m.encoding).toBe('GSM-7');
      expect(m.segments).toBe(1);
    }
    await simulator.settled();

    const replies = await Promise.all(phones.map((phone) => simulator.reply(phone, 'YES')));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const texts = replies.map((r) => r.twimlMessages.join(' '));
    expect(texts.filter((t) => t.includes('booked'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('just taken'))).toHaveLength(4);

    const detail = await api<{
      slot: { status: string; filledByPatientId: string };
      offers: Array<{ state: string }>;
      messages: Array<{ direction: string; deliveryStatus: string }>;
      timeline: unknown[];
    }>('GET', `/admin/slots/${slotId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.slot.status).toBe('FILLED');
    expect(detail.body.offers.map((o) => o.state).sort()).toEqual([
      'ACCEPTED',
      'CANCELLED',
      'CANCELLED',
      'CANCELLED',
      'CANCELLED',
    ]);
    // Every offer text's delivery trail came back through the signed status callback.
    const outbound = detail.body.messages.filter((m) => m.direction === 'OUTBOUND');
    expect(outbound.filter((m) => m.deliveryStatus === 'delivered').length).toBeGreaterThanOrEqual(5);
    expect(detail.body.timeline.length).toBeGreaterThan(0);
  });

  it('refuses every admin route without a token, with an expired or forged token, and admin routes to staff', async () => {
    const expired = (await stack.auth.issueToken({ role: 'admin', expiresInSeconds: -60 })).token;
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ 'cognito:groups': ['admin', 'staff'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'forged' })
      .setIssuer(stack.auth.issuer)
      .setAudience('clinic-backfill-dashboard')
      .setSubject('mallory')
      .setExpirationTime('1h')
      .sign(privateKey);
    const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'x-1');
    for (const route of ADMIN_ROUTES) {
      const path = concrete(route.path);
      for (const token of ['', expired, forged]) {
        const response = await fetch(`${stack.urls.gateway}${path}`, {
          method: route.method,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
        expect(response.status, `${route.method} ${route.path} with ${token ? 'a bad' : 'no'} token`).toBe(
          401,
        );
      }
      if (route.role === 'admin') {
        const staff = await fetch(`${stack.urls.gateway}${path}`, {
          method: route.method,
          headers: { authorization: `Bearer ${staffToken}`, 'content-type': 'application/json' },
          body: route.method === 'GET' ? undefined : '{}',
        });
        expect(staff.status, `${route.method} ${route.path} as staff`).toBe(403);
      }
    }
  });
});
