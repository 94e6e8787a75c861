import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIssuerAuthorizer,
  createLocalAuth,
  flattenClaims,
  handleLocalAuthRequest,
  type LocalAuth,
} from '../../local/auth.js';
import { type GatewayEvent, type RunningGateway, startGateway } from '../../local/gateway.js';
import type { RouteDefinition } from '../../local/routes.js';

const seen: GatewayEvent[] = [];
const routes: RouteDefinition[] = [
  {
    routeKey: 'ANY /admin/{proxy+}',
    auth: 'JWT',
    functionName: 'admin-api',
    load: async () => async (event: GatewayEvent) => {
      seen.push(event);
      return { statusCode: 200, body: 'ok' };
    },
  },
];

let auth: LocalAuth;
let gateway: RunningGateway;

beforeAll(async () => {
  auth = await createLocalAuth();
  gateway = await startGateway({
    routes,
    auth,
    localHandlers: [(req, res, url) => handleLocalAuthRequest(auth, req, res, url.pathname)],
  });
});
afterAll(() => gateway.close());

async function getAdmin(authorization?: string) {
  seen.length = 0;
  const response = await fetch(`${gateway.url}/admin/audit`, {
    headers: authorization ? { authorization } : {},
  });
  return { response, body: await response.text(), event: seen[0] };
}

async function expectUnauthorized(authorization?: string) {
  const { response, body, event } = await getAdmin(authorization);
  expect(response.status).toBe(401);
  expect(body).toBe('{"message":"Unauthorized"}');
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  // The authorizer stops the request: the handler never runs.
  expect(event).toBeUndefined();
}

describe('local JWT authorizer', () => {
  it('rejects a request without a token', async () => {
    await expectUnauthorized();
    await expectUnauthorized('Bearer ');
  });

  it('rejects an expired token', async () => {
    const { token } = await auth.issueToken({ role: 'admin', expiresInSeconds: -60 });
    await expectUnauthorized(`Bearer ${token}`);
  });

  it('rejects a token signed by another key with the same issuer, audience and kid', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const kid = auth.jwks.keys[0]?.kid ?? '';
    const forged = await new SignJWT({ 'cognito:groups': ['staff', 'admin'] })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(auth.issuer)
      .setAudience(auth.audience)
      .setSubject('intruder')
      .setExpirationTime('1h')
      .sign(privateKey);
    await expectUnauthorized(`Bearer ${forged}`);
  });

  it('rejects a token for another audience, and garbage', async () => {
    const { token } = await auth.issueToken({ role: 'staff', audience: 'some-other-app' });
    await expectUnauthorized(`Bearer ${token}`);
    await expectUnauthorized('Bearer not.a.jwt');
  });

  it('passes a valid token and flattens claims as API Gateway does', async () => {
    const { token, expiresAt } = await auth.issueToken({ role: 'admin', name: 'Dana' });
    const { response, event } = await getAdmin(`Bearer ${token}`);
    expect(response.status).toBe(200);
    const jwt = event?.requestContext.authorizer?.jwt;
    expect(jwt?.claims['cognito:groups']).toBe('[staff admin]');
    expect(jwt?.claims.name).toBe('Dana');
    expect(jwt?.claims.email).toBe('admin@clinic.local');
    expect(jwt?.claims.iss).toBe(auth.issuer);
    expect(jwt?.claims.aud).toBe(auth.audience);
    expect(jwt?.claims.exp).toBe(String(Date.parse(expiresAt) / 1000));
    expect(jwt?.claims.email_verified).toBe('true');
    expect(Object.values(jwt?.claims ?? {}).every((v) => typeof v === 'string')).toBe(true);
    expect(jwt?.scopes).toBeNull();
  });

  it('flattens nested values the Go way', () => {
    expect(flattenClaims({ a: [1, 'x'], b: { z: 1, y: [true] }, c: null })).toEqual({
      a: '[1 x]',
      b: 'map[y:[true] z:1]',
    });
  });
});

describe('local login', () => {
  it('hands out a staff token over JSON that the authorizer accepts', async () => {
    const response = await fetch(`${gateway.url}/local/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'staff' }),
    });
    expect(response.status).toBe(200);
    const { token, expiresAt } = (await response.json()) as { token: string; expiresAt: string };
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const { event } = await getAdmin(`Bearer ${token}`);
    expect(event?.requestContext.authorizer?.jwt.claims['cognito:groups']).toBe('[staff]');
  });

  it('refuses an unknown role with a 400 naming the field', async () => {
    const response = await fetch(`${gateway.url}/local/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'root' }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('role');
  });

  it('serves a login page with no inline script and a strict CSP', async () => {
    const response = await fetch(`${gateway.url}/local/login`);
    const html = await response.text();
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(html).toContain('<script src="/local/login.js"');
    expect(html).not.toMatch(/<script>(?!<)/);
    expect(html).not.toMatch(/\son\w+=/i);
    const js = await fetch(`${gateway.url}/local/login.js`);
    expect(js.headers.get('content-type')).toContain('javascript');
  });
});

describe('createIssuerAuthorizer', () => {
  it('says which discovery document it could not read', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const issuer = `http://127.0.0.1:${port}/pool`;
    await expect(createIssuerAuthorizer({ issuer, audience: 'client' })).rejects.toThrow(
      `Could not read the OpenID configuration at ${issuer}/.well-known/openid-configuration: Error: HTTP 404`,
    );
    server.close();
  });
});
