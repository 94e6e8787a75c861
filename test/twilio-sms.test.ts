import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InMemorySendBudget, SendCapReachedError, withSendCap } from '../shared/adapters/twilio/send-cap.js';
import { TwilioSms, type TwilioSmsOptions } from '../shared/adapters/twilio/twilio-sms.js';
import { type OutboundSms, SmsSendError } from '../shared/ports.js';
import { type FakeTwilio, fault, startFakeTwilio } from './support/fake-twilio.js';

const ACCOUNT_SID = 'AC00000000000000000000000000000001';
const AUTH_TOKEN = 'fake-auth-token';
const MESSAGING_SERVICE_SID = 'MG00000000000000000000000000000001';
const PUBLIC_API_URL = 'https://api.clinic.example/prod-base/';
const PATIENT_PHONE = '+13125550199';

let fake: FakeTwilio;

beforeAll(async () => {
  fake = await startFakeTwilio();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

function adapter(overrides: Partial<TwilioSmsOptions> = {}) {
  const retries: { attempt: number; delayMs: number; code: string }[] = [];
  const sms = new TwilioSms({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    publicApiUrl: PUBLIC_API_URL,
    messagingServiceSid: MESSAGING_SERVICE_SID,
    apiBaseUrl: fake.baseUrl,
    requestTimeoutMs: 300,
    baseDelayMs: 5,
    maxDelayMs: 40,
    onRetry: (info) => retries.push(info),
    ...overrides,
  });
  return { sms, retries };
}

const message = (overrides: Partial<OutboundSms> = {}): OutboundSms => ({
  to: PATIENT_PHONE,
  body: 'Northside: Opening Wed Sep 30 12:30PM with Dr. Lee at Main St. Reply YES to book, NO to pass. Held till 10:07AM',
  messageId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
  patientId: 'p-1',
  slotId: 's-1',
  ...overrides,
});

async function sendError(promise: Promise<unknown>): Promise<SmsSendError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SmsSendError);
    return error as SmsSendError;
  }
  throw new Error('expected the send to fail');
}

