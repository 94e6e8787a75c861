import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from 'jose';
import { z } from 'zod';

/**
 * Local stand-in for Cognito + API Gateway's JWT authorizer. At start it generates an RS256 key pair,
 * publishes the public half as a JWKS, signs Cognito-shaped ID tokens for a chosen role, and verifies
 * bearer tokens exactly where and how the HTTP API's authorizer does: before the handler, answering
 * 401 `{"message":"Unauthorized"}` itself, so handlers only ever see verified claims.
 */

export const LOCAL_ISSUER = 'http://localhost/local-auth';
export const LOCAL_AUDIENCE = 'clinic-backfill-dashboard';
export const DEFAULT_TOKEN_TTL_SECONDS = 8 * 60 * 60;

export type LocalRole = 'staff' | 'admin';

/** Cognito groups per role: an admin also does the staff work, as the admin group does in the pool. */
const GROUPS: Record<LocalRole, string[]> = { staff: ['staff'], admin: ['staff', 'admin'] };

export interface IssuedToken {
  token: string;
  /** ISO 8601. */
  expiresAt: string;
}

export interface IssueTokenInput {
  role: LocalRole;
  name?: string;
  /** Seconds from now; negative values mint an already expired token (tests). */
  expiresInSeconds?: number;
  audience?: string;
  sub?: string;
}

export type VerifyResult =
  | { ok: true; claims: Record<string, string>; scopes: string[] | null }
  | { ok: false; status: 401; wwwAuthenticate: string };

/** What the gateway needs, and what an HTTP API JWT authorizer is configured with: issuer and audience. */
export interface JwtAuthorizer {
  readonly issuer: string;
  readonly audience: string;
  /** Verifies an `Authorization` header value as the HTTP API JWT authorizer does. */
  verify(authorization: string | undefined): Promise<VerifyResult>;
}

/** The local login's signer: an authorizer that can also mint tokens for a chosen role. */
export interface LocalAuth extends JwtAuthorizer {
  readonly jwks: JSONWebKeySet;
  issueToken(input: IssueTokenInput): Promise<IssuedToken>;
}

/**
 * Claims as API Gateway HTTP API puts them in `requestContext.authorizer.jwt.claims`: every value is a
 * STRING. API Gateway formats non-string claims the way Go's fmt does, so handlers must parse them:
 * - arrays become `[a b]`: `cognito:groups: ["staff","admin"]` arrives as `"[staff admin]"`;
 *   split `value.slice(1, -1).split(' ')` (group names contain no spaces);
 * - numbers become decimal strings (`exp: 1767225600` arrives as `"1767225600"`); booleans `"true"`;
 * - objects become `map[key:value ...]` with keys sorted.
 * Null claims are left out.
 */
export function flattenClaims(payload: Record<string, unknown>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (value === null || value === undefined) continue;
    flat[key] = goFormat(value);
  }
  return flat;
}

function goFormat(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `map[${entries.map(([k, v]) => `${k}:${goFormat(v)}`).join(' ')}]`;
  }
  return '<nil>';
}

/** Scopes come from `scope` (space separated) or `scp`; API Gateway sends null when there are none. */
function scopesOf(payload: JWTPayload): string[] | null {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string' && raw.trim() !== '') return raw.trim().split(/\s+/);
  if (Array.isArray(raw)) return raw.map(String);
  return null;
}

function challenge(description?: string): string {
  return description ? `Bearer error="invalid_token" error_description="${description}"` : 'Bearer';
}

/**
 * The checks API Gateway's JWT authorizer makes, in its order and with its answers: a bearer token,
 * signed by a key of the issuer's set, with the configured issuer and audience and an `exp` in the future.
 */
function jwtVerifier(keySet: JWTVerifyGetKey, issuer: string, audience: string): JwtAuthorizer['verify'] {
  return async (authorization) => {
    // The identity source is $request.header.Authorization; API Gateway strips a "Bearer " prefix.
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!token) return { ok: false, status: 401, wwwAuthenticate: challenge() };
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer,
        audience,
        algorithms: ['RS256'],
        requiredClaims: ['exp'],
      });
      return { ok: true, claims: flattenClaims(payload), scopes: scopesOf(payload) };
    } catch (error) {
      const description =
        error instanceof errors.JWTExpired
          ? 'the token has expired'
          : error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud'
            ? 'the token does not have a valid audience'
            : 'signing method RS256 is invalid or the token is malformed';
      return { ok: false, status: 401, wwwAuthenticate: challenge(description) };
    }
  };
}

/**
 * An authorizer for tokens of a real OpenID provider (a Cognito user pool, or a test's provider), set up
 * as API Gateway sets up its JWT authorizer: the keys come from the `jwks_uri` of the issuer's discovery
 * document, and the audience is the app client id.
 */
export async function createIssuerAuthorizer(options: {
  issuer: string;
  audience: string;
}): Promise<JwtAuthorizer> {
  const issuer = options.issuer;
  const discoveryUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let jwksUri: unknown;
  try {
    const response = await fetch(discoveryUrl);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    jwksUri = ((await response.json()) as { jwks_uri?: unknown }).jwks_uri;
  } catch (error) {
    throw new Error(`Could not read the OpenID configuration at ${discoveryUrl}: ${String(error)}`);
  }
  if (typeof jwksUri !== 'string') throw new Error(`${discoveryUrl} has no jwks_uri`);
  return {
    issuer,
    audience: options.audience,
    verify: jwtVerifier(createRemoteJWKSet(new URL(jwksUri)), issuer, options.audience),
  };
}

