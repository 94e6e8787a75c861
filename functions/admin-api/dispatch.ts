import type * as z from 'zod/mini';
import type { Actor, RouteHandlers } from '../../shared/admin/admin-service.js';
import type { AdminRoute, RouteId } from '../../shared/admin/contract.js';
import {
  type AdminEvent,
  type AdminResult,
  csvResponse,
  HttpError,
  issuesToFields,
  jsonResponse,
  rolesFromClaims,
  validationFailure,
} from './http.js';
import { matchRoute } from './router.js';

/**
 * Router → auth → validation → use case → response. Kept apart from handler.ts (which builds the real
 * adapters at cold start) so tests can drive the same pipeline over a test clinic.
 */

const MAX_BODY_BYTES = 1_000_000;

/** Who is calling, from the claims the JWT authorizer verified. No claims at all: 401. */
export function actorFrom(event: AdminEvent): Actor {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (!claims || typeof sub !== 'string' || sub === '') {
    throw new HttpError(401, 'UNAUTHORIZED', 'sign in first: this request carries no verified identity');
  }
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  const name = typeof claims.name === 'string' ? claims.name : undefined;
  return {
    sub,
    ...(email ? { email } : {}),
    ...(name ? { name } : {}),
    roles: rolesFromClaims(claims['cognito:groups']),
  };
}

function rawBody(event: AdminEvent): string {
  if (event.body === undefined || event.body === null) return '';
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  return text;
}

function mediaType(event: AdminEvent): string {
  return (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function readJsonBody(event: AdminEvent): unknown {
  const text = rawBody(event);
  // Withdraw and "booked" need no fields: an absent body is an empty object.
  if (text.trim() === '') return {};
  const type = mediaType(event);
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'VALIDATION', 'the body is not valid JSON', { body: 'is not valid JSON' });
  }
}

function readCsvBody(event: AdminEvent): string {
  const type = mediaType(event);
  if (type !== 'text/csv' && type !== 'application/csv') {
    throw new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'send the file as text/csv (save the sheet as CSV first)',
    );
  }
  return rawBody(event);
}

/** Parses one part of the request; `failed` is set on any failure, whatever the field names were. */
function parsePart(
  schema: z.ZodMiniType | undefined,
  input: unknown,
  prefix: string,
  problems: { fields: Record<string, string>; failed: boolean },
) {
  if (!schema) return undefined;
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  problems.failed = true;
  for (const [name, message] of Object.entries(issuesToFields(result.error.issues, input, prefix))) {
    problems.fields[name] = message;
  }
  return undefined;
}

export async function dispatch(event: AdminEvent, handlers: RouteHandlers): Promise<AdminResult> {
  // Identity first, as API Gateway would: an unauthenticated caller learns nothing about the routes.
  const actor = actorFrom(event);
  const match = matchRoute(event.requestContext.http.method, event.rawPath ?? event.requestContext.http.path);
  if (match.kind === 'NOT_FOUND') throw new HttpError(404, 'NOT_FOUND', 'no such admin route');
  if (match.kind === 'METHOD_NOT_ALLOWED') {
    throw new HttpError(
      405,
      'METHOD_NOT_ALLOWED',
      `use ${[...new Set(match.allowed)].join(' or ')} on this path`,
    );
  }
  const route: AdminRoute = match.route;
  if (actor.roles.length === 0) {
    throw new HttpError(403, 'FORBIDDEN', 'your account is in neither the staff nor the admin group');
  }
  if (!actor.roles.includes(route.role)) {
    throw new HttpError(403, 'FORBIDDEN', `this action needs the ${route.role} role`);
  }

  const problems = { fields: Object.create(null) as Record<string, string>, failed: false };
  const spec = route as {
    params?: z.ZodMiniType;
    query?: z.ZodMiniType;
    body?: z.ZodMiniType;
    bodyType?: 'json' | 'csv';
  };
  const params = parsePart(spec.params, match.params, '', problems);
  const query = parsePart(spec.query, event.queryStringParameters ?? {}, '', problems);
  let body: unknown;
  if (spec.bodyType === 'csv') body = readCsvBody(event);
  else if (spec.body) body = parsePart(spec.body, readJsonBody(event), '', problems);
  if (problems.failed) throw validationFailure({ ...problems.fields });

  const handler = handlers[route.id as RouteId] as (input: unknown, actor: Actor) => Promise<unknown>;
  const result = await handler({ params, query, body }, actor);
  if ('responseType' in route && route.responseType === 'csv') {
    return csvResponse(String(result), `waitlist-${new Date().toISOString().slice(0, 10)}.csv`);
  }
  return jsonResponse('status' in route ? route.status : 200, result);
}
