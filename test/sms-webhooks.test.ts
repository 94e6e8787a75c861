import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { WaitlistStore } from '../shared/adapters/dynamo/waitlist-store.js';
import {
  formEvent,
  inboundSmsParams,
  statusCallbackParams,
  TEST_AUTH_TOKEN,
  TEST_PUBLIC_URL,
} from './support/apigw-events.js';
import { freshTable } from './support/table.js';

/**
 * The two Twilio webhook handlers as deployed: real API Gateway v2 events (base64 form bodies), real
 * signatures, DynamoDB Local. Bad input gets a 4xx or an empty TwiML answer and changes nothing.
 */
type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;
let inbound: Handler;
let status: Handler;
let table: Awaited<ReturnType<typeof freshTable>>;
const context = {
  awsRequestId: 'req-1',
  functionName: 'test',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;
const KNOWN_PHONE = '+13125550142';

async function itemCount(): Promise<number> {
  const out = await table.doc.send(new ScanCommand({ TableName: table.tableName, Select: 'COUNT' }));
  return out.Count ?? 0;
}

beforeAll(async () => {
  table = await freshTable('webhooks');
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    PUBLIC_API_URL: TEST_PUBLIC_URL,
    CLINIC_NAME: 'Lakeside',
    CLINIC_CONTACT_PHONE: '312-555-0100',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  const waitlist = new WaitlistStore(table.doc, table.tableName, 'America/Chicago');
  await waitlist.createPatient({
    patientId: 'patient-known',
    phone: KNOWN_PHONE,
    displayName: 'Robin',
    consent: 'OPTED_IN',
    recentOfferTimes: [],
    createdAt: new Date().toISOString(),
  });
  inbound = (await import('../functions/sms-inbound/handler.js')).handler as unknown as Handler;
  status = (await import('../functions/sms-status/handler.js')).handler as unknown as Handler;
});

let sid = 0;
const nextSid = () => `SM${String(++sid).padStart(32, 'f')}`;

describe('POST /sms/inbound handler', () => {
  it('answers HELP from a known patient with TwiML and records both messages', async () => {
    const messageSid = nextSid();
    const response = await inbound(
      formEvent({
        path: '/sms/inbound',
        params: inboundSmsParams({ From: KNOWN_PHONE, Body: 'help', MessageSid: messageSid }),
      }),
      context,
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['Content-Type']).toBe('text/xml');
    expect(response.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>Lakeside waitlist.*Reply STOP to opt out/,
    );
    // A retry of the same MessageSid gets the same answer and records nothing new.
    const before = await itemCount();
    const again = await inbound(
      formEvent({
        path: '/sms/inbound',
        params: inboundSmsParams({ From: KNOWN_PHONE, Body: 'help', MessageSid: messageSid }),
      }),
      context,
    );
    expect(again.body).toBe(response.body);
    expect(await itemCount()).toBe(before);
  });

  it('accepts a plain (not base64) body too', async () => {
    const response = await inbound(
      formEvent({
        path: '/sms/inbound',
        base64: false,
        params: inboundSmsParams({ From: KNOWN_PHONE, Body: 'INFO', MessageSid: nextSid() }),
      }),
      context,
    );
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Reply STOP to opt out');
  });

  it.each([
    ['a missing signature', { sign: false as const }, 403],
    ['a signature for another URL', { sign: { publicUrl: 'https://evil.example' } }, 403],
    ['a signature with another token', { sign: { authToken: 'not-the-token' } }, 403],
    ['a tampered body', { rawBody: 'From=%2B13125550142&Body=YES&MessageSid=SMx' }, 403],
    ['JSON instead of a form', { contentType: 'application/json' }, 415],
  ])('rejects %s without changing anything', async (_label, options, code) => {
    const before = await itemCount();
    const response = await inbound(
      formEvent({
        path: '/sms/inbound',
        params: inboundSmsParams({ From: KNOWN_PHONE, Body: 'STOP', MessageSid: nextSid() }),
        ...options,
      }),
      context,
    );
    expect(response.statusCode).toBe(code);
    expect(response.body).not.toMatch(/Error:|at .*\.ts/);
    expect(await itemCount()).toBe(before);
  });

  it('rejects an oversized body with 413 and missing fields with 400', async () => {
    const before = await itemCount();
    const big = await inbound(
      formEvent({
        path: '/sms/inbound',
        params: inboundSmsParams({ Body: 'x'.repeat(20_000), MessageSid: nextSid() }),
      }),
      context,
    );
    expect(big.statusCode).toBe(413);
    const params = inboundSmsParams({ MessageSid: nextSid() });
    delete params.From;
    const missing = await inbound(formEvent({ path: '/sms/inbound', params }), context);
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('From');
    expect(await itemCount()).toBe(before);
  });

  it('answers a malformed sender with empty TwiML and records nothing', async () => {
    const before = await itemCount();
    const response = await inbound(
      formEvent({
        path: '/sms/inbound',
        params: inboundSmsParams({ From: '12345', Body: 'YES', MessageSid: nextSid() }),
      }),
      context,
    );
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(await itemCount()).toBe(before);
  });

  it('records a YES from an unknown sender but answers nothing and claims nothing', async () => {
    const response = await inbound(
      formEvent({
        path: '/sms/inbound',
        params: inboundSmsParams({ From: '+13125559876', Body: 'YES', MessageSid: nextSid() }),
      }),
      context,
    );
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
});

describe('POST /sms/status handler', () => {
  it('acknowledges a signed callback for an unknown (well-shaped) message id with 204 and changes nothing', async () => {
    const before = await itemCount();
    const response = await status(
      formEvent({
        path: '/sms/status',
        query: 'm=01JZZZZZZZZZZZZZZZZZZZZZZZ',
        params: statusCallbackParams({ MessageStatus: 'delivered' }),
      }),
      context,
    );
    expect(response.statusCode).toBe(204);
    expect(await itemCount()).toBe(before);
  });

  it('rejects an unsigned callback, a callback signed without its query string, and missing fields', async () => {
    const before = await itemCount();
    const unsigned = await status(
      formEvent({ path: '/sms/status', query: 'm=x', params: statusCallbackParams(), sign: false }),
      context,
    );
    expect(unsigned.statusCode).toBe(403);
    const params = statusCallbackParams();
    const signedWithoutQuery = formEvent({ path: '/sms/status', params });
    const withQuery = { ...signedWithoutQuery, rawQueryString: 'm=x', queryStringParameters: { m: 'x' } };
    expect((await status(withQuery, context)).statusCode).toBe(403);
    const missing = statusCallbackParams();
    delete missing.MessageStatus;
    expect(
      (await status(formEvent({ path: '/sms/status', query: 'm=x', params: missing }), context)).statusCode,
    ).toBe(400);
    expect(await itemCount()).toBe(before);
  });
});
