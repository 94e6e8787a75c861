import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Context } from 'aws-lambda';
import type { JwtAuthorizer } from './auth.js';
import { LOCAL_ACCOUNT_ID, lambdaContext } from './lambda-context.js';
import { type LambdaHandler, type MatchedRoute, type RouteDefinition, RouteTable } from './routes.js';

/**
 * A local API Gateway HTTP API: turns each request into the payload format 2.0 event AWS sends to a
 * Lambda proxy integration, runs the route's handler, and maps its result back the way AWS does. The
 * point is that handlers run here unchanged, so every difference from AWS is a bug to fix here.
 */

/** API Gateway's request payload limit. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** HTTP APIs cut an integration off after 30 s. */
export const INTEGRATION_TIMEOUT_MS = 30_000;
export const LOCAL_API_ID = 'localapi01';

export interface JwtAuthorizerContext {
  jwt: { claims: Record<string, string>; scopes: string[] | null };
}

/** The HTTP API payload format 2.0 event, with only the authorizer shape we use (JWT). */
export interface GatewayEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    authorizer?: JwtAuthorizerContext;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

/** What a v2 integration may return when it sets the status itself. */
export interface StructuredResult {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

export interface CorsConfig {
  allowOrigins: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAgeSeconds?: number;
  allowCredentials?: boolean;
}

/** Serves paths outside the API (login page, simulator pages); returns false to pass. */
export type LocalRequestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export interface GatewayOptions {
  /**
   * Path prefixes served whatever the Host header says: Twilio reaches the webhooks through a tunnel,
   * under the tunnel's host name. Every other path answers only to a loopback Host. Default `/sms/`.
   */
  publicPathPrefixes?: string[];
  routes: RouteDefinition[];
  /** Needed when any route has `auth: 'JWT'`. */
  auth?: JwtAuthorizer;
  cors?: CorsConfig;
  /** Tried, in order, for requests no API route matches. */
  localHandlers?: LocalRequestHandler[];
  /** A built dashboard (dashboard/dist) served at `/` for GETs no route matches. */
  staticDir?: string;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface RunningGateway {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

// API Gateway delivers these content types as text and base64-encodes every other body (forms included:
// that is how Twilio's webhooks reach the function).
function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript'
  );
}

/** Headers lowercased, duplicates comma-joined (rawHeaders keeps duplicates Node would drop). */
function collectHeaders(req: IncomingMessage): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    // Payload 2.0 moves cookies to their own field and out of the headers.
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies };
}

function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    out[key] = key in out ? `${out[key]},${value}` : value;
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, the CLF time API Gateway puts in requestContext.time. */
export function clfTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(
    date.getUTCHours(),
  )}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function sourceIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}

