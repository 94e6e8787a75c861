import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * API Gateway HTTP API (payload 2.0) events for the admin routes, as they arrive behind the JWT
 * authorizer: `requestContext.authorizer.jwt.claims` holds the verified claims, and Cognito groups come
 * flattened into one string ("[staff admin]"), exactly as AWS delivers them.
 */

export const STAFF_CLAIMS = {
  sub: 'staff-sub-0001',
  email: 'casey.staff@clinic.example',
  name: 'Casey Staff',
  'cognito:groups': '[staff]',
};

export const ADMIN_CLAIMS = {
  sub: 'admin-sub-0001',
  email: 'alex.admin@clinic.example',
  name: 'Alex Admin',
  'cognito:groups': '[staff admin]',
};

export interface JsonEventOptions {
  method: string;
  /** Path with the query string, e.g. "/admin/slots?status=OPEN". */
  path: string;
  /** Serialised with JSON.stringify unless it is already a string. */
  body?: unknown;
  /** Default application/json when there is a body; null sends no content-type. */
  contentType?: string | null;
  /** Verified claims; null = no authorizer context at all (the 401 case). Default staff. */
  claims?: Record<string, string | number | boolean | string[]> | null;
  headers?: Record<string, string>;
  /** HTTP API base64-encodes non-text bodies; JSON arrives as text. */
  base64?: boolean;
}

export function jsonEvent(options: JsonEventOptions): APIGatewayProxyEventV2 {
  const [rawPath = '/', rawQueryString = ''] = options.path.split('?');
  const method = options.method.toUpperCase();
  const text =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    accept: 'application/json',
    host: 'api.clinic.example',
    'user-agent': 'Mozilla/5.0 (dashboard test)',
    'x-forwarded-proto': 'https',
    ...(text !== undefined ? { 'content-length': String(Buffer.byteLength(text)) } : {}),
    ...options.headers,
  };
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (text !== undefined && contentType !== null) headers['content-type'] = contentType;
  // Cookies and Authorization are not read by the handler; the authorizer has already used the token.
  headers.authorization = 'Bearer <verified-by-api-gateway>';
  const claims = options.claims === undefined ? STAFF_CLAIMS : options.claims;
  const query = rawQueryString ? Object.fromEntries(new URLSearchParams(rawQueryString)) : undefined;
  const now = Date.now();
  const event: APIGatewayProxyEventV2 & { requestContext: { authorizer?: unknown } } = {
    version: '2.0',
    routeKey: 'ANY /admin/{proxy+}',
    rawPath,
    rawQueryString,
    ...(query ? { queryStringParameters: query } : {}),
    headers,
    pathParameters: { proxy: rawPath.replace(/^\/admin\//, '') },
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      domainName: 'api.clinic.example',
      domainPrefix: 'api',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: 'dashboard-test',
      },
      requestId: `req-${now.toString(36)}`,
      routeKey: 'ANY /admin/{proxy+}',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
    },
    ...(text !== undefined
      ? {
          body: options.base64 ? Buffer.from(text, 'utf8').toString('base64') : text,
          isBase64Encoded: options.base64 ?? false,
        }
      : { isBase64Encoded: false }),
  };
  return event;
}
