import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { z } from 'zod';
import { closeServer, isLoopbackHost, listen } from './gateway.js';
import { maskPhone } from './lambda-context.js';
import { SIM_CSS, SIM_JS } from './sms-simulator-assets.js';

/**
 * A fake Twilio for local mode: the Messages REST API the real `twilio` SDK calls (reached through
 * `TWILIO_API_BASE_URL`), and simulated phones that receive those texts and reply through the real
 * inbound webhook, signed with `X-Twilio-Signature` as Twilio signs it, so signature checking stays on.
 *
 * Behaviour copied from Twilio on purpose:
 * - create answers 201 with the Message resource (`status: queued`, or `accepted` for a Messaging
 *   Service without From), then status callbacks `sent` and `delivered`, form-encoded and signed;
 * - numbers ending in 0006 are landlines: the send is accepted, then `undelivered` with ErrorCode 30006
 *   (Twilio's magic test number +15005550006 is a landline too);
 * - a phone that texts a single opt-out word (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE,
 *   OPTOUT) is blocked at the API with error 21610 until it texts START, UNSTOP or YES; the inbound
 *   message still reaches the webhook, as on Twilio;
 * - errors use Twilio's JSON error shape `{code, message, more_info, status}`.
 * Twilio's own automatic STOP/HELP replies are not simulated.
 */

export interface SimMessage {
  sid: string;
  /** The simulated phone this message belongs to (the To of an outbound, the From of an inbound). */
  phone: string;
  direction: 'outbound-api' | 'outbound-reply' | 'inbound';
  from: string;
  to: string;
  body: string;
  status: 'accepted' | 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'received';
  errorCode: number | null;
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  createdAt: string;
  statusCallback?: string;
}

export interface ReplyResult {
  /** HTTP status of our inbound webhook. */
  status: number;
  /** The texts of the TwiML `<Message>` elements in its answer. */
  twimlMessages: string[];
}

export interface SmsSimulatorOptions {
  port?: number;
  accountSid: string;
  authToken: string;
  /** The clinic's number: From of TwiML replies and To of simulated replies. */
  clinicNumber: string;
  messagingServiceSid?: string;
  /** The inbound webhook as configured in Twilio (the public URL): what the signature covers. */
  inboundUrl: string;
  /**
   * Where a public URL is actually reachable from here (e.g. PUBLIC_API_URL -> the gateway on
   * 127.0.0.1). Signatures are still computed over the public URL, as Twilio does behind a proxy.
   */
  resolveUrl?: (publicUrl: string) => string;
  /** Delay before each status callback, in ms. */
  statusDelayMs?: number;
  log?: (line: string) => void;
}

