import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  parseTwimlMessages,
  type RunningSmsSimulator,
  segmentsOf,
  startSmsSimulator,
  twilioSid,
} from '../../local/sms-simulator.js';
import { statusWithHost } from './host-check.js';

const accountSid = twilioSid('AC');
const authToken = 'a'.repeat(32);
const clinicNumber = '+15555550100';
/** The public base URL Twilio is configured with; the test server sits elsewhere (as behind a tunnel). */
const publicBase = 'https://clinic.example.test';

interface Received {
  path: string;
  params: Record<string, string>;
  signatureValid: boolean;
}
const received: Received[] = [];
let webhookServer: Server;
let webhookOrigin: string;
let simulator: RunningSmsSimulator;
let client: ReturnType<typeof twilio>;

/** The TOOLCHAIN seam: the real SDK with an httpClient that sends api.twilio.com calls elsewhere. */
function redirectTo(origin: string): RequestClient {
  return new (class extends twilio.RequestClient {
    override request<TData>(options: RequestClient.RequestOptions<TData>) {
      return super.request<TData>({ ...options, uri: options.uri.replace('https://api.twilio.com', origin) });
    }
  })();
}

beforeAll(async () => {
  // Stands in for our API: checks every signature against the PUBLIC url, as the handlers will.
  webhookServer = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const publicUrl = `${publicBase}${req.url}`;
    const signature = String(req.headers['x-twilio-signature'] ?? '');
    received.push({
      path: req.url ?? '',
      params,
      signatureValid: validateRequest(authToken, signature, publicUrl, params),
    });
    if (req.url === '/sms/inbound') {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>You&apos;re booked &amp; set. &lt;3</Message></Response>',
      );
      return;
    }
    res.writeHead(204);
    res.end();
  });
  await new Promise<void>((done) => webhookServer.listen(0, '127.0.0.1', done));
  webhookOrigin = `http://127.0.0.1:${(webhookServer.address() as AddressInfo).port}`;

  simulator = await startSmsSimulator({
    accountSid,
    authToken,
    clinicNumber,
    inboundUrl: `${publicBase}/sms/inbound`,
    resolveUrl: (url) => url.replace(publicBase, webhookOrigin),
    statusDelayMs: 20,
  });

  client = twilio(accountSid, authToken, { httpClient: redirectTo(simulator.url) });
});

afterAll(async () => {
  await simulator.close();
  await new Promise<void>((done) => webhookServer.close(() => done()));
});

beforeEach(() => {
  simulator.reset();
  received.length = 0;
});

async function waitFor(predicate: () => boolean, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(predicate()).toBe(true);
}

