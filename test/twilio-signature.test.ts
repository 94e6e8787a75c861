import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { isValidTwilioSignature, TwilioAuthTokenMissingError } from '../shared/adapters/twilio/signature.js';
import { twiml, twimlResponse } from '../shared/adapters/twilio/twiml.js';
import {
  type TwilioWebhookEvent,
  type TwilioWebhookOptions,
  twilioWebhook,
} from '../shared/adapters/twilio/webhook-middleware.js';
import {
  INBOUND_SMS_FIELDS,
  InvalidSignatureError,
  MAX_WEBHOOK_BODY_BYTES,
  MissingFieldsError,
  PayloadTooLargeError,
  parseTwilioForm,
  STATUS_CALLBACK_FIELDS,
  signedUrl,
  UnsupportedMediaTypeError,
  verifyTwilioWebhook,
  WebhookConfigError,
} from '../shared/adapters/twilio/webhook-request.js';
import {
  formEncode,
  formEvent,
  inboundSmsParams,
  statusCallbackParams,
  TEST_AUTH_TOKEN,
  TEST_PUBLIC_URL,
  twilioSignature,
} from './support/apigw-events.js';

const options = { authToken: TEST_AUTH_TOKEN, publicUrl: TEST_PUBLIC_URL };
const inbound = (event: APIGatewayProxyEventV2) =>
  verifyTwilioWebhook(event, { ...options, requiredFields: INBOUND_SMS_FIELDS });

describe('isValidTwilioSignature (SDK validateRequest)', () => {
  const url = `${TEST_PUBLIC_URL}/sms/inbound`;
  const params = inboundSmsParams();

  it('accepts the signature Twilio documents', () => {
    expect(
      isValidTwilioSignature(TEST_AUTH_TOKEN, twilioSignature(TEST_AUTH_TOKEN, url, params), url, params),
    ).toBe(true);
  });

  it('rejects another token, a missing or garbage header', () => {
    expect(isValidTwilioSignature(TEST_AUTH_TOKEN, twilioSignature('other', url, params), url, params)).toBe(
      false,
    );
    expect(isValidTwilioSignature(TEST_AUTH_TOKEN, undefined, url, params)).toBe(false);
    expect(isValidTwilioSignature(TEST_AUTH_TOKEN, 'AAAA', url, params)).toBe(false);
  });

  it('refuses to verify with an empty token (anyone could sign with it)', () => {
    const forged = twilioSignature('', url, params);
    expect(() => isValidTwilioSignature('', forged, url, params)).toThrow(TwilioAuthTokenMissingError);
  });
});