export interface RunningSmsSimulator {
  url: string;
  port: number;
  /** Serves `/sim/...` (pages and JSON API); the gateway mounts it too. Returns false for other paths. */
  handleSimRequest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  messages(phone?: string): SimMessage[];
  reply(from: string, body: string): Promise<ReplyResult>;
  /** Resolves when every status callback started so far has been posted. */
  settled(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export const LANDLINE_SUFFIX = '0006';
const OPT_OUT_WORDS = new Set([
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPTOUT',
]);
const OPT_IN_WORDS = new Set(['START', 'UNSTOP', 'YES']);
const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_BODY = 1600;
const API_VERSION = '2010-04-01';

export function twilioSid(prefix: 'SM' | 'MG' | 'AC'): string {
  return prefix + randomBytes(16).toString('hex');
}

// GSM 03.38 basic set; the extension set costs two septets each. Any other character (an em dash, a
// curly quote, an emoji) switches the whole message to UCS-2.
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';

export function segmentsOf(body: string): { segments: number; encoding: 'GSM-7' | 'UCS-2' } {
  let septets = 0;
  let gsm = true;
  for (const char of body) {
    if (GSM_BASIC.includes(char)) septets += 1;
    else if (GSM_EXTENSION.includes(char)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { segments: septets <= 160 ? 1 : Math.ceil(septets / 153), encoding: 'GSM-7' };
  const units = [...body].reduce((n, c) => n + ((c.codePointAt(0) ?? 0) > 0xffff ? 2 : 1), 0);
  return { segments: units <= 70 ? 1 : Math.ceil(units / 67), encoding: 'UCS-2' };
}

const rfc2822 = (date: Date) => date.toUTCString().replace('GMT', '+0000');

class TwilioError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

async function readText(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new TwilioError(413, 20001, 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X'))
      return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return XML_ENTITIES[entity.toLowerCase()] ?? '';
  });
}

/** The texts of `<Message>` verbs in a TwiML answer (`<Message>text</Message>` or with `<Body>`). */
export function parseTwimlMessages(xml: string): string[] {
  const messages: string[] = [];
  for (const match of xml.matchAll(/<Message(?:\s[^>]*)?>([\s\S]*?)<\/Message>/g)) {
    const inner = match[1] ?? '';
    const body = /<Body(?:\s[^>]*)?>([\s\S]*?)<\/Body>/.exec(inner);
    const text = body ? (body[1] ?? '') : inner.replace(/<Media[\s\S]*?<\/Media>/g, '');
    messages.push(decodeXml(text.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')));
  }
  return messages;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function page(title: string, bodyAttributes: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/sim/assets/sim.css">
<script src="/sim/assets/sim.js" defer></script>
</head>
<body ${bodyAttributes}>
<header><a href="/sim/">Simulated phones</a></header>
<main id="app"><p>Loading…</p></main>
</body>
</html>
`;
}

const replyBody = z.object({
  from: z.string().regex(E164, 'must be an E.164 number such as +15551234567'),
  body: z.string().min(1).max(MAX_BODY),
});

export async function startSmsSimulator(options: SmsSimulatorOptions): Promise<RunningSmsSimulator> {
  const log = options.log ?? (() => {});
  const resolveUrl = options.resolveUrl ?? ((u: string) => u);
  const statusDelayMs = options.statusDelayMs ?? 300;
  let messages: SimMessage[] = [];
  const optedOut = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  // Pending delays, so close() can cut them short instead of waiting for them.
  const timers = new Map<NodeJS.Timeout, () => void>();
  let closed = false;

  const sleep = (ms: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        done();
      }, ms);
      timers.set(timer, done);
    });

  /** Posts a form to a webhook exactly as Twilio does: signed over the public URL. */
  async function postSigned(publicUrl: string, params: Record<string, string>): Promise<Response> {
    const signature = getExpectedTwilioSignature(options.authToken, publicUrl, params);
    return fetch(resolveUrl(publicUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
        'user-agent': 'TwilioProxy/1.1',
        'i-twilio-idempotency-token': randomUUID(),
        accept: '*/*',
      },
      body: new URLSearchParams(params).toString(),
      // Twilio gives up on a webhook after 15 s.
      signal: AbortSignal.timeout(15_000),
    });
  }

  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  async function runStatusCallbacks(message: SimMessage, messagingServiceSid: string | undefined) {
    const landline = message.to.endsWith(LANDLINE_SUFFIX);
    const steps: SimMessage['status'][] = landline ? ['sent', 'undelivered'] : ['sent', 'delivered'];
    for (const status of steps) {
      await sleep(statusDelayMs);
      if (closed) return;
      message.status = status;
      if (status === 'undelivered') message.errorCode = 30006;
      if (!message.statusCallback) continue;
      const params: Record<string, string> = {
        AccountSid: options.accountSid,
        ApiVersion: API_VERSION,
        From: message.from,
        MessageSid: message.sid,
        MessageStatus: status,
        SmsSid: message.sid,
        SmsStatus: status,
        To: message.to,
        ...(messagingServiceSid ? { MessagingServiceSid: messagingServiceSid } : {}),
        ...(message.errorCode ? { ErrorCode: String(message.errorCode) } : {}),
      };
      try {
        const response = await postSigned(message.statusCallback, params);
        await response.arrayBuffer();
        if (!response.ok) log(`status callback ${message.sid} ${status} -> HTTP ${response.status}`);
      } catch (error) {
        log(
          `status callback ${message.sid} ${status} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  function requireAuth(req: IncomingMessage, pathAccountSid: string): void {
    const header = req.headers.authorization ?? '';
    const decoded = header.startsWith('Basic ')
      ? Buffer.from(header.slice(6), 'base64').toString('utf8')
      : '';
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (
      colon < 0 ||
      user !== options.accountSid ||
      password !== options.authToken ||
      pathAccountSid !== user
    ) {
      throw new TwilioError(401, 20003, 'Authenticate');
    }
  }

  function resource(message: SimMessage, messagingServiceSid: string | undefined, created: Date) {
    const uri = `/${API_VERSION}/Accounts/${options.accountSid}/Messages/${message.sid}`;
    return {
      account_sid: options.accountSid,
      api_version: API_VERSION,
      body: message.body,
      date_created: rfc2822(created),
      date_sent: null,
      date_updated: rfc2822(created),
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: message.status === 'accepted' ? null : message.from,
      messaging_service_sid: messagingServiceSid ?? null,
      num_media: '0',
      num_segments: String(message.segments),
      price: null,
      price_unit: 'USD',
      sid: message.sid,
      status: message.status,
      subresource_uris: { media: `${uri}/Media.json` },
      to: message.to,
      uri: `${uri}.json`,
    };
  }

  async function createMessage(req: IncomingMessage, res: ServerResponse, accountSid: string) {
    requireAuth(req, accountSid);
    const form = new URLSearchParams(await readText(req));
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? undefined;
    const messagingServiceSid = form.get('MessagingServiceSid') ?? undefined;
    const body = form.get('Body') ?? '';
    const statusCallback = form.get('StatusCallback') ?? undefined;
    if (!to) throw new TwilioError(400, 21604, "A 'To' phone number is required.");
    if (!E164.test(to)) throw new TwilioError(400, 21211, "Invalid 'To' Phone Number");
    if (!from && !messagingServiceSid)
      throw new TwilioError(400, 21603, "A 'From' phone number is required.");
    if (from && !E164.test(from)) throw new TwilioError(400, 21212, "Invalid 'From' Phone Number");
    if (!body) throw new TwilioError(400, 21602, 'Message body is required.');
    if (body.length > MAX_BODY) {
      throw new TwilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    }
    if (optedOut.has(to)) throw new TwilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
    const created = new Date();
    const { segments, encoding } = segmentsOf(body);
    const message: SimMessage = {
      sid: twilioSid('SM'),
      phone: to,
      direction: 'outbound-api',
      from: from ?? options.clinicNumber,
      to,
      body,
      // Through a Messaging Service without From, Twilio first answers `accepted`, then picks a sender.
      status: from ? 'queued' : 'accepted',
      errorCode: null,
      segments,
      encoding,
      createdAt: created.toISOString(),
      ...(statusCallback ? { statusCallback } : {}),
    };
    messages.push(message);
    log(
      `sms -> ${maskPhone(to)} ${message.status} ${message.sid} (${segments} segment${segments > 1 ? 's' : ''}, ${encoding})`,
    );
    sendJson(res, 201, resource(message, messagingServiceSid, created));
    message.status = 'queued';
    track(runStatusCallbacks(message, messagingServiceSid));
  }

  async function reply(from: string, body: string): Promise<ReplyResult> {
    const word = body.trim().toUpperCase();
    if (OPT_OUT_WORDS.has(word)) optedOut.add(from);
    if (OPT_IN_WORDS.has(word)) optedOut.delete(from);
    const { segments, encoding } = segmentsOf(body);
    const inbound: SimMessage = {
      sid: twilioSid('SM'),
      phone: from,
      direction: 'inbound',
      from,
      to: options.clinicNumber,
      body,
      status: 'received',
      errorCode: null,
      segments,
      encoding,
      createdAt: new Date().toISOString(),
    };
    messages.push(inbound);
    const params: Record<string, string> = {
      AccountSid: options.accountSid,
      ApiVersion: API_VERSION,
      Body: body,
      From: from,
      FromCountry: 'US',
      MessageSid: inbound.sid,
      NumMedia: '0',
      NumSegments: String(segments),
      SmsMessageSid: inbound.sid,
      SmsSid: inbound.sid,
      SmsStatus: 'received',
      To: options.clinicNumber,
      ToCountry: 'US',
      ...(options.messagingServiceSid ? { MessagingServiceSid: options.messagingServiceSid } : {}),
    };
    const response = await postSigned(options.inboundUrl, params);
    const text = await response.text();
    const twimlMessages = response.ok ? parseTwimlMessages(text) : [];
    log(
      `reply <- ${maskPhone(from)} ${inbound.sid} -> webhook HTTP ${response.status}, ${twimlMessages.length} TwiML message(s)`,
    );
    for (const twiml of twimlMessages) {
      messages.push({
        sid: twilioSid('SM'),
        phone: from,
        direction: 'outbound-reply',
        from: options.clinicNumber,
        to: from,
        body: twiml,
        status: 'delivered',
        errorCode: null,
        ...segmentsOf(twiml),
        createdAt: new Date().toISOString(),
      });
    }
    return { status: response.status, twimlMessages };
  }

  function listMessages(phone?: string): SimMessage[] {
    return messages.filter((m) => !phone || m.phone === phone).map((m) => ({ ...m }));
  }

  function phones() {
    const byPhone = new Map<string, { phone: string; messages: number; lastAt: string; optedOut: boolean }>();
    for (const m of messages) {
      const entry = byPhone.get(m.phone) ?? {
        phone: m.phone,
        messages: 0,
        lastAt: m.createdAt,
        optedOut: false,
      };
      entry.messages += 1;
      entry.lastAt = m.createdAt;
      entry.optedOut = optedOut.has(m.phone);
      byPhone.set(m.phone, entry);
    }
    return [...byPhone.values()].sort((a, b) => (a.lastAt < b.lastAt ? 1 : -1));
  }

  async function handleSimRequest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    if (!path.startsWith('/sim')) return false;
    const method = req.method ?? 'GET';
    const html = (body: string) => {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': PAGE_CSP,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      res.end(body);
    };
    if (method === 'GET' && (path === '/sim' || path === '/sim/')) {
      html(page('Simulated phones', 'data-page="index"'));
      return true;
    }
    if (method === 'GET' && path.startsWith('/sim/phone/')) {
      let phone = '';
      try {
        phone = decodeURIComponent(path.slice('/sim/phone/'.length));
      } catch {
        phone = '';
      }
      if (!E164.test(phone)) {
        sendJson(res, 404, { message: 'Not a phone number: use /sim/phone/+15551234567' });
        return true;
      }
      html(page(`Phone ${phone}`, `data-page="phone" data-phone="${escapeHtml(phone)}"`));
      return true;
    }
    if (method === 'GET' && path === '/sim/assets/sim.js') {
      res.writeHead(200, {
        'content-type': 'text/javascript; charset=utf-8',
        'x-content-type-options': 'nosniff',
      });
      res.end(SIM_JS);
      return true;
    }
    if (method === 'GET' && path === '/sim/assets/sim.css') {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end(SIM_CSS);
      return true;
    }
    if (method === 'GET' && path === '/sim/api/messages') {
      const phone = url.searchParams.get('phone') ?? undefined;
      sendJson(res, 200, { messages: listMessages(phone) });
      return true;
    }
    if (method === 'GET' && path === '/sim/api/phones') {
      sendJson(res, 200, { phones: phones() });
      return true;
    }
    if (method === 'POST' && (path === '/sim/api/reply' || path === '/sim/api/reset')) {
      // JSON only: a cross-site page cannot send that without a CORS preflight, which nobody answers.
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        req.resume();
        sendJson(res, 415, { message: 'Send application/json' });
        return true;
      }
      const raw = await readText(req);
      if (path === '/sim/api/reset') {
        reset();
        sendJson(res, 200, { ok: true });
        return true;
      }
      let parsed: ReturnType<typeof replyBody.safeParse> | undefined;
      try {
        parsed = replyBody.safeParse(JSON.parse(raw));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        sendJson(res, 400, {
          message: 'Send {"from": "+15551234567", "body": "YES"}',
          errors: parsed?.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? ['body: not JSON'],
        });
        return true;
      }
      try {
        sendJson(res, 200, await reply(parsed.data.from, parsed.data.body));
      } catch (error) {
        sendJson(res, 502, {
          message: `The inbound webhook did not answer: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
      return true;
    }
    req.resume();
    sendJson(res, 404, { message: 'Not Found' });
    return true;
  }

  function reset(): void {
    messages = [];
    optedOut.clear();
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const api = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages(?:\/([^/]+))?\.json$/.exec(url.pathname);
    const work = async () => {
      // Its own port serves the phones' pages and the fake API to this machine only (DNS rebinding).
      if (!isLoopbackHost(req.headers.host)) {
        throw new TwilioError(403, 20003, 'The local SMS simulator answers only on localhost');
      }
      if (api?.[1] && !api[2] && req.method === 'POST') return createMessage(req, res, api[1]);
      if (api?.[1] && api[2] && req.method === 'GET') {
        requireAuth(req, api[1]);
        const found = messages.find((m) => m.sid === api[2] && m.direction !== 'inbound');
        if (!found) throw new TwilioError(404, 20404, `The requested resource ${url.pathname} was not found`);
        return sendJson(res, 200, resource(found, undefined, new Date(found.createdAt)));
      }
      if (await handleSimRequest(req, res, url)) return;
      throw new TwilioError(404, 20404, `The requested resource ${url.pathname} was not found`);
    };
    work().catch((error: unknown) => {
      req.resume();
      if (error instanceof TwilioError) {
        sendJson(res, error.status, {
          code: error.code,
          message: error.message,
          more_info: `https://www.twilio.com/docs/errors/${error.code}`,
          status: error.status,
        });
        return;
      }
      log(`sms simulator error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent)
        sendJson(res, 500, { code: 20500, message: 'Internal Server Error', status: 500 });
    });
  });

  const { url, port } = await listen(server, options.port ?? 0);
  return {
    url,
    port,
    handleSimRequest,
    messages: listMessages,
    reply,
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    reset,
    close: async () => {
      closed = true;
      for (const [timer, done] of timers) {
        clearTimeout(timer);
        done();
      }
      timers.clear();
      await Promise.allSettled([...inFlight]);
      await closeServer(server);
    },
  };
}
