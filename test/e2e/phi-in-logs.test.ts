import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningLocalStack, startLocalStack } from '../../local/stack.js';

/**
 * The README's promise, checked: no phone number, patient name, family name, note or message body in
 * any log line of any handler. The whole flow runs on the local stack (admin API, the scheduler target,
 * both Twilio webhooks, delivery callbacks, a bad request and an error path) at DEBUG, with every byte
 * written to stdout and stderr captured.
 */
let stack: RunningLocalStack;
let token: string;
const captured: string[] = [];
const restore: Array<() => void> = [];

// Distinctive, so a match can only be a leak.
const PATIENTS = [
  { phone: '+13125557341', name: 'Quillonia', family: 'Vexbridgeton', note: 'Prefers mornings, knee brace' },
  { phone: '+13125557342', name: 'Marisebel', family: 'Thornquistel', note: 'Asked about ankle scan' },
  { phone: '+13125557343', name: 'Ozzimandia', family: 'Pellucidari', note: 'Hearing aid, call loudly' },
];
const BODIES = [
  'YES absolutely zebrafinch',
  'no thank you marmalade',
  'what time is the gondolier visit',
  'STOP',
  'HELP',
];

function capture(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream);
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
  restore.push(() => {
    stream.write = original as typeof stream.write;
  });
}

async function until<T>(what: string, probe: () => T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${stack.urls.gateway}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  capture(process.stdout);
  capture(process.stderr);
  stack = await startLocalStack({
    port: 0,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `phi-logs-${Date.now()}`,
    statusDelayMs: 20,
    env: {
      ...process.env,
      CLINIC_NAME: 'Lakeside',
      BATCH_SIZE: '3',
      FIRST_BATCH_DELAY_MINUTES: '0',
      CONTACT_HOURS_START: '00:00',
      CONTACT_HOURS_END: '24:00',
      // ...and leave out federal/state quiet hours (never off in a deployment).
      LEGAL_QUIET_HOURS: 'false',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
    },
  });
  token = (await stack.auth.issueToken({ role: 'admin', name: 'Alex' })).token;
});

afterAll(async () => {
  await stack?.stop();
  for (const undo of restore) undo();
});

describe('no PHI in any log line', () => {
  it('a whole day of the system logs ids, counts and masked phones only', async () => {
    expect(
      (await api('POST', '/admin/locations', { locationId: 'main', displayName: 'Main St' })).status,
    ).toBe(201);
    expect(
      (
        await api('POST', '/admin/providers', {
          providerId: 'dr-lee',
          displayName: 'Dr. Lee',
          providerType: 'MD/DO',
          locationIds: ['main'],
        })
      ).status,
    ).toBe(201);
    for (const p of PATIENTS) {
      const created = await api('POST', '/admin/waitlist', {
        patient: { phone: p.phone, displayName: p.name, familyName: p.family, consentSource: 'VERBAL' },
        entry: { notes: p.note, currentAppointmentAt: new Date(Date.now() + 90 * 86_400_000).toISOString() },
      });
      expect(created.status, created.text).toBe(201);
    }
    // A bad request (its phone and name must not be echoed into the log either).
    const bad = await api('POST', '/admin/waitlist', {
      patient: { phone: '+1312555734', displayName: 'Quillonia', consentSource: 'VERBAL' },
    });
    expect(bad.status).toBe(400);
    const slot = await api('POST', '/admin/slots', {
      providerId: 'dr-lee',
      locationId: 'main',
      visitType: 'follow-up',
      startAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      durationMinutes: 30,
    });
    expect(slot.status, slot.text).toBe(201);
    const simulator = stack.simulator;
    if (!simulator) throw new Error('simulator not running');
    await until('three offers', () => {
      const out = simulator.messages().filter((m) => m.direction === 'outbound-api');
      return out.length >= 3 ? out : undefined;
    });
    await simulator.settled();
    const [a, b, c] = PATIENTS as [
      (typeof PATIENTS)[number],
      (typeof PATIENTS)[number],
      (typeof PATIENTS)[number],
    ];
    for (const [phone, body] of [
      [c.phone, BODIES[2]],
      [a.phone, BODIES[0]],
      [b.phone, BODIES[1]],
      [c.phone, BODIES[4]],
      [c.phone, BODIES[3]],
    ] as const) {
      expect((await simulator.reply(phone, body as string)).status).toBe(200);
    }
    // An unknown sender, and the staff views that read everything back.
    expect((await simulator.reply('+13125557399', 'YES from a stranger quokka')).status).toBe(200);
    await simulator.settled();
    expect((await api('GET', '/admin/waitlist')).status).toBe(200);
    expect((await api('GET', '/admin/waitlist/export')).status).toBe(200);
    const day = new Date().toISOString().slice(0, 10);
    expect((await api('GET', `/admin/messages?date=${day}`)).status).toBe(200);

    const log = captured.join('');
    expect(log.length).toBeGreaterThan(1_000); // the handlers really logged at DEBUG
    const secrets = [
      ...PATIENTS.flatMap((p) => [p.phone, p.phone.slice(2), p.name, p.family, p.note]),
      '+13125557399',
      '3125557399',
      ...BODIES.filter((body) => body.length > 4),
      'YES from a stranger quokka',
      '+1312555734',
    ];
    const leaks = secrets.filter((secret) => log.includes(secret));
    expect(leaks).toEqual([]);
  });
});
