import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalAuth, type LocalAuth } from '../../local/auth.js';
import { type GatewayEvent, mapResult, type RunningGateway, startGateway } from '../../local/gateway.js';
import type { RouteDefinition } from '../../local/routes.js';

/** Echo handlers stand in for the real ones: the gateway is tested, not the handlers. */
const seen: GatewayEvent[] = [];
let nextResult: unknown;

const echo = async () => async (event: GatewayEvent) => {
  seen.push(event);
  return (
    nextResult ?? { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }
  );
};

const routes: RouteDefinition[] = [
  { routeKey: 'POST /sms/inbound', auth: 'NONE', functionName: 'sms-inbound', load: echo },
  { routeKey: 'GET /items/{id}', auth: 'NONE', functionName: 'items', load: echo },
  { routeKey: 'ANY /admin/{proxy+}', auth: 'JWT', functionName: 'admin-api', load: echo },
  {
    routeKey: 'GET /boom',
    auth: 'NONE',
    functionName: 'boom',
    load: async () => async () => {
      throw new Error('handler exploded');
    },
  },
];

let gateway: RunningGateway;
let auth: LocalAuth;

beforeAll(async () => {
  auth = await createLocalAuth();
  gateway = await startGateway({
    routes,
    auth,
    cors: { allowOrigins: ['http://localhost:5173'] },
  });
});
afterAll(() => gateway.close());

async function call(path: string, init: RequestInit = {}) {
  seen.length = 0;
  const response = await fetch(`${gateway.url}${path}`, init);
  return { response, event: seen[0], text: await response.text() };
}

