import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { ErrorBody, Role } from '../../shared/admin/contract.js';
import { CsvRowsError } from '../../shared/admin/errors.js';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/domain/errors.js';

/**
 * The admin API's HTTP edge: one error shape, one place that maps errors to statuses, CORS for the
 * dashboard's origin only, and the reading of roles from the claims API Gateway's JWT authorizer has
 * already verified. No token is parsed here.
 */

export type AdminEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: {
      jwt?: { claims?: Record<string, string | number | boolean | string[]>; scopes?: string[] };
    };
  };
};
export type AdminResult = APIGatewayProxyStructuredResultV2;

type ErrorCode = ErrorBody['error']['code'];

/** An HTTP-level refusal (auth, routing, media type) with the status and code it answers with. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const BASE_HEADERS = {
  // Responses carry PHI: never cached by a browser or a proxy.
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function jsonResponse(status: number, body: unknown): AdminResult {
  return {
    statusCode: status,
    headers: { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}

export function csvResponse(body: string, filename: string): AdminResult {
  return {
    statusCode: 200,
    headers: {
      ...BASE_HEADERS,
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
    },
    body,
  };
}

function errorBody(code: ErrorCode, message: string, extra: Partial<ErrorBody['error']> = {}): ErrorBody {
  return { error: { code, message, ...extra } };
}

/**
 * Every error becomes a response here, and only here. Anything unrecognised is a 500 whose body says
 * nothing about the cause (the log has the name and the request id).
 */
export function errorResponse(
  error: unknown,
  log: (event: string, fields: Record<string, unknown>) => void,
  requestId?: string,
): AdminResult {
  if (error instanceof HttpError) {
    return jsonResponse(
      error.status,
      errorBody(error.code, error.message, error.fields ? { fields: error.fields } : {}),
    );
  }
  if (error instanceof CsvRowsError) {
    return jsonResponse(
      400,
      errorBody('VALIDATION', error.message, { fields: error.fields, errors: error.rows }),
    );
  }
  if (error instanceof ValidationError) {
    return jsonResponse(400, errorBody('VALIDATION', error.message, { fields: error.fields }));
  }
  if (error instanceof NotFoundError) return jsonResponse(404, errorBody('NOT_FOUND', error.message));
  if (error instanceof ConflictError) return jsonResponse(409, errorBody('CONFLICT', error.message));
  log('admin.error', { requestId, error: describeError(error) });
  return jsonResponse(
    500,
    errorBody('INTERNAL', `something went wrong on our side${requestId ? ` (request ${requestId})` : ''}`),
  );
}

/** A phone number in any common spelling: ten or more digits with optional separators and a "+". */
const PHONE_LIKE = /\+?\d(?:[\s().-]*\d){9,}/g;
const MAX_LOGGED_CAUSES = 3;

export interface LoggedError {
  name: string;
  message: string;
  stack?: string;
  cause?: LoggedError;
}

/**
 * What the error log says about an unexpected error: name, message and stack (and the same for its
 * causes), as a plain object under the key `error`. Not the Error itself: Powertools would copy every
 * enumerable property into the log, and an SDK error can carry the item it failed on
 * (ConditionalCheckFailedException's `Item`, a transaction's `CancellationReasons`), which holds PHI.
 * Not under `message` either: Powertools reserves that key and drops it. Engine and store messages carry
 * ids, not patient data; a phone-like run of digits is masked all the same.
 */
export function describeError(error: unknown, depth = 0): LoggedError {
  const scrub = (text: string) => text.replace(PHONE_LIKE, '[number]');
  if (!(error instanceof Error)) return { name: typeof error, message: '(not an Error object)' };
  const cause = (error as { cause?: unknown }).cause;
  return {
    name: error.name,
    message: scrub(error.message),
    ...(error.stack ? { stack: scrub(error.stack) } : {}),
    ...(cause !== undefined && depth < MAX_LOGGED_CAUSES ? { cause: describeError(cause, depth + 1) } : {}),
  };
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = root;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** zod issues → `{ "entry.boostReason": "is required when …" }`, with a prefix for query/path fields. */
export function issuesToFields(
  issues: z.core.$ZodIssue[],
  input: unknown,
  prefix = '',
): Record<string, string> {
  // No prototype: a field literally named "__proto__" must be recorded like any other, not swallowed.
  const fields: Record<string, string> = Object.create(null);
  for (const issue of issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        fields[`${prefix}${base ? `${base}.` : ''}${key}`] = 'is not a known field';
      continue;
    }
    const name = `${prefix}${base}` || (prefix ? prefix.replace(/\.$/, '') : 'body');
    const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
    fields[name] ??= missing ? 'is required' : issue.message;
  }
  return fields;
}

