import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { OAuth2Server } from 'oauth2-mock-server';
import type { Browser, Page, Request } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningLocalStack, startLocalStack } from '../../local/start.js';
import { launchChromium } from '../support/chromium.js';

/**
 * The dashboard's Cognito mode in a real Chromium: the same built files the CDK stack deploys, a
 * config.json in the shape it writes, and a real OpenID provider (oauth2-mock-server, which checks PKCE
 * itself) standing in for Cognito's hosted UI, since no user pool is reachable here. The local gateway
 * verifies that provider's tokens the way the HTTP API's JWT authorizer does: keys from the issuer's
 * discovery document, audience = the app client id.
 */

const ARTIFACTS = resolve('test-artifacts/dashboard');
const CLIENT_ID = 'dashboard-app-client';
// The hosted UI's host, as Cognito gives it; sign-out goes there and the test answers for it.
const HOSTED_UI = 'clinic-backfill.auth.us-east-1.amazoncognito.com';

let oidc: OAuth2Server;
let stack: RunningLocalStack;
let browser: Browser;
let page: Page;
let distDir = '';
let groups = ['staff'];
const authorizeRequests: URL[] = [];
const tokenRequests: URLSearchParams[] = [];
const pageErrors: string[] = [];

function idTokenInSession(): Promise<string | undefined> {
  return page.evaluate(() => {
    for (let i = 0; i < sessionStorage.length; i++) {
      const key = sessionStorage.key(i) ?? '';
      if (key.startsWith('oidc.user:')) {
        return (JSON.parse(sessionStorage.getItem(key) ?? '{}') as { id_token?: string }).id_token;
      }
    }
    return undefined;
  });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  distDir = mkdtempSync(join(tmpdir(), 'dashboard-cognito-'));
  await build({
    configFile: resolve('dashboard/vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: distDir, emptyOutDir: true },
  });

  oidc = new OAuth2Server();
  await oidc.issuer.keys.generate('RS256');
  await oidc.start(0, '127.0.0.1');
  oidc.issuer.url = `http://127.0.0.1:${oidc.address().port}`;
  // What a Cognito ID token carries for a member of the pool's groups.
  oidc.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => {
    Object.assign(token.payload, {
      'cognito:groups': groups,
      'cognito:username': 'frontdesk-1',
      name: 'Front Desk',
      email: 'frontdesk@clinic.example',
      token_use: 'id',
    });
  });

  stack = await startLocalStack({
    port: 0,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `cognito-${Date.now()}`,
    dashboardDir: distDir,
    oidc: { issuer: oidc.issuer.url, clientId: CLIENT_ID, domain: HOSTED_UI },
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'CRITICAL' },
  });

  // One patient on the list, added with a token the provider minted outside the browser.
  const seedToken = await oidc.issuer.buildToken({
    scopesOrTransform: (_header, payload) => {
      Object.assign(payload, { sub: 'seeder', aud: CLIENT_ID, 'cognito:groups': ['staff'], token_use: 'id' });
    },
  });
  const added = await fetch(`${stack.urls.gateway}/admin/waitlist`, {
    method: 'POST',
    headers: { authorization: `Bearer ${seedToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      patient: { phone: '+13125550121', displayName: 'Gia', consentSource: 'VERBAL' },
      entry: { urgent: false },
    }),
  });
  expect(added.status).toBe(201);

  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1180, height: 820 }, locale: 'en-US' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('request', (request: Request) => {
    const url = new URL(request.url());
    if (url.origin !== oidc.issuer.url) return;
    if (url.pathname === '/authorize') authorizeRequests.push(url);
    if (url.pathname === '/token') tokenRequests.push(new URLSearchParams(request.postData() ?? ''));
  });
  // Cognito's logout endpoint: answer it here, as the real one would redirect back to logout_uri.
  await page.route(`https://${HOSTED_UI}/**`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html',
      body: '<!doctype html><title>Signed out</title>',
    }),
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await oidc?.stop();
  if (distDir) rmSync(distDir, { recursive: true, force: true });
});