describe('local gateway: request -> payload 2.0 event', () => {
  it('delivers a Twilio-style form POST base64-encoded with isBase64Encoded true', async () => {
    const form = 'From=%2B15551230001&Body=YES+please&NumMedia=0';
    const { response, event } = await call('/sms/inbound', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'abc=' },
      body: form,
    });
    expect(response.status).toBe(200);
    expect(event).toBeDefined();
    expect(event?.version).toBe('2.0');
    expect(event?.routeKey).toBe('POST /sms/inbound');
    expect(event?.isBase64Encoded).toBe(true);
    expect(Buffer.from(event?.body ?? '', 'base64').toString('utf8')).toBe(form);
    expect(event?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(event?.headers['x-twilio-signature']).toBe('abc=');
    expect(event?.rawPath).toBe('/sms/inbound');
    expect(event?.rawQueryString).toBe('');
    expect(event?.queryStringParameters).toBeUndefined();
    expect(event?.pathParameters).toBeUndefined();
    expect(event?.requestContext).toMatchObject({
      accountId: expect.stringMatching(/^\d{12}$/),
      apiId: expect.any(String),
      http: { method: 'POST', path: '/sms/inbound', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
      routeKey: 'POST /sms/inbound',
      stage: '$default',
      time: expect.stringMatching(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/),
    });
    expect(event?.requestContext.authorizer).toBeUndefined();
    expect(Math.abs((event?.requestContext.timeEpoch ?? 0) - Date.now())).toBeLessThan(5000);
    expect(response.headers.get('apigw-requestid')).toBe(event?.requestContext.requestId);
  });

  it('delivers a JSON body as plain text', async () => {
    const token = (await auth.issueToken({ role: 'staff' })).token;
    const { event } = await call('/admin/cancellations', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` },
      body: JSON.stringify({ provider: 'p1', note: 'Zoë' }),
    });
    expect(event?.isBase64Encoded).toBe(false);
    expect(JSON.parse(event?.body ?? '')).toEqual({ provider: 'p1', note: 'Zoë' });
    expect(event?.routeKey).toBe('ANY /admin/{proxy+}');
    expect(event?.pathParameters).toEqual({ proxy: 'cancellations' });
  });

  it('passes query strings raw and parsed (duplicates comma-joined), path parameters, cookies and headers', async () => {
    const { event } = await new Promise<{ event: GatewayEvent | undefined }>((resolve, reject) => {
      seen.length = 0;
      // node:http lets the test send duplicate headers, which fetch would merge on its own.
      const req = request(`${gateway.url}/items/slot%201?status=OPEN&status=FILLED&q=a%20b`, {
        method: 'GET',
        // A flat raw-header list keeps duplicates; Node then adds no Host header, so the test does.
        headers: [
          'Host',
          new URL(gateway.url).host,
          'X-Multi',
          'one',
          'X-Multi',
          'two',
          'Cookie',
          'a=1; b=2',
          'User-Agent',
          'vitest',
        ],
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ event: seen[0] }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(event?.rawPath).toBe('/items/slot%201');
    expect(event?.rawQueryString).toBe('status=OPEN&status=FILLED&q=a%20b');
    expect(event?.queryStringParameters).toEqual({ status: 'OPEN,FILLED', q: 'a b' });
    expect(event?.pathParameters).toEqual({ id: 'slot 1' });
    expect(event?.headers['x-multi']).toBe('one,two');
    expect(event?.headers.cookie).toBeUndefined();
    expect(event?.cookies).toEqual(['a=1', 'b=2']);
    expect(event?.requestContext.http.userAgent).toBe('vitest');
    expect(event?.body).toBeUndefined();
    expect(event?.isBase64Encoded).toBe(false);
  });

  it('answers 404 {"message":"Not Found"} for unknown routes and for /admin without a proxy segment', async () => {
    for (const path of ['/nope', '/admin']) {
      const { response, text } = await call(path);
      expect(response.status).toBe(404);
      expect(JSON.parse(text)).toEqual({ message: 'Not Found' });
    }
    const wrongMethod = await call('/sms/inbound');
    expect(wrongMethod.response.status).toBe(404);
  });

  it('turns a thrown error into 500 {"message":"Internal Server Error"}', async () => {
    const { response, text } = await call('/boom');
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ message: 'Internal Server Error' });
  });

  it('rejects bodies over 10 MB with 413 before calling the handler', async () => {
    const { response, event } = await call('/sms/inbound', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(event).toBeUndefined();
  });

  it('answers CORS preflights for the dashboard origin only, without calling a handler', async () => {
    const allowed = await call('/admin/waitlist', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(allowed.response.status).toBe(204);
    expect(allowed.response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(allowed.response.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(allowed.event).toBeUndefined();
    const other = await call('/admin/waitlist', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('local gateway: handler result -> HTTP response', () => {
  it('uses a structured result as given: status, headers, cookies, base64 body', async () => {
    nextResult = {
      statusCode: 201,
      headers: { 'Content-Type': 'text/xml', 'x-count': 3 },
      cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
      body: Buffer.from('<Response/>').toString('base64'),
      isBase64Encoded: true,
    };
    try {
      const { response, text } = await call('/sms/inbound', { method: 'POST', body: 'x' });
      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toBe('text/xml');
      expect(response.headers.get('x-count')).toBe('3');
      expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
      expect(text).toBe('<Response/>');
    } finally {
      nextResult = undefined;
    }
  });

  it('treats a plain object or string result as 200 application/json, as AWS does', () => {
    const fromObject = mapResult({ hello: 'world' });
    expect(fromObject.statusCode).toBe(200);
    expect(fromObject.headers['content-type']).toBe('application/json');
    expect(fromObject.body.toString()).toBe('{"hello":"world"}');
    const fromString = mapResult('Hello from Lambda!');
    expect(fromString.statusCode).toBe(200);
    expect(fromString.body.toString()).toBe('Hello from Lambda!');
  });

  it('turns a malformed structured result into a 500', () => {
    expect(mapResult({ statusCode: '200', body: 'x' }).statusCode).toBe(500);
    expect(mapResult({ statusCode: 200, body: { not: 'a string' } }).statusCode).toBe(500);
  });
});

/** A request with a Host header of the test's choosing (fetch always sends the URL's own host). */
function withHost(
  path: string,
  host: string | undefined,
  method = 'GET',
  extra: string[] = [],
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    seen.length = 0;
    const headers: string[] = [...(host === undefined ? [] : ['Host', host]), ...extra];
    const req = request(`${gateway.url}${path}`, { method, headers, setHost: false });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? 'x' : undefined);
  });
}

describe('local gateway: only loopback Host headers, except for the Twilio webhooks (DNS rebinding)', () => {
  it('serves loopback hosts: localhost, 127.0.0.1 and [::1], with or without a port', async () => {
    const { port } = new URL(gateway.url);
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      'localhost',
      'LOCALHOST',
    ]) {
      const { status } = await withHost('/items/1', host);
      expect({ host, status }).toEqual({ host, status: 200 });
    }
  });

  it('refuses any other host with 403 and a message that says why, before any handler or authorizer', async () => {
    for (const host of [
      'evil.example',
      'evil.example:3000',
      'abc.trycloudflare.com',
      '127.0.0.1.evil.example',
      '192.168.1.20:3000',
    ]) {
      for (const path of ['/items/1', '/admin/waitlist/export', '/local/login', '/']) {
        const { status, text } = await withHost(path, host);
        expect({ host, path, status }).toEqual({ host, path, status: 403 });
        expect(JSON.parse(text).message).toMatch(/only on localhost.*\/sms\//s);
        expect(seen).toEqual([]);
      }
    }
    // Node itself refuses an HTTP/1.1 request without a Host (400); either way no handler runs.
    const noHost = await withHost('/items/1', undefined);
    expect([400, 403]).toContain(noHost.status);
    expect(seen).toEqual([]);
  });

  it('refuses a proxied request even when the proxy rewrote Host to localhost (ngrok --host-header=rewrite)', async () => {
    const { port } = new URL(gateway.url);
    for (const header of ['X-Forwarded-For', 'X-Forwarded-Host', 'Forwarded', 'CF-Connecting-IP']) {
      const { status } = await withHost('/local/login', `localhost:${port}`, 'GET', [header, '203.0.113.7']);
      expect({ header, status }).toEqual({ header, status: 403 });
    }
    const webhook = await withHost('/sms/inbound', `localhost:${port}`, 'POST', [
      'X-Forwarded-For',
      '203.0.113.7',
    ]);
    expect(webhook.status).toBe(200);
  });

  it('lets a tunnel host reach /sms/* only (Twilio posts there through the tunnel)', async () => {
    const { status } = await withHost('/sms/inbound', 'abc.trycloudflare.com', 'POST');
    expect(status).toBe(200);
    expect(seen[0]?.requestContext.domainName).toBe('abc.trycloudflare.com');
  });
});
