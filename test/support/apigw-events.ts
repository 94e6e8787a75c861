import { createHmac } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * Builders for API Gateway HTTP API (payload format 2.0) events as Twilio's webhooks produce them, so
 * handler tests post forms (not JSON) with real signatures (never a switched-off check).
 */

export const TEST_AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const TEST_PUBLIC_URL = 'https://api.clinic.example/prod-base';

/**
 * Twilio's signature, computed independently of the SDK as Twilio documents it:
 * base64(HMAC-SHA1(authToken, url + every param name and value, sorted by name)).
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export interface FormEventOptions {
  /** Route path, e.g. "/sms/inbound"; also the routeKey's path. */
  path: string;
  params: Record<string, string>;
  /** Query string without "?", e.g. "m=01J..." (status callbacks carry our message id). */
  query?: string;
  /** Explicit X-Twilio-Signature; omit to sign with `sign` (or send none when `sign` is false). */
  signature?: string;
  /** Sign with these (defaults: TEST_AUTH_TOKEN, TEST_PUBLIC_URL). `false`: no signature header. */
  sign?: { authToken?: string; publicUrl?: string } | false;
  /** HTTP API base64-encodes form bodies; default true, as in production. */
  base64?: boolean;
  contentType?: string | null;
  /** Replaces the encoded body (after signing), e.g. to tamper with it. */
  rawBody?: string;
  /** What API Gateway reports as rawPath (a custom domain's base path is not in it). */
  rawPath?: string;
}

export function formEncode(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

export function formEvent(options: FormEventOptions): APIGatewayProxyEventV2 {
  const { path, params, query = '', base64 = true } = options;
  const form = options.rawBody ?? formEncode(params);
  let signature = options.signature;
  if (signature === undefined && options.sign !== false) {
    const authToken = options.sign?.authToken ?? TEST_AUTH_TOKEN;
    const publicUrl = (options.sign?.publicUrl ?? TEST_PUBLIC_URL).replace(/\/+$/, '');
    signature = twilioSignature(authToken, `${publicUrl}${path}${query ? `?${query}` : ''}`, params);
  }
  const contentType =
    options.contentType === undefined ? 'application/x-www-form-urlencoded' : options.contentType;
  const headers: Record<string, string> = {
    accept: '*/*',
    'cache-control': 'max-age=259200',
    'content-length': String(Buffer.byteLength(form)),
    host: 'api.clinic.example',
    'i-twilio-idempotency-token': '2a4f7e0c-5b8d-4f4e-9c1a-7d3b2e1f0a9b',
    'user-agent': 'TwilioProxy/1.1',
    'x-amzn-trace-id': 'Root=1-67a1b2c3-0123456789abcdef01234567',
    'x-forwarded-for': '54.172.60.0',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
    'x-home-region': 'us1',
  };
  if (contentType !== null) headers['content-type'] = contentType;
  if (signature !== undefined) headers['x-twilio-signature'] = signature;
  const now = new Date('2026-09-30T15:00:00Z');
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: options.rawPath ?? path,
    rawQueryString: query,
    ...(query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(query)) } : {}),
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      domainName: 'api.clinic.example',
      domainPrefix: 'api',
      http: {
        method: 'POST',
        path: options.rawPath ?? path,
        protocol: 'HTTP/1.1',
        sourceIp: '54.172.60.0',
        userAgent: 'TwilioProxy/1.1',
      },
      requestId: 'Zx1YwF3aoAMEcQA=',
      routeKey: `POST ${path}`,
      stage: '$default',
      time: '30/Sep/2026:15:00:00 +0000',
      timeEpoch: now.getTime(),
    },
    body: base64 ? Buffer.from(form, 'utf8').toString('base64') : form,
    isBase64Encoded: base64,
  };
}

/** Fields Twilio posts for an inbound SMS (trimmed to the ones that matter, plus some noise). */
export function inboundSmsParams(overrides: Record<string, string> = {}): Record<string, string> {
  // Twilio sends the message sid three times; an overridden MessageSid is copied as Twilio would.
  const sid = overrides.MessageSid ?? 'SM0123456789abcdef0123456789abcdef';
  return {
    ToCountry: 'US',
    ToState: 'IL',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: 'CHICAGO',
    FromZip: '60601',
    SmsSid: sid,
    FromState: 'IL',
    SmsStatus: 'received',
    FromCity: 'CHICAGO',
    Body: 'Yes! 👍 & <thanks>',
    FromCountry: 'US',
    To: '+13125550100',
    MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
    ToZip: '60601',
    NumSegments: '1',
    MessageSid: 'SM0123456789abcdef0123456789abcdef',
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    From: '+13125550199',
    ApiVersion: '2010-04-01',
    ...overrides,
  };
}

/** Fields Twilio posts to a message status callback. */
export function statusCallbackParams(overrides: Record<string, string> = {}): Record<string, string> {
  const sid = overrides.MessageSid ?? 'SM0123456789abcdef0123456789abcdef';
  return {
    SmsSid: sid,
    SmsStatus: 'delivered',
    MessageStatus: 'delivered',
    To: '+13125550199',
    MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
    MessageSid: 'SM0123456789abcdef0123456789abcdef',
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    From: '+13125550100',
    ApiVersion: '2010-04-01',
    ...overrides,
  };
}