export async function createLocalAuth(
  options: { issuer?: string; audience?: string; ttlSeconds?: number } = {},
): Promise<LocalAuth> {
  const issuer = options.issuer ?? LOCAL_ISSUER;
  const audience = options.audience ?? LOCAL_AUDIENCE;
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  const kid = randomUUID();
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const jwks: JSONWebKeySet = { keys: [publicJwk] };
  const keySet = createLocalJWKSet(jwks);

  return {
    issuer,
    audience,
    jwks,
    async issueToken(input) {
      const now = Math.floor(Date.now() / 1000);
      const exp = now + (input.expiresInSeconds ?? ttlSeconds);
      const name = input.name ?? (input.role === 'admin' ? 'Local Admin' : 'Local Staff');
      const sub = input.sub ?? randomUUID();
      // The shape of a Cognito ID token, so handlers are written against what production sends.
      const token = await new SignJWT({
        email: `${input.role}@clinic.local`,
        email_verified: true,
        name,
        'cognito:groups': GROUPS[input.role],
        'cognito:username': sub,
        token_use: 'id',
        auth_time: now,
      })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(input.audience ?? audience)
        .setSubject(sub)
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(privateKey);
      return { token, expiresAt: new Date(exp * 1000).toISOString() };
    },
    verify: jwtVerifier(keySet, issuer, audience),
  };
}

const loginBody = z.object({
  role: z.enum(['staff', 'admin']),
  name: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .regex(/^[\p{L}\p{N} .'-]+$/u, "letters, digits, spaces and . ' - only")
    .optional(),
});

const LOGIN_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Local login - clinic backfill</title>
<link rel="stylesheet" href="/local/login.css">
<script src="/local/login.js" defer></script>
</head>
<body>
<main>
<h1>Local login</h1>
<p>Local mode only: pick a role to get a token signed by the local stack's key. In AWS, Cognito does this.</p>
<label>Name <input id="name" maxlength="60" value="" placeholder="Local Staff"></label>
<div class="buttons">
<button type="button" data-role="staff">Sign in as staff</button>
<button type="button" data-role="admin">Sign in as admin</button>
</div>
<p id="result" role="status"></p>
<textarea id="token" rows="6" readonly hidden aria-label="Token"></textarea>
</main>
</body>
</html>
`;

const LOGIN_CSS = `body{font-family:system-ui,sans-serif;margin:2rem;max-width:40rem}
.buttons{display:flex;gap:1rem;margin:1rem 0}button{padding:.6rem 1rem;font-size:1rem}
textarea{width:100%;font-family:monospace;font-size:.8rem}label{display:block;margin:1rem 0}`;

// The token goes to sessionStorage under the key the dashboard reads; the page also shows it for curl.
const LOGIN_JS = `'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const result = document.getElementById('result');
  const tokenBox = document.getElementById('token');
  for (const button of document.querySelectorAll('button[data-role]')) {
    button.addEventListener('click', async () => {
      const name = document.getElementById('name').value.trim();
      const body = { role: button.dataset.role };
      if (name) body.name = name;
      const response = await fetch('/local/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const data = await response.json();
      if (!response.ok) {
        result.textContent = 'Login failed: ' + (data.message || response.status);
        return;
      }
      sessionStorage.setItem('clinic-backfill.token', data.token);
      result.textContent = 'Signed in as ' + body.role + ' until ' + new Date(data.expiresAt).toLocaleString() +
        '. Use it as: Authorization: Bearer <token>';
      tokenBox.value = data.token;
      tokenBox.hidden = false;
    });
  }
});
`;

const STRICT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(body);
}

const MAX_LOGIN_BODY = 4096;

async function readSmallBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_LOGIN_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Serves `/local/login` (GET page, POST JSON), `/local/login.js`, `/local/login.css`, and the JWKS and
 * OpenID discovery document an authorizer would fetch. Returns false for any other path.
 */
export async function handleLocalAuthRequest(
  auth: LocalAuth,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  if (path === '/local/login' && method === 'GET') {
    send(res, 200, 'text/html; charset=utf-8', LOGIN_PAGE, { 'content-security-policy': STRICT_CSP });
    return true;
  }
  if (path === '/local/login.js' && method === 'GET') {
    send(res, 200, 'text/javascript; charset=utf-8', LOGIN_JS);
    return true;
  }
  if (path === '/local/login.css' && method === 'GET') {
    send(res, 200, 'text/css; charset=utf-8', LOGIN_CSS);
    return true;
  }
  if (path === '/local/jwks.json' && method === 'GET') {
    send(res, 200, 'application/json', JSON.stringify(auth.jwks));
    return true;
  }
  if (path === '/local/.well-known/openid-configuration' && method === 'GET') {
    send(
      res,
      200,
      'application/json',
      JSON.stringify({
        issuer: auth.issuer,
        jwks_uri: '/local/jwks.json',
        id_token_signing_alg_values_supported: ['RS256'],
      }),
    );
    return true;
  }
  if (path === '/local/login' && method === 'POST') {
    const raw = await readSmallBody(req);
    let parsed: ReturnType<typeof loginBody.safeParse> | undefined;
    try {
      parsed = raw === undefined ? undefined : loginBody.safeParse(JSON.parse(raw));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      const detail = parsed?.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
      send(
        res,
        400,
        'application/json',
        JSON.stringify({
          message: 'Send JSON {"role": "staff" | "admin", "name"?: string}',
          ...(detail ? { errors: detail } : {}),
        }),
      );
      return true;
    }
    const issued = await auth.issueToken(parsed.data);
    send(res, 200, 'application/json', JSON.stringify(issued));
    return true;
  }
  return false;
}