describe('verifyTwilioWebhook', () => {
  it('accepts a valid base64 body (HTTP API payload v2) and returns the decoded params', () => {
    const params = inboundSmsParams();
    const result = inbound(formEvent({ path: '/sms/inbound', params, base64: true }));
    expect(result).toEqual(params);
    expect(result.Body).toBe('Yes! 👍 & <thanks>');
  });

  it('accepts a valid plain body', () => {
    const params = inboundSmsParams({ Body: 'STOP please' });
    expect(inbound(formEvent({ path: '/sms/inbound', params, base64: false }))).toEqual(params);
  });

  it('rejects a tampered body with 403', () => {
    const params = inboundSmsParams({ Body: 'no' });
    const rawBody = formEncode({ ...params, Body: 'yes' });
    for (const base64 of [true, false]) {
      const event = formEvent({ path: '/sms/inbound', params, rawBody, base64 });
      expect(() => inbound(event)).toThrow(InvalidSignatureError);
    }
  });

  it('rejects an added field with 403', () => {
    const params = inboundSmsParams();
    const rawBody = `${formEncode(params)}&Extra=1`;
    expect(() => inbound(formEvent({ path: '/sms/inbound', params, rawBody }))).toThrow(
      InvalidSignatureError,
    );
  });

  it('rejects a signature for another URL with 403', () => {
    const params = inboundSmsParams();
    for (const publicUrl of [
      'https://evil.example/prod-base',
      'https://api.clinic.example',
      'http://api.clinic.example/prod-base',
    ]) {
      const event = formEvent({ path: '/sms/inbound', params, sign: { publicUrl } });
      expect(() => inbound(event), publicUrl).toThrow(InvalidSignatureError);
    }
    // Signed for the status route, replayed at the inbound route.
    const replay = formEvent({ path: '/sms/status', params });
    const atInbound = { ...replay, routeKey: 'POST /sms/inbound', rawPath: '/sms/inbound' };
    expect(() => inbound(atInbound)).toThrow(InvalidSignatureError);
  });

  it('checks against the configured public URL, not rawPath', () => {
    // Behind a custom domain with base path "prod-base", API Gateway reports rawPath without it.
    const params = inboundSmsParams();
    const event = formEvent({ path: '/sms/inbound', params, rawPath: '/sms/inbound' });
    expect(inbound(event)).toEqual(params);
    // A signature over host + rawPath (what naive code would check) is not accepted.
    const naive = formEvent({
      path: '/sms/inbound',
      params,
      signature: twilioSignature(TEST_AUTH_TOKEN, 'https://api.clinic.example/sms/inbound', params),
    });
    expect(() => inbound(naive)).toThrow(InvalidSignatureError);
  });

  it('a trailing slash on the configured URL does not matter', () => {
    const params = inboundSmsParams();
    const event = formEvent({ path: '/sms/inbound', params });
    expect(verifyTwilioWebhook(event, { ...options, publicUrl: `${TEST_PUBLIC_URL}/` })).toEqual(params);
  });

  it('includes the query string in the signed URL (status callbacks carry ?m=<messageId>)', () => {
    const params = statusCallbackParams();
    const query = 'm=01JABCDEF0123456789XYZ';
    const event = formEvent({ path: '/sms/status', params, query });
    expect(verifyTwilioWebhook(event, { ...options, requiredFields: STATUS_CALLBACK_FIELDS })).toEqual(
      params,
    );
    const moved = { ...event, rawQueryString: 'm=01JOTHERMESSAGE000000000' };
    expect(() => verifyTwilioWebhook(moved, options)).toThrow(InvalidSignatureError);
  });

  it('rejects a missing signature header with 403', () => {
    const event = formEvent({ path: '/sms/inbound', params: inboundSmsParams(), sign: false });
    expect(() => inbound(event)).toThrow(InvalidSignatureError);
    expect(() => inbound(event)).toThrow('Missing X-Twilio-Signature');
  });

  it('finds headers whatever their case', () => {
    const event = formEvent({ path: '/sms/inbound', params: inboundSmsParams() });
    const headers = Object.fromEntries(
      Object.entries(event.headers).map(([k, v]) => [k.replace(/(^|-)[a-z]/g, (s) => s.toUpperCase()), v]),
    );
    expect(headers['X-Twilio-Signature']).toBeDefined();
    expect(inbound({ ...event, headers })).toEqual(inboundSmsParams());
  });

  it('rejects a wrong content type with 415, before anything else', () => {
    for (const contentType of ['application/json', 'text/plain', 'multipart/form-data; boundary=x', null]) {
      const event = formEvent({ path: '/sms/inbound', params: inboundSmsParams(), contentType });
      expect(() => inbound(event), String(contentType)).toThrow(UnsupportedMediaTypeError);
    }
    const withCharset = formEvent({
      path: '/sms/inbound',
      params: inboundSmsParams(),
      contentType: 'application/x-www-form-urlencoded; charset=UTF-8',
    });
    expect(inbound(withCharset)).toEqual(inboundSmsParams());
  });

  it('rejects a body over 16 KB with 413, plain or base64', () => {
    const params = inboundSmsParams({ Body: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES) });
    for (const base64 of [true, false]) {
      const event = formEvent({ path: '/sms/inbound', params, base64 });
      expect(() => inbound(event)).toThrow(PayloadTooLargeError);
    }
    // Multi-byte characters count in bytes, not characters.
    const emoji = inboundSmsParams({ Body: '👍'.repeat(MAX_WEBHOOK_BODY_BYTES / 8) });
    expect(() => inbound(formEvent({ path: '/sms/inbound', params: emoji, base64: false }))).toThrow(
      PayloadTooLargeError,
    );
  });

  it('accepts a body just under the limit', () => {
    const base = formEncode(inboundSmsParams({ Body: '' }));
    const params = inboundSmsParams({ Body: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES - base.length) });
    expect(formEncode(params).length).toBe(MAX_WEBHOOK_BODY_BYTES);
    expect(inbound(formEvent({ path: '/sms/inbound', params }))).toEqual(params);
  });

  it('rejects missing required fields with 400, but only once the signature is valid', () => {
    const { Body: _body, From: _from, ...params } = inboundSmsParams();
    const signed = formEvent({ path: '/sms/inbound', params });
    expect(() => inbound(signed)).toThrow(MissingFieldsError);
    expect(() => inbound(signed)).toThrow('Missing required fields: From, Body');
    const unsigned = formEvent({ path: '/sms/inbound', params, sign: false });
    expect(() => inbound(unsigned)).toThrow(InvalidSignatureError);

    const { MessageStatus: _status, ...statusParams } = statusCallbackParams();
    const status = formEvent({ path: '/sms/status', params: statusParams });
    expect(() => verifyTwilioWebhook(status, { ...options, requiredFields: STATUS_CALLBACK_FIELDS })).toThrow(
      'Missing required fields: MessageStatus',
    );
  });

  it('accepts an empty Body (an MMS without text): present is what matters', () => {
    const params = inboundSmsParams({ Body: '', NumMedia: '1' });
    expect(inbound(formEvent({ path: '/sms/inbound', params }))).toEqual(params);
  });

  it('rejects a repeated field with 400', () => {
    const event = formEvent({ path: '/sms/inbound', params: {}, rawBody: 'Body=yes&Body=no', sign: false });
    expect(() => parseTwilioForm(event)).toThrow('Repeated field: Body');
  });

  it('needs a route path it can trust', () => {
    const event = {
      ...formEvent({ path: '/sms/inbound', params: inboundSmsParams() }),
      routeKey: '$default',
    };
    expect(() => inbound(event)).toThrow(WebhookConfigError);
    expect(verifyTwilioWebhook(event, { ...options, routePath: '/sms/inbound' })).toEqual(inboundSmsParams());
  });

  it('builds the signed URL from the public URL, route and query', () => {
    expect(signedUrl('https://x.example/base/', 'sms/status', 'm=1')).toBe(
      'https://x.example/base/sms/status?m=1',
    );
    expect(signedUrl('https://x.example', '/sms/inbound', '')).toBe('https://x.example/sms/inbound');
  });
});