describe('dashboard sign-in through an OpenID provider (Cognito mode)', () => {
  it('signs in with authorization code + PKCE and lands on the page it was opened at', async () => {
    await page.goto(`${stack.urls.gateway}/#/waitlist`);
    // No local login in this mode: one button to the hosted UI.
    await expect(page.getByRole('button', { name: 'Sign in as staff' }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.role-tag').first().textContent()).toBe('staff');
    // Back where it started, with the spent code and state gone from the address bar.
    await page
      .getByRole('heading', { name: /Waitlist/ })
      .first()
      .waitFor();
    const address = new URL(page.url());
    expect(address.search).toBe('');
    expect(address.hash).toBe('#/waitlist');

    // The request for a code carried an S256 challenge; the exchange carried the verifier that hashes to it.
    expect(authorizeRequests).toHaveLength(1);
    const authorize = authorizeRequests[0] as URL;
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${stack.urls.gateway}/`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(tokenRequests).toHaveLength(1);
    const exchange = tokenRequests[0] as URLSearchParams;
    expect(exchange.get('grant_type')).toBe('authorization_code');
    const verifier = exchange.get('code_verifier') ?? '';
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(
      authorize.searchParams.get('code_challenge'),
    );

    // Tokens live in sessionStorage only, never localStorage.
    await expect(idTokenInSession()).resolves.toMatch(/^ey/);
    await expect(page.evaluate(() => localStorage.length)).resolves.toBe(0);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: `${ARTIFACTS}/20-cognito-signed-in.png` });
  });

  it("the API accepts the provider's token and refuses the local signer's", async () => {
    const idToken = (await idTokenInSession()) as string;
    const withProviderToken = await fetch(`${stack.urls.gateway}/admin/slots`, {
      headers: { authorization: `Bearer ${idToken}` },
    });
    expect(withProviderToken.status).toBe(200);
    // The local login's token (another issuer) is refused before any handler...
    const local = await stack.auth.issueToken({ role: 'admin' });
    const withLocalToken = await fetch(`${stack.urls.gateway}/admin/slots`, {
      headers: { authorization: `Bearer ${local.token}` },
    });
    expect(withLocalToken.status).toBe(401);
    // ...and so is one that claims the right issuer and audience but is signed by a key it never published.
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ 'cognito:groups': ['staff', 'admin'], token_use: 'id' })
      .setProtectedHeader({ alg: 'RS256', kid: 'not-published' })
      .setIssuer(oidc.issuer.url as string)
      .setAudience(CLIENT_ID)
      .setSubject('intruder')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    const withForgedToken = await fetch(`${stack.urls.gateway}/admin/slots`, {
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(withForgedToken.status).toBe(401);
    // Staff in the pool are staff in the API: the audit log is for admins.
    const audit = await fetch(`${stack.urls.gateway}/admin/audit`, {
      headers: { authorization: `Bearer ${idToken}` },
    });
    expect(audit.status).toBe(403);
  });

  it('keeps the session across a reload without another trip to the provider', async () => {
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(authorizeRequests).toHaveLength(1);
  });

  it("signs out at the hosted UI's logout endpoint and forgets the tokens", async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`https://${HOSTED_UI}/logout**`);
    const logout = new URL(page.url());
    expect(logout.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(logout.searchParams.get('logout_uri')).toBe(`${stack.urls.gateway}/`);
    await page.goto(`${stack.urls.gateway}/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await expect(idTokenInSession()).resolves.toBeUndefined();
  });

  it('an admin in the pool sees the admin-only audit view', async () => {
    groups = ['staff', 'admin'];
    await page.goto(`${stack.urls.gateway}/#/audit`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.role-tag').first().textContent()).toBe('admin');
    await expect(page.getByText('This view is for admins only').count()).resolves.toBe(0);
    expect(new URL(page.url()).hash).toBe('#/audit');
    expect(pageErrors).toEqual([]);
  });
});
