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
  twilioSignature,
} from './support/apigw-events.js';
import { freshTable } from './support/table.js';

/**
 * Twilio's signature is an HMAC over the URL plus each key and value with no separators, so a captured
 * signed webhook can be re-cut: fold the next field into MessageSid's value and drop that field, and the
 * signature still holds while the duplicate check sees a "new" message. Every id is therefore checked
 * for its exact shape, SmsMessageSid must equal MessageSid, and AccountSid must be the clinic's.
 * The deployed handlers, real API Gateway v2 events and signatures, DynamoDB Local.
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
const PHONE = '+13125550177';
const CLINIC_ACCOUNT = 'AC0123456789abcdef0123456789abcdef';

async function itemCount(): Promise<number> {
  const out = await table.doc.send(new ScanCommand({ TableName: table.tableName, Select: 'COUNT' }));
  return out.Count ?? 0;
}

beforeAll(async () => {
  table = await freshTable('webhook-ids');
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TWILIO_ACCOUNT_SID: CLINIC_ACCOUNT,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    PUBLIC_API_URL: TEST_PUBLIC_URL,
    CLINIC_NAME: 'Lakeside',
    CLINIC_CONTACT_PHONE: '312-555-0100',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  const waitlist = new WaitlistStore(table.doc, table.tableName, 'America/Chicago');
  await waitlist.createPatient({
    patientId: 'patient-ids',
    phone: PHONE,
    displayName: 'Robin',
    consent: 'OPTED_IN',
    recentOfferTimes: [],
    createdAt: new Date().toISOString(),
  });
  inbound = (await import('../functions/sms-inbound/handler.js')).handler as unknown as Handler;
  status = (await import('../functions/sms-status/handler.js')).handler as unknown as Handler;
});

const URL_INBOUND = `${TEST_PUBLIC_URL}/sms/inbound`;

describe('webhook ids are checked for their exact shape', () => {
  it('a replay re-cut under a new MessageSid keeps a valid signature and is refused, changing nothing', async () => {
    const original = inboundSmsParams({ From: PHONE, Body: 'STOP' });
    const signature = twilioSignature(TEST_AUTH_TOKEN, URL_INBOUND, original);
    const first = await inbound(formEvent({ path: '/sms/inbound', params: original, signature }), context);
    expect(first.statusCode).toBe(200);
    const before = await itemCount();

    // Fold MessagingServiceSid (the key sorted right after MessageSid) into MessageSid's value.
    const { MessagingServiceSid, ...rest } = original;
    const refolded = {
      ...rest,
      MessageSid: `${original.MessageSid}MessagingServiceSid${MessagingServiceSid}`,
    };
    expect(twilioSignature(TEST_AUTH_TOKEN, URL_INBOUND, refolded)).toBe(signature);
    const replay = await inbound(formEvent({ path: '/sms/inbound', params: refolded, signature }), context);
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toMatch(/MessageSid/);
    expect(await itemCount()).toBe(before);
  });

  it.each([
    ['MessageSid not SM/MM + 32 hex', { MessageSid: 'SMnot-hex-0000000000000000000000000' }, 400],
    ['SmsMessageSid differing from MessageSid', { SmsMessageSid: 'SM0000000000000000000000000000ffff' }, 400],
    ['SmsSid differing from MessageSid', { SmsSid: 'SM0000000000000000000000000000ffff' }, 400],
    ['a malformed AccountSid', { AccountSid: 'ACnope' }, 400],
    ['another account', { AccountSid: 'ACffffffffffffffffffffffffffffffff' }, 403],
  ])('refuses %s with %s and changes nothing', async (_name, overrides, code) => {
    const before = await itemCount();
    const params = inboundSmsParams({ From: PHONE, Body: 'YES', ...overrides });
    const response = await inbound(formEvent({ path: '/sms/inbound', params }), context);
    expect(response.statusCode).toBe(code);
    expect(await itemCount()).toBe(before);
  });

  it('accepts an MMS sid (MM + 32 hex)', async () => {
    const sid = 'MM0123456789abcdef0123456789abcd01';
    const params = inboundSmsParams({
      From: PHONE,
      Body: 'HELP',
      MessageSid: sid,
      SmsMessageSid: sid,
      SmsSid: sid,
    });
    const response = await inbound(formEvent({ path: '/sms/inbound', params }), context);
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/Lakeside/);
  });

  it('a status callback whose message id is not one of ours (or 5,000 characters long) is a 400, not a 500', async () => {
    const before = await itemCount();
    for (const m of ['x'.repeat(5_000), 'not-a-message', '01J%00']) {
      const response = await status(
        formEvent({
          path: '/sms/status',
          query: `m=${encodeURIComponent(m)}`,
          params: statusCallbackParams(),
        }),
        context,
      );
      expect(response.statusCode).toBe(400);
    }
    const wellShaped = await status(
      formEvent({
        path: '/sms/status',
        query: 'm=01JABCDEFGHJKMNPQRSTVWXYZ0',
        params: statusCallbackParams(),
      }),
      context,
    );
    expect(wellShaped.statusCode).toBe(204);
    expect(await itemCount()).toBe(before);
  });
});