export function buildEvent(input: {
  req: IncomingMessage;
  rawPath: string;
  rawQueryString: string;
  body: Buffer;
  matched: MatchedRoute;
  authorizer?: JwtAuthorizerContext;
  now?: Date;
}): GatewayEvent {
  const { req, rawPath, rawQueryString, body, matched } = input;
  const now = input.now ?? new Date();
  const { headers, cookies } = collectHeaders(req);
  const ip = sourceIp(req);
  const requestId = randomBytes(11).toString('base64');
  // API Gateway adds these before the integration sees the request.
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${ip}` : ip;
  headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] =
    `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const domainName = headers.host ?? 'localhost';
  const text = isTextContentType(headers['content-type']);
  const event: GatewayEvent = {
    version: '2.0',
    routeKey: matched.route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(rawQueryString !== '' ? { queryStringParameters: queryParameters(rawQueryString) } : {}),
    ...(matched.pathParameters ? { pathParameters: matched.pathParameters } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      ...(input.authorizer ? { authorizer: input.authorizer } : {}),
      domainName,
      domainPrefix: domainName.split('.')[0]?.split(':')[0] ?? domainName,
      http: {
        method: (req.method ?? 'GET').toUpperCase(),
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: ip,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: matched.route.routeKey,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (body.length > 0) {
    event.body = text ? body.toString('utf8') : body.toString('base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

export interface HttpReply {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

const INTERNAL_ERROR = '{"message":"Internal Server Error"}';

/**
 * Maps an integration result to the HTTP response as API Gateway does for payload 2.0: a result with a
 * `statusCode` is used as given; anything else that is valid JSON (an object, a string, null) means
 * 200 with `content-type: application/json` and the value as the body (a string result is the body
 * itself). A malformed structured result becomes a 500.
 */
export function mapResult(result: unknown): HttpReply {
  const isStructured =
    typeof result === 'object' && result !== null && !Array.isArray(result) && 'statusCode' in result;
  if (!isStructured) {
    const body = typeof result === 'string' ? result : (JSON.stringify(result ?? null) ?? 'null');
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(body),
    };
  }
  const r = result as Partial<StructuredResult>;
  const badHeaders =
    r.headers !== undefined &&
    (typeof r.headers !== 'object' ||
      r.headers === null ||
      Object.values(r.headers).some((v) => !['string', 'number', 'boolean'].includes(typeof v)));
  if (
    typeof r.statusCode !== 'number' ||
    !Number.isInteger(r.statusCode) ||
    r.statusCode < 100 ||
    r.statusCode > 599 ||
    (r.body !== undefined && r.body !== null && typeof r.body !== 'string') ||
    (r.cookies !== undefined &&
      !(Array.isArray(r.cookies) && r.cookies.every((c) => typeof c === 'string'))) ||
    badHeaders
  ) {
    return internalError();
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.headers ?? {})) headers[name.toLowerCase()] = String(value);
  const bodyText = r.body ?? '';
  const body = r.isBase64Encoded ? Buffer.from(bodyText, 'base64') : Buffer.from(bodyText, 'utf8');
  return { statusCode: r.statusCode, headers, cookies: r.cookies ?? [], body };
}

function internalError(): HttpReply {
  return jsonReply(500, INTERNAL_ERROR);
}

function jsonReply(statusCode: number, body: string, headers: Record<string, string> = {}): HttpReply {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    cookies: [],
    body: Buffer.from(body),
  };
}

class PayloadTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_PAYLOAD_BYTES) throw new PayloadTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) throw new PayloadTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serves a file under `root`, falling back to index.html for extension-less paths (SPA routes). */
async function serveStatic(root: string, path: string, res: ServerResponse): Promise<boolean> {
  const base = resolve(root);
  let relative: string;
  try {
    relative = decodeURIComponent(path);
  } catch {
    return false;
  }
  const candidate = resolve(join(base, normalize(relative)));
  if (candidate !== base && !candidate.startsWith(base + sep)) return false;
  const tryFiles = [candidate, join(candidate, 'index.html')];
  if (extname(candidate) === '') tryFiles.push(join(base, 'index.html'));
  for (const file of tryFiles) {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    res.writeHead(200, {
      'content-type': STATIC_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'x-content-type-options': 'nosniff',
    });
    await new Promise<void>((done, fail) => {
      createReadStream(file).on('error', fail).on('end', done).pipe(res);
    });
    return true;
  }
  return false;
}

/**
 * Whether a Host header names this machine's loopback interface: `localhost`, `127.0.0.1` or `[::1]`,
 * with an optional port. The gateway listens on 127.0.0.1 only, but that alone does not stop DNS
 * rebinding: a page on evil.example can make its own name resolve to 127.0.0.1 and then read this
 * gateway as same-origin. Its requests still carry `Host: evil.example`, and a tunnel's carry the
 * tunnel's name, so checking the Host header is what keeps the admin API and local login to this machine.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase());
  return match !== null && ['localhost', '127.0.0.1', '[::1]'].includes(match[1] ?? '');
}

/**
 * Headers only a proxy adds (cloudflared, ngrok, any reverse proxy): a browser on this machine never
 * sends them to the gateway directly. A tunnel told to rewrite Host to localhost still adds these.
 */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'cf-connecting-ip'];

/** A request from this machine, straight to the gateway: loopback Host and no proxy in between. */
function isDirectLoopbackRequest(req: IncomingMessage): boolean {
  return isLoopbackHost(req.headers.host) && PROXY_HEADERS.every((name) => req.headers[name] === undefined);
}

const MISDIRECTED =
  '{"message":"This local gateway answers only on localhost, 127.0.0.1 or [::1], asked directly from this machine. Through any other host name, a tunnel or a proxy (or a DNS-rebinding page) it serves only the Twilio webhooks under /sms/."}';

const DEFAULT_CORS_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const DEFAULT_CORS_HEADERS = ['authorization', 'content-type'];

function corsHeadersFor(cors: CorsConfig | undefined, origin: string | undefined): Record<string, string> {
  if (!cors || !origin || !(cors.allowOrigins.includes(origin) || cors.allowOrigins.includes('*'))) return {};
  return {
    'access-control-allow-origin': cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin,
    ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    ...(cors.exposeHeaders?.length ? { 'access-control-expose-headers': cors.exposeHeaders.join(',') } : {}),
    vary: 'origin',
  };
}

function write(res: ServerResponse, reply: HttpReply, extra: Record<string, string>): void {
  const headers: Record<string, string | string[]> = { ...reply.headers, ...extra };
  if (reply.cookies.length > 0) headers['set-cookie'] = reply.cookies;
  headers['content-length'] = String(reply.body.length);
  res.writeHead(reply.statusCode, headers);
  res.end(reply.body);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<typeof TIMED_OUT>((done) => {
      timer = setTimeout(() => done(TIMED_OUT), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
const TIMED_OUT = Symbol('timed out');

export function createGateway(options: GatewayOptions): Server {
  const table = new RouteTable(options.routes);
  const loaded = new Map<RouteDefinition, Promise<LambdaHandler>>();
  const log = options.log ?? (() => {});
  const timeoutMs = options.timeoutMs ?? INTEGRATION_TIMEOUT_MS;
  if (options.routes.some((r) => r.auth === 'JWT') && !options.auth) {
    throw new Error('A route uses the JWT authorizer but the gateway has no auth');
  }

  const handlerFor = (route: RouteDefinition): Promise<LambdaHandler> => {
    let handler = loaded.get(route);
    if (!handler) {
      handler = route.load();
      // A failed import is retried on the next request instead of being cached forever.
      handler.catch(() => loaded.delete(route));
      loaded.set(route, handler);
    }
    return handler;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQueryString = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = req.headers.origin;

    // Before preflights, routes and the authorizer: a foreign Host gets nothing but the webhooks.
    const publicPath = (options.publicPathPrefixes ?? ['/sms/']).some((prefix) => rawPath.startsWith(prefix));
    if (!publicPath && !isDirectLoopbackRequest(req)) {
      log(`${method} ${rawPath} -> 403 (not a direct loopback request)`);
      req.resume();
      write(res, jsonReply(403, MISDIRECTED), {});
      return;
    }
    const cors = corsHeadersFor(options.cors, origin);

    // With CORS configured, API Gateway answers preflights itself: no route, no authorizer.
    if (options.cors && method === 'OPTIONS' && origin && req.headers['access-control-request-method']) {
      const preflight: Record<string, string> =
        Object.keys(cors).length === 0
          ? {}
          : {
              ...cors,
              'access-control-allow-methods': (options.cors.allowMethods ?? DEFAULT_CORS_METHODS).join(','),
              'access-control-allow-headers': (options.cors.allowHeaders ?? DEFAULT_CORS_HEADERS).join(','),
              'access-control-max-age': String(options.cors.maxAgeSeconds ?? 600),
            };
      req.resume();
      res.writeHead(204, preflight);
      res.end();
      return;
    }

    const matched = table.match(method, rawPath);
    if (!matched) {
      const url = new URL(rawUrl, 'http://localhost');
      for (const local of options.localHandlers ?? []) {
        if (await local(req, res, url)) return;
      }
      if (options.staticDir && (method === 'GET' || method === 'HEAD')) {
        if (await serveStatic(options.staticDir, url.pathname, res)) return;
      }
      req.resume();
      write(res, jsonReply(404, '{"message":"Not Found"}'), cors);
      return;
    }

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (!(error instanceof PayloadTooLarge)) throw error;
      res.setHeader('connection', 'close');
      write(res, jsonReply(413, '{"message":"Request Entity Too Large"}'), cors);
      req.resume();
      return;
    }

    let authorizer: JwtAuthorizerContext | undefined;
    if (matched.route.auth === 'JWT' && options.auth) {
      const verdict = await options.auth.verify(req.headers.authorization);
      if (!verdict.ok) {
        log(`${method} ${rawPath} -> 401 (JWT authorizer)`);
        write(
          res,
          jsonReply(401, '{"message":"Unauthorized"}', { 'www-authenticate': verdict.wwwAuthenticate }),
          cors,
        );
        return;
      }
      authorizer = { jwt: { claims: verdict.claims, scopes: verdict.scopes } };
    }

    const event = buildEvent({ req, rawPath, rawQueryString, body, matched, authorizer });
    const started = Date.now();
    let reply: HttpReply;
    try {
      const handler = (await handlerFor(matched.route)) as unknown as (
        e: GatewayEvent,
        c: Context,
      ) => unknown;
      const context = lambdaContext(matched.route.functionName, timeoutMs);
      const result = await withTimeout(Promise.resolve(handler(event, context)), timeoutMs);
      // HTTP APIs answer 503 when the integration does not answer within the timeout.
      reply = result === TIMED_OUT ? jsonReply(503, '{"message":"Service Unavailable"}') : mapResult(result);
    } catch (error) {
      // Lambda logs an unhandled error to the function's log; the caller only gets a generic 500.
      log(
        `${matched.route.functionName} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      reply = internalError();
    }
    log(`${method} ${rawPath} -> ${reply.statusCode} (${Date.now() - started} ms)`);
    write(res, reply, { 'apigw-requestid': event.requestContext.requestId, ...cors });
  }

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`gateway error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) write(res, internalError(), {});
      else res.destroy();
    });
  });
}

/** Listens on 127.0.0.1 only (port 0 = any free port). */
export async function listen(server: Server, port: number): Promise<{ url: string; port: number }> {
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      done();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${actual}`, port: actual };
}

/** Closes a server and every open (keep-alive) connection, so nothing keeps the process alive. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    if (!server.listening) return done();
    server.close(() => done());
    server.closeAllConnections();
  });
}

export async function startGateway(options: GatewayOptions & { port?: number }): Promise<RunningGateway> {
  const server = createGateway(options);
  const { url, port } = await listen(server, options.port ?? 0);
  return { url, port, server, close: () => closeServer(server) };
}
