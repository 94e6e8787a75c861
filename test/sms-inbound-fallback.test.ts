import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type FormEventOptions,
  formEvent,
  inboundSmsParams,
  TEST_AUTH_TOKEN,
  TEST_PUBLIC_URL,
} from './support/apigw-events.js';
import { type FakeSqs, startFakeSqs } from './support/fake-sqs.js';

/**
 * POST /sms/inbound-fallback as deployed: real API Gateway v2 events (base64 form bodies) with real
 * Twilio signatures, the real SDK v3 SQS client talking AWS JSON 1.0 to a local fake of SQS. DynamoDB
 * is pointed at a closed port: the fallback must work while the table is down.
 */
type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;
let fallback: Handler;
let sqs: FakeSqs;
const context = {
  awsRequestId: 'req-fallback',
  functionName: 'sms-inbound-fallback',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;
const PATH = '/sms/inbound-fallback';
const PHONE = '+13125550142';
const BODY = 'Yes please, I can make it 👍 & <thanks>';
let logged = '';

beforeAll(async () => {
  sqs = await startFakeSqs();
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // Nothing listens there: a DynamoDB call would fail (and the table may be exactly what is down).
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    INBOUND_QUEUE_URL: sqs.queueUrl,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    TWILIO_ACCOUNT_SID: inboundSmsParams().AccountSid,
    PUBLIC_API_URL: TEST_PUBLIC_URL,
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
  });
  const write = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array) => boolean;
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    logged += String(chunk);
    return write(chunk);
  }) as typeof process.stdout.write);
  fallback = (await import('../functions/sms-inbound-fallback/handler.js')).handler as unknown as Handler;
});

afterAll(async () => {
  vi.restoreAllMocks();
  await sqs?.close();
});

beforeEach(() => {
  sqs.requests.length = 0;
});

let sid = 0;
const nextSid = () => `SM${String(++sid).padStart(32, 'e')}`;

describe('POST /sms/inbound-fallback', () => {
  it('puts a signed text on the queue (SendMessage over AWS JSON 1.0) and answers empty TwiML', async () => {
    const messageSid = nextSid();
    const response = await fallback(
      formEvent({
        path: PATH,
        // Twilio adds why it fell back; they are signed like every other field.
        params: inboundSmsParams({
          From: PHONE,
          Body: BODY,
          MessageSid: messageSid,
          ErrorCode: '11200',
          ErrorUrl: `${TEST_PUBLIC_URL}/sms/inbound`,
        }),
      }),
      context,
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['Content-Type']).toBe('text/xml');
    expect(response.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');

    expect(sqs.requests).toHaveLength(1);
    const [request] = sqs.requests;
    expect(request?.target).toBe('AmazonSQS.SendMessage');
    expect(request?.contentType).toBe('application/x-amz-json-1.0');
    expect(request?.signed).toBe(true);
    expect(request?.json.QueueUrl).toBe(sqs.queueUrl);
    expect(JSON.parse(String(request?.json.MessageBody))).toEqual({
      MessageSid: messageSid,
      From: PHONE,
      Body: BODY,
    });
  });

  it.each<[string, Partial<FormEventOptions>]>([
    ['signed with another auth token', { sign: { authToken: 'not-the-clinic-token' } }],
    ['not signed at all', { sign: false }],
    // Twilio signs the URL it posts to: a signature over /sms/inbound does not verify here.
    ['signed for /sms/inbound instead', { signature: 'computed-below' }],
  ])('answers 403 and queues nothing when %s', async (_case, options) => {
    const params = inboundSmsParams({ From: PHONE, Body: BODY, MessageSid: nextSid() });
    const event =
      options.signature === 'computed-below'
        ? {
            ...formEvent({ path: PATH, params }),
            headers: {
              ...formEvent({ path: PATH, params }).headers,
              'x-twilio-signature': formEvent({ path: '/sms/inbound', params }).headers[
                'x-twilio-signature'
              ] as string,
            },
          }
        : formEvent({ path: PATH, params, ...options });
    const response = await fallback(event, context);
    expect(response.statusCode).toBe(403);
    expect(sqs.requests).toHaveLength(0);
  });

  it("refuses another account's signed text (403) and a sender that is no phone number (queues nothing)", async () => {
    const otherAccount = await fallback(
      formEvent({
        path: PATH,
        params: inboundSmsParams({ From: PHONE, MessageSid: nextSid(), AccountSid: `AC${'9'.repeat(32)}` }),
      }),
      context,
    );
    expect(otherAccount.statusCode).toBe(403);
    const shortCode = await fallback(
      formEvent({ path: PATH, params: inboundSmsParams({ From: '72345', MessageSid: nextSid() }) }),
      context,
    );
    expect(shortCode.statusCode).toBe(200);
    expect(sqs.requests).toHaveLength(0);
  });

  it('answers 5xx when SQS refuses too (so the failure is visible), after the SDK retried', async () => {
    sqs.failNext(10);
    const response = await fallback(
      formEvent({ path: PATH, params: inboundSmsParams({ From: PHONE, Body: BODY, MessageSid: nextSid() }) }),
      context,
    );
    expect(response.statusCode).toBeGreaterThanOrEqual(500);
    expect(sqs.requests.length).toBeGreaterThan(1);
    sqs.failNext(0);
  });

  it('logs no phone number and no message body', () => {
    expect(logged).toContain('sms.fallback.queued');
    expect(logged).toContain('***0142');
    expect(logged).not.toContain(PHONE);
    expect(logged).not.toContain('5550142');
    expect(logged).not.toContain('Yes please');
  });
});
