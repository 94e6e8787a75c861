import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isValidTwilioSignature } from './signature.js';

/**
 * Turns an API Gateway HTTP API (payload v2) event carrying a Twilio webhook into verified form params.
 * Every refusal is a named error with an HTTP status (`http-errors` shape: statusCode, status, expose),
 * so @middy/http-error-handler answers 4xx on purpose instead of 500. Messages name fields, never values:
 * they reach logs and the HTTP body, and values are phone numbers and message text.
 */

/** Twilio's own SMS webhooks are about 1-2 KB; anything near this is not Twilio. */
export const MAX_WEBHOOK_BODY_BYTES = 16 * 1024;

export const INBOUND_SMS_FIELDS = ['MessageSid', 'From', 'Body'] as const;
export const STATUS_CALLBACK_FIELDS = ['MessageSid', 'MessageStatus'] as const;

export type TwilioParams = Readonly<Record<string, string>>;

export class WebhookRequestError extends Error {
  readonly expose = true;
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
  /** `http-errors` uses both names. */
  get status(): number {
    return this.statusCode;
  }
}

export class InvalidSignatureError extends WebhookRequestError {
  constructor(reason: 'missing' | 'invalid') {
    super(403, reason === 'missing' ? 'Missing X-Twilio-Signature' : 'Invalid X-Twilio-Signature');
  }
}

export class UnsupportedMediaTypeError extends WebhookRequestError {
  constructor() {
    super(415, 'Expected Content-Type application/x-www-form-urlencoded');
  }
}

export class PayloadTooLargeError extends WebhookRequestError {
  constructor() {
    super(413, `Body larger than ${MAX_WEBHOOK_BODY_BYTES} bytes`);
  }
}

export class MalformedRequestError extends WebhookRequestError {
  constructor(message: string) {
    super(400, message);
  }
}

export class MissingFieldsError extends WebhookRequestError {
  constructor(readonly fields: readonly string[]) {
    super(400, `Missing required fields: ${fields.join(', ')}`);
  }
}

export class ForeignAccountError extends WebhookRequestError {
  constructor() {
    super(403, "AccountSid is not this clinic's Twilio account");
  }
}

/** Configuration mistakes are 500s and not exposed: the caller is not at fault. */
export class WebhookConfigError extends Error {
  override readonly name = 'WebhookConfigError';
}

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;.*)?$/i;

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const headers = event.headers ?? {};
  // HTTP APIs lower-case header names, but tests, local servers and other front doors may not.
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Decodes and parses the form body. Throws 415, 413 or 400 errors. */
export function parseTwilioForm(event: APIGatewayProxyEventV2): TwilioParams {
  if (!FORM_TYPE.test(header(event, 'content-type') ?? '')) throw new UnsupportedMediaTypeError();

  const raw = event.body ?? '';
  // Reject on the encoded length first, so a huge base64 body is never decoded.
  const maxEncoded = event.isBase64Encoded
    ? Math.ceil(MAX_WEBHOOK_BODY_BYTES / 3) * 4
    : MAX_WEBHOOK_BODY_BYTES;
  if (raw.length > maxEncoded) throw new PayloadTooLargeError();
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_WEBHOOK_BODY_BYTES) throw new PayloadTooLargeError();

  const params: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(bytes.toString('utf8'))) {
    // Twilio never repeats a field in SMS webhooks; a repeat would also make "which value was signed"
    // ambiguous for the code after us.
    if (Object.hasOwn(params, key)) throw new MalformedRequestError(`Repeated field: ${key}`);
    params[key] = value;
  }
  return params;
}

/**
 * The URL Twilio signed: the configured public base URL (custom domain and base path included, neither
 * of which is in `rawPath`), the route's path, and the query string exactly as received.
 */
export function signedUrl(publicUrl: string, routePath: string, rawQueryString?: string): string {
  const base = publicUrl.replace(/\/+$/, '');
  const path = routePath.startsWith('/') ? routePath : `/${routePath}`;
  return rawQueryString ? `${base}${path}?${rawQueryString}` : `${base}${path}`;
}

/** "POST /sms/inbound" -> "/sms/inbound"; undefined for $default and parameterised routes. */
export function routePathOf(event: APIGatewayProxyEventV2): string | undefined {
  const match = /^[A-Z]+ (\/[^{}\s]*)$/.exec(event.routeKey ?? '');
  return match?.[1];
}

export interface VerifyOptions {
  authToken: string;
  /** PUBLIC_API_URL: scheme, host and any base path/stage Twilio is configured with. */
  publicUrl: string;
  /** Path of the route as configured in Twilio. Default: taken from the event's routeKey. */
  routePath?: string;
  requiredFields?: readonly string[];
}

/** Parses, verifies the signature, then checks required fields. Returns the params or throws. */
export function verifyTwilioWebhook(event: APIGatewayProxyEventV2, options: VerifyOptions): TwilioParams {
  const routePath = options.routePath ?? routePathOf(event);
  if (!routePath) throw new WebhookConfigError(`cannot tell the signed path of route ${event.routeKey}`);
  const params = parseTwilioForm(event);

  const signature = header(event, 'x-twilio-signature');
  if (!signature) throw new InvalidSignatureError('missing');
  const url = signedUrl(options.publicUrl, routePath, event.rawQueryString);
  if (!isValidTwilioSignature(options.authToken, signature, url, params)) {
    throw new InvalidSignatureError('invalid');
  }

  // After the signature: an unsigned request learns nothing about which fields we expect.
  const missing = (options.requiredFields ?? []).filter((field) => !Object.hasOwn(params, field));
  if (missing.length > 0) throw new MissingFieldsError(missing);
  return params;
}

/**
 * Twilio ids have exact shapes: two letters and 32 hex digits. The signature joins keys and values with
 * no separator, so a signed request can be re-cut (the next field folded into MessageSid's value) and
 * still verify; only an exact shape check stops a replay under a "new" MessageSid. The three copies of
 * the message sid Twilio sends must agree, and the account must be the clinic's own.
 */
const SID_SHAPES: Record<string, RegExp> = {
  MessageSid: /^(SM|MM)[0-9a-f]{32}$/,
  SmsMessageSid: /^(SM|MM)[0-9a-f]{32}$/,
  SmsSid: /^(SM|MM)[0-9a-f]{32}$/,
  AccountSid: /^AC[0-9a-f]{32}$/,
  MessagingServiceSid: /^MG[0-9a-f]{32}$/,
};

/** Our own message ids (ULIDs) ride in status callback URLs as `m`. */
const OUR_MESSAGE_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function checkTwilioIds(params: TwilioParams, options: { accountSid?: string } = {}): void {
  for (const [field, shape] of Object.entries(SID_SHAPES)) {
    const value = params[field];
    if (value !== undefined && !shape.test(value)) {
      throw new MalformedRequestError(`${field} is not a Twilio ${field.replace(/Sid$/, '')} id`);
    }
  }
  for (const copy of ['SmsMessageSid', 'SmsSid']) {
    if (params[copy] !== undefined && params[copy] !== params.MessageSid) {
      throw new MalformedRequestError(`${copy} does not match MessageSid`);
    }
  }
  if (options.accountSid && params.AccountSid !== options.accountSid) throw new ForeignAccountError();
}

/** The `m` query parameter of a status callback: absent, or one of our message ids. */
export function checkOurMessageId(messageId: string | undefined): void {
  if (messageId !== undefined && !OUR_MESSAGE_ID.test(messageId)) {
    throw new MalformedRequestError('m is not one of our message ids');
  }
}