export function validationFailure(fields: Record<string, string>): ValidationError {
  const names = Object.keys(fields);
  const first = names[0];
  const summary = first ? `${first} ${fields[first]}` : 'the request is not valid';
  return new ValidationError(
    `Invalid request: ${summary}${names.length > 1 ? ` (and ${names.length - 1} more)` : ''}`,
    fields,
  );
}

/**
 * The group names in `cognito:groups`, in the only forms it arrives in:
 * - "[staff admin]": API Gateway's HTTP API JWT authorizer flattens an array claim to a string, Go's
 *   fmt style, names separated by single spaces (Cognito group names contain no whitespace); the local
 *   stack does the same (local/auth.ts);
 * - '["staff","admin"]': a JSON array string, for a claim a token already carries as a string;
 * - a real array of strings, when a caller hands the claims over unflattened.
 * Anything else (a bare name, a comma-separated list) is no groups at all. Names are taken exactly as
 * they are: never split on commas, never unquoted, so a group named "x,admin" or "\"admin\"" is that
 * group and grants nothing.
 */
export function groupNames(groups: unknown): string[] {
  if (Array.isArray(groups)) return groups.every((g) => typeof g === 'string') ? groups : [];
  if (typeof groups !== 'string' || !groups.startsWith('[') || !groups.endsWith(']')) return [];
  if (groups.startsWith('["')) {
    try {
      const parsed: unknown = JSON.parse(groups);
      if (Array.isArray(parsed) && parsed.every((g) => typeof g === 'string')) return parsed;
    } catch {
      // Not JSON: read as the flattened form, where a name may itself start with a quote.
    }
  }
  return groups
    .slice(1, -1)
    .split(' ')
    .filter((name) => name !== '');
}

/** Roles from the verified `cognito:groups` claim (see groupNames). Admin includes staff. */
export function rolesFromClaims(groups: unknown): Role[] {
  const names = new Set(groupNames(groups));
  if (names.has('admin')) return ['staff', 'admin'];
  if (names.has('staff')) return ['staff'];
  return [];
}

export interface CorsOptions {
  /** The dashboard's origin; no other origin ever gets Access-Control-Allow-Origin. */
  origin: string;
  log: (event: string, fields: Record<string, unknown>) => void;
}

const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'GET, POST, PUT, PATCH, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-max-age': '600',
};

/**
 * CORS and error mapping in one middleware, so an error response gets the same CORS headers as a
 * success (otherwise the browser hides the error body from the dashboard). Put it after the header
 * normalizer; no @middy/http-error-handler (it answers in text, not our error shape).
 */
export function adminHttp(options: CorsOptions): MiddlewareObj<AdminEvent, AdminResult> {
  const allowed = options.origin.replace(/\/+$/, '');

  const corsHeaders = (event: AdminEvent): Record<string, string> => {
    const origin = event.headers?.origin;
    return origin && origin === allowed
      ? { 'access-control-allow-origin': allowed, vary: 'Origin' }
      : { vary: 'Origin' };
  };

  const withCors = (event: AdminEvent, response: AdminResult): AdminResult => ({
    ...response,
    headers: { ...response.headers, ...corsHeaders(event) },
  });

  const adminHttpBefore: NonNullable<MiddlewareObj<AdminEvent, AdminResult>['before']> = (request) => {
    // Browsers send the preflight without the token; answer it before authorisation.
    if (request.event.requestContext.http.method === 'OPTIONS') {
      const cors = corsHeaders(request.event);
      return {
        statusCode: 204,
        headers: {
          ...BASE_HEADERS,
          ...cors,
          ...(cors['access-control-allow-origin'] ? PREFLIGHT_HEADERS : {}),
        },
        body: '',
      };
    }
    return undefined;
  };

  const adminHttpAfter: NonNullable<MiddlewareObj<AdminEvent, AdminResult>['after']> = (request) => {
    if (request.response) request.response = withCors(request.event, request.response);
  };

  const adminHttpOnError: NonNullable<MiddlewareObj<AdminEvent, AdminResult>['onError']> = (request) => {
    request.response = withCors(
      request.event,
      errorResponse(request.error, options.log, request.event.requestContext?.requestId),
    );
  };

  return { before: adminHttpBefore, after: adminHttpAfter, onError: adminHttpOnError };
}
