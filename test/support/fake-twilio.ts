import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for Twilio's REST API, enough for the Messages resource: it records every request
 * (form-decoded) and answers from a script, one action per request, so tests can inject 429s, 500s, hangs
 * and Twilio error bodies exactly where they want them. The real SDK talks to it over HTTP.
 */

export type FakeAction =
  | 'ok'
  | 'hang'
  | { status: 429 }
  | { status: 500 | 502 | 503 }
  | { status: 400 | 401 | 404; code: number; message?: string };

export const fault = {
  ok: 'ok' as const,
  hang: 'hang' as const,
  tooManyRequests: { status: 429 } as const,
  serverError: { status: 500 } as const,
  badGateway: { status: 502 } as const,
  optedOut: { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' } as const,
  landline: { status: 400, code: 30006, message: 'Landline or unreachable carrier' } as const,
  invalidNumber: {
    status: 400,
    code: 21211,
    message: "The 'To' number is not a valid phone number.",
  } as const,
  authFailed: { status: 401, code: 20003, message: 'Authenticate' } as const,
};

export interface RecordedRequest {
  method: string;
  path: string;
  /** "user:password" from Basic auth. */
  basicAuth?: string;
  contentType?: string;
  form: Record<string, string>;
  at: number;
  /** What the fake did with it. */
  action: FakeAction;
  /** For 'ok': the sid it returned. */
  sid?: string;
}

export interface FakeTwilio {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Queue actions for the next requests; when the queue is empty the fake answers 'ok'. */
  script(...actions: FakeAction[]): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const requests: RecordedRequest[] = [];
  let queue: FakeAction[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const action = queue.shift() ?? 'ok';
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      basicAuth: decodeBasic(req.headers.authorization),
      contentType: req.headers['content-type'],
      form: Object.fromEntries(new URLSearchParams(body)),
      at: Date.now(),
      action,
    };
    requests.push(record);
    const answer = reply(action, record);
    if (answer) json(res, answer[0], answer[1]);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    script: (...actions) => {
      queue.push(...actions);
    },
    reset: () => {
      queue = [];
      requests.length = 0;
    },
    close: async () => {
      // Hung requests keep their sockets open; end them so close() returns.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

/** The reply for an action, or undefined to hang. */
function reply(action: FakeAction, record: RecordedRequest): [number, unknown] | undefined {
  if (action === 'hang') return undefined;
  const messages = /^\/2010-04-01\/Accounts\/(AC[0-9a-zA-Z]+)\/Messages\.json$/.exec(record.path);
  if (action === 'ok') {
    if (record.method !== 'POST' || !messages)
      return [404, { code: 20404, message: 'Not found', status: 404 }];
    const sid = `SM${randomBytes(16).toString('hex')}`;
    record.sid = sid;
    const now = new Date().toUTCString();
    return [
      201,
      {
        account_sid: messages[1],
        api_version: '2010-04-01',
        body: record.form.Body,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: record.form.From ?? null,
        messaging_service_sid: record.form.MessagingServiceSid ?? null,
        num_media: '0',
        num_segments: '1',
        price: null,
        price_unit: 'USD',
        sid,
        status: record.form.MessagingServiceSid ? 'accepted' : 'queued',
        subresource_uris: { media: `/2010-04-01/Accounts/${messages[1]}/Messages/${sid}/Media.json` },
        to: record.form.To,
        uri: `/2010-04-01/Accounts/${messages[1]}/Messages/${sid}.json`,
      },
    ];
  }
  if (action.status === 429) return [429, { code: 20429, message: 'Too Many Requests', status: 429 }];
  if (action.status >= 500) {
    return [action.status, { code: 20500, message: 'Internal Server Error', status: action.status }];
  }
  const error = action as { status: number; code: number; message?: string };
  return [
    error.status,
    {
      code: error.code,
      message: error.message ?? 'Error',
      more_info: `https://www.twilio.com/docs/errors/${error.code}`,
      status: error.status,
    },
  ];
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function decodeBasic(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  return Buffer.from(header.slice(6), 'base64').toString('utf8');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