describe('SMS simulator as Twilio, driven by the real twilio SDK', () => {
  it('accepts a send like Twilio and posts signed status callbacks: sent, then delivered', async () => {
    const message = await client.messages.create({
      to: '+15551230001',
      from: clinicNumber,
      body: 'Clinic: a 10:30 slot opened today. Reply YES to take it.',
      statusCallback: `${publicBase}/sms/status?messageId=m1`,
    });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe('queued');
    expect(message.to).toBe('+15551230001');
    expect(message.numSegments).toBe('1');
    expect(message.direction).toBe('outbound-api');

    await waitFor(() => received.length === 2);
    expect(received.map((r) => r.params.MessageStatus)).toEqual(['sent', 'delivered']);
    for (const callback of received) {
      expect(callback.path).toBe('/sms/status?messageId=m1');
      expect(callback.signatureValid).toBe(true);
      expect(callback.params).toMatchObject({
        MessageSid: message.sid,
        AccountSid: accountSid,
        To: '+15551230001',
        From: clinicNumber,
      });
      expect(callback.params.ErrorCode).toBeUndefined();
    }
    expect(simulator.messages('+15551230001')).toMatchObject([{ sid: message.sid, status: 'delivered' }]);
  });

  it('fails a landline (…0006) with undelivered and ErrorCode 30006', async () => {
    await client.messages.create({
      to: '+15005550006',
      messagingServiceSid: twilioSid('MG'),
      body: 'Clinic: a slot opened.',
      statusCallback: `${publicBase}/sms/status`,
    });
    await waitFor(() => received.length === 2);
    expect(received[1]?.params).toMatchObject({ MessageStatus: 'undelivered', ErrorCode: '30006' });
    expect(received.every((r) => r.signatureValid)).toBe(true);
  });

  it('refuses bad credentials and a missing body with Twilio error codes', async () => {
    const wrong = twilio(accountSid, 'b'.repeat(32), { httpClient: redirectTo(simulator.url) });
    await expect(
      wrong.messages.create({ to: '+15551230001', from: clinicNumber, body: 'x' }),
    ).rejects.toMatchObject({
      status: 401,
      code: 20003,
    });
    await expect(
      client.messages.create({ to: '+15551230001', from: clinicNumber, body: '' }),
    ).rejects.toMatchObject({
      status: 400,
      code: 21602,
    });
  });

  it('sends a phone reply to the inbound webhook signed over the public URL and records the TwiML answer', async () => {
    const result = await simulator.reply('+15551230002', 'Yes please');
    expect(result).toEqual({ status: 200, twimlMessages: ["You're booked & set. <3"] });
    const inbound = received.find((r) => r.path === '/sms/inbound');
    expect(inbound?.signatureValid).toBe(true);
    expect(inbound?.params).toMatchObject({
      From: '+15551230002',
      To: clinicNumber,
      Body: 'Yes please',
      AccountSid: accountSid,
      NumMedia: '0',
    });
    expect(inbound?.params.MessageSid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(simulator.messages('+15551230002').map((m) => [m.direction, m.body])).toEqual([
      ['inbound', 'Yes please'],
      ['outbound-reply', "You're booked & set. <3"],
    ]);
  });

  it('blocks sends to a phone that texted STOP with 21610 until it texts START', async () => {
    await simulator.reply('+15551230003', 'stop');
    await expect(
      client.messages.create({ to: '+15551230003', from: clinicNumber, body: 'Clinic: a slot opened.' }),
    ).rejects.toMatchObject({ code: 21610 });
    await simulator.reply('+15551230003', 'START');
    await expect(
      client.messages.create({ to: '+15551230003', from: clinicNumber, body: 'Clinic: a slot opened.' }),
    ).resolves.toMatchObject({ status: 'queued' });
    await simulator.settled();
  });
});

describe('SMS simulator JSON API and pages', () => {
  it('replies through POST /sim/api/reply and lists the thread through GET /sim/api/messages', async () => {
    const response = await fetch(`${simulator.url}/sim/api/reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+15551230004', body: 'YES' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 200, twimlMessages: ["You're booked & set. <3"] });
    const list = (await (await fetch(`${simulator.url}/sim/api/messages?phone=%2B15551230004`)).json()) as {
      messages: { body: string }[];
    };
    expect(list.messages.map((m) => m.body)).toEqual(['YES', "You're booked & set. <3"]);
  });

  it('refuses a reply that is not JSON or has a bad number', async () => {
    const form = await fetch(`${simulator.url}/sim/api/reply`, { method: 'POST', body: 'from=x&body=y' });
    expect(form.status).toBe(415);
    const bad = await fetch(`${simulator.url}/sim/api/reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: '555', body: 'YES' }),
    });
    expect(bad.status).toBe(400);
  });

  it('serves phone pages with no inline script, the phone escaped, and bodies left to textContent', async () => {
    await simulator.reply('+15551230005', '<img src=x onerror=alert(1)>');
    const response = await fetch(`${simulator.url}/sim/phone/%2B15551230005`);
    const html = await response.text();
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(html).toContain('data-phone="+15551230005"');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<script>(?!<)/);
    const js = await (await fetch(`${simulator.url}/sim/assets/sim.js`)).text();
    expect(js).not.toContain('innerHTML');
    const index = await fetch(`${simulator.url}/sim/`);
    expect(index.status).toBe(200);
    expect((await fetch(`${simulator.url}/sim/phone/not-a-phone`)).status).toBe(404);
  });
});

describe('SMS helpers', () => {
  it('counts segments: GSM-7 160, UCS-2 70 once a single non-GSM character appears', () => {
    expect(segmentsOf('a'.repeat(160))).toEqual({ segments: 1, encoding: 'GSM-7' });
    expect(segmentsOf('a'.repeat(161))).toEqual({ segments: 2, encoding: 'GSM-7' });
    expect(segmentsOf(`${'a'.repeat(69)}—`)).toEqual({ segments: 1, encoding: 'UCS-2' });
    expect(segmentsOf(`${'a'.repeat(70)}—`)).toEqual({ segments: 2, encoding: 'UCS-2' });
  });

  it('reads <Message> texts from TwiML, with or without <Body>', () => {
    expect(
      parseTwimlMessages(
        '<Response><Message><Body>A &amp; B</Body></Message><Message>C</Message></Response>',
      ),
    ).toEqual(['A & B', 'C']);
    expect(parseTwimlMessages('<Response/>')).toEqual([]);
  });
});

describe('SMS simulator: this machine only (DNS rebinding)', () => {
  it('refuses a non-loopback Host on its pages and on the fake Twilio API', async () => {
    expect(
      await statusWithHost(`${simulator.url}/sim/api/messages?phone=%2B15551230004`, 'evil.example'),
    ).toBe(403);
    expect(
      await statusWithHost(
        `${simulator.url}/2010-04-01/Accounts/AC1/Messages.json`,
        'evil.example:80',
        'POST',
      ),
    ).toBe(403);
    expect(await statusWithHost(`${simulator.url}/sim/`, `localhost:${new URL(simulator.url).port}`)).toBe(
      200,
    );
  });
});