describe('TwilioSms against a fake Twilio API, through the real SDK', () => {
  it('posts To, Body, MessagingServiceSid and the StatusCallback, and returns the sid', async () => {
    const { sms } = adapter();
    const receipt = await sms.send(message());

    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request?.basicAuth).toBe(`${ACCOUNT_SID}:${AUTH_TOKEN}`);
    expect(request?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request?.form).toEqual({
      To: PATIENT_PHONE,
      Body: message().body,
      MessagingServiceSid: MESSAGING_SERVICE_SID,
      StatusCallback: 'https://api.clinic.example/prod-base/sms/status?m=01JABCDEFGHJKMNPQRSTVWXYZ0',
    });
    expect(receipt).toEqual({ providerSid: request?.sid, status: 'accepted' });
  });

  it('sends From when no Messaging Service is configured', async () => {
    const { sms } = adapter({ messagingServiceSid: undefined, from: '+13125550100' });
    const receipt = await sms.send(message());
    expect(fake.requests[0]?.form.From).toBe('+13125550100');
    expect(fake.requests[0]?.form).not.toHaveProperty('MessagingServiceSid');
    expect(receipt.status).toBe('queued');
  });

  it('prefers the Messaging Service when both are set', async () => {
    const { sms } = adapter({ from: '+13125550100' });
    await sms.send(message());
    expect(fake.requests[0]?.form.MessagingServiceSid).toBe(MESSAGING_SERVICE_SID);
    expect(fake.requests[0]?.form).not.toHaveProperty('From');
  });

  it('keeps a non-GSM body intact on the wire', async () => {
    const { sms } = adapter();
    await sms.send(message({ body: 'Sí — 👍 & más' }));
    expect(fake.requests[0]?.form.Body).toBe('Sí — 👍 & más');
  });

  it('encodes the message id in the callback URL', async () => {
    const { sms } = adapter();
    await sms.send(message({ messageId: 'a b&c' }));
    expect(fake.requests[0]?.form.StatusCallback).toBe(
      'https://api.clinic.example/prod-base/sms/status?m=a%20b%26c',
    );
  });

  it('retries a 429 and records the sid of the send that finally succeeded', async () => {
    fake.script(fault.tooManyRequests);
    const { sms, retries } = adapter();
    const receipt = await sms.send(message());
    expect(fake.requests.map((r) => r.action)).toEqual([fault.tooManyRequests, 'ok']);
    expect(receipt.providerSid).toBe(fake.requests[1]?.sid);
    expect(retries.map((r) => r.code)).toEqual(['20429']);
  });

  it('retries 5xx up to the attempt limit, then succeeds on the last attempt', async () => {
    fake.script(fault.serverError, fault.badGateway);
    const { sms } = adapter();
    const receipt = await sms.send(message());
    expect(fake.requests).toHaveLength(3);
    expect(receipt.providerSid).toBe(fake.requests[2]?.sid);
    // Every attempt was the same message.
    expect(new Set(fake.requests.map((r) => JSON.stringify(r.form))).size).toBe(1);
  });

  it('gives up after exactly 3 attempts by default, as a non-permanent error', async () => {
    fake.script(fault.serverError, fault.serverError, fault.serverError, 'ok');
    const { sms, retries } = adapter();
    const error = await sendError(sms.send(message()));
    expect(fake.requests).toHaveLength(3);
    expect(retries).toHaveLength(2);
    expect(error.code).toBe('20500');
    expect(error.permanent).toBe(false);
  });

  it('honours a configured attempt count', async () => {
    fake.script(fault.tooManyRequests, fault.tooManyRequests, fault.tooManyRequests, fault.tooManyRequests);
    const { sms } = adapter({ maxAttempts: 5 });
    await sms.send(message());
    expect(fake.requests).toHaveLength(5);

    fake.reset();
    fake.script(fault.serverError);
    const once = adapter({ maxAttempts: 1 });
    expect((await sendError(once.sms.send(message()))).code).toBe('20500');
    expect(fake.requests).toHaveLength(1);
  });

  it('times out a hung request and retries it', async () => {
    fake.script('hang');
    const { sms, retries } = adapter({ requestTimeoutMs: 250 });
    const started = Date.now();
    const receipt = await sms.send(message());
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(fake.requests.map((r) => r.action)).toEqual(['hang', 'ok']);
    expect(receipt.providerSid).toBe(fake.requests[1]?.sid);
    expect(retries.map((r) => r.code)).toEqual(['TIMEOUT']);
  });

  it('reports TIMEOUT when every attempt hangs', async () => {
    fake.script('hang', 'hang', 'hang');
    const { sms } = adapter({ requestTimeoutMs: 150 });
    const error = await sendError(sms.send(message()));
    expect(fake.requests).toHaveLength(3);
    expect(error.code).toBe('TIMEOUT');
    expect(error.permanent).toBe(false);
  });

  it.each([
    ['21610 opted out', fault.optedOut, '21610', true],
    ['30006 landline', fault.landline, '30006', true],
    ['21211 invalid number', fault.invalidNumber, '21211', true],
    ['20003 authentication (our problem, not the patient)', fault.authFailed, '20003', false],
  ])('does not retry %s', async (_name, action, code, permanent) => {
    fake.script(action, 'ok');
    const { sms, retries } = adapter();
    const error = await sendError(sms.send(message()));
    expect(fake.requests).toHaveLength(1);
    expect(retries).toHaveLength(0);
    expect(error.code).toBe(code);
    expect(error.permanent).toBe(permanent);
  });

  it('retries a 429, then stops at the 400-class error that follows', async () => {
    fake.script(fault.tooManyRequests, fault.optedOut, 'ok');
    const { sms } = adapter();
    const error = await sendError(sms.send(message()));
    expect(fake.requests).toHaveLength(2);
    expect(error.code).toBe('21610');
  });

  it('never puts the phone number, the body or Twilio text in the error', async () => {
    fake.script(fault.invalidNumber);
    const { sms } = adapter();
    const error = await sendError(sms.send(message()));
    const shown = `${error.message} ${error.stack} ${JSON.stringify(error)}`;
    expect(shown).not.toContain('5550199');
    expect(shown).not.toContain('Reply YES');
    expect(shown).not.toContain('not a valid phone number');
  });

  it('backs off exponentially with full jitter, capped', async () => {
    fake.script(fault.serverError, fault.serverError, fault.serverError, fault.serverError);
    const { sms, retries } = adapter({
      maxAttempts: 5,
      baseDelayMs: 10,
      maxDelayMs: 25,
      random: () => 0.999,
    });
    await sms.send(message());
    // Caps 10, 20, 25 (capped), 25; delay = floor(0.999 * cap).
    expect(retries.map((r) => r.delayMs)).toEqual([9, 19, 24, 24]);

    fake.reset();
    fake.script(fault.serverError, fault.serverError);
    const zero = adapter({ random: () => 0 });
    await zero.sms.send(message());
    expect(zero.retries.map((r) => r.delayMs)).toEqual([0, 0]);
  });

  it('refuses to start without a sender or credentials', () => {
    expect(() => adapter({ messagingServiceSid: undefined, from: undefined })).toThrow(/FROM_NUMBER/);
    expect(() => adapter({ authToken: '' })).toThrow(/auth token/);
  });
});

describe('withSendCap', () => {
  it('lets the hourly budget through, refuses the next with RATE_CAP, and never calls Twilio for it', async () => {
    let now = new Date('2026-09-30T15:10:00Z');
    const { sms } = adapter();
    const capped = withSendCap(sms, new InMemorySendBudget(2), () => now);

    await capped.send(message());
    await capped.send(message());
    const error = await sendError(capped.send(message()));
    expect(error).toBeInstanceOf(SendCapReachedError);
    expect(error.message).toBe('hourly cap reached');
    expect(error.code).toBe('RATE_CAP');
    expect(error.permanent).toBe(false);
    expect(fake.requests).toHaveLength(2);

    now = new Date('2026-09-30T16:00:00Z');
    await capped.send(message());
    expect(fake.requests).toHaveLength(3);
  });

  it('counts failed sends too (a loop of failures is still a loop)', async () => {
    const budget = new InMemorySendBudget(1);
    fake.script(fault.optedOut);
    const capped = withSendCap(adapter().sms, budget, () => new Date('2026-09-30T15:00:00Z'));
    expect((await sendError(capped.send(message()))).code).toBe('21610');
    expect((await sendError(capped.send(message()))).code).toBe('RATE_CAP');
  });

  it('rejects a nonsense budget', () => {
    expect(() => new InMemorySendBudget(0)).toThrow(RangeError);
  });
});