describe('twilioWebhook middleware through middy and http-error-handler', () => {
  const context = {} as Context;
  const seen: TwilioWebhookEvent[] = [];

  function handlerWith(opts: Partial<TwilioWebhookOptions> = {}) {
    return middy<TwilioWebhookEvent, APIGatewayProxyResultV2>()
      .use(httpErrorHandler({ logger: false }))
      .use(twilioWebhook({ ...options, ...opts }))
      .handler(async (event) => {
        seen.push(event);
        return twimlResponse('Got it');
      });
  }

  async function call(handler: ReturnType<typeof handlerWith>, event: APIGatewayProxyEventV2) {
    return (await handler(event as TwilioWebhookEvent, context)) as { statusCode: number; body: string };
  }

  it('puts the verified params on event.twilio and runs the handler', async () => {
    seen.length = 0;
    const response = await call(
      handlerWith(),
      formEvent({ path: '/sms/inbound', params: inboundSmsParams() }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<Message>Got it</Message>');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.twilio.params.MessageSid).toBe('SM0123456789abcdef0123456789abcdef');
  });

  it.each([
    ['bad signature', 403, { signature: 'bm9wZQ==' }],
    ['missing signature', 403, { sign: false as const }],
    ['wrong content type', 415, { contentType: 'application/json' }],
    ['oversized body', 413, { params: inboundSmsParams({ Body: 'y'.repeat(20_000) }) }],
    ['missing fields', 400, { params: { MessageSid: 'SM1', From: '+13125550199' } }],
  ])('%s -> %i, handler not run, no phone number or body in the answer', async (_name, status, extra) => {
    seen.length = 0;
    const event = formEvent({ path: '/sms/inbound', params: inboundSmsParams(), ...extra });
    const response = await call(handlerWith(), event);
    expect(response.statusCode).toBe(status);
    expect(seen).toHaveLength(0);
    expect(response.body).not.toContain('+1312');
    expect(response.body).not.toContain('thanks');
  });

  it('status kind requires MessageSid and MessageStatus', async () => {
    const { MessageStatus: _s, ...params } = statusCallbackParams();
    const handler = handlerWith({ kind: 'status' });
    expect((await call(handler, formEvent({ path: '/sms/status', params }))).statusCode).toBe(400);
    const ok = await call(handler, formEvent({ path: '/sms/status', params: statusCallbackParams() }));
    expect(ok.statusCode).toBe(200);
  });

  it('will not start without an auth token or public URL', () => {
    expect(() => twilioWebhook({ ...options, authToken: '' })).toThrow(WebhookConfigError);
    expect(() => twilioWebhook({ ...options, publicUrl: '' })).toThrow(WebhookConfigError);
  });
});

describe('twiml', () => {
  it('answers an empty <Response/> without a message', () => {
    expect(twiml()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(twiml('')).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it('wraps and escapes a message', () => {
    expect(twiml(`Tom & Jerry's <clinic> "ok"`)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Tom &amp; Jerry&apos;s &lt;clinic&gt; &quot;ok&quot;</Message></Response>',
    );
  });

  it('drops characters XML 1.0 forbids', () => {
    expect(twiml('a\u0000b\u000Cc')).toContain('<Message>abc</Message>');
  });

  it('serves as text/xml', () => {
    expect(twimlResponse('x').headers['Content-Type']).toBe('text/xml');
  });
});

describe('bundle size of the signature check', () => {
  it('stays small: the twilio package root is not pulled in', async () => {
    const result = await build({
      entryPoints: ['shared/adapters/twilio/webhook-middleware.ts'],
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      write: false,
      external: ['@middy/core'],
      logLevel: 'silent',
    });
    const bytes = result.outputFiles.reduce((n, f) => n + f.contents.length, 0);
    expect(bytes).toBeLessThan(20_000);
  });
});

describe('malformed input never throws a non-HTTP error', () => {
  const signedEvent = () => formEvent({ path: '/sms/inbound', params: inboundSmsParams() });
  it.each([
    ['malformed form body', { ...signedEvent(), body: Buffer.from('%%%=%zz&&=').toString('base64') }],
    ['body that is not base64', { ...signedEvent(), body: '!!!* not base64 *!!!' }],
    ['no body', { ...signedEvent(), body: undefined }],
    ['no headers', { ...signedEvent(), headers: {} }],
  ])('%s', (_name, event) => {
    try {
      inbound(event);
      expect.unreachable();
    } catch (error) {
      expect((error as { statusCode?: number }).statusCode).toBeGreaterThanOrEqual(400);
      expect((error as { statusCode?: number }).statusCode).toBeLessThan(500);
    }
  });
});
