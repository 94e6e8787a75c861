import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { SqsInboundQueue } from '../../shared/adapters/sqs/inbound-queue.js';
import { twimlResponse } from '../../shared/adapters/twilio/twiml.js';
import { type TwilioWebhookEvent, twilioWebhook } from '../../shared/adapters/twilio/webhook-middleware.js';
import { loadConfig } from '../../shared/config.js';
import { logger, maskPhone } from '../../shared/runtime/logger.js';
import { resolveTwilioAuthToken } from '../../shared/runtime/twilio-credentials.js';

/**
 * POST /sms/inbound-fallback: Twilio's fallback URL, used when POST /sms/inbound answered 5xx or took
 * over 15 s. It never touches DynamoDB (the table may be what is down): it checks the signature exactly
 * as the webhook does, puts the message on the durable inbound queue and answers empty TwiML. The queue's
 * consumer (functions/sms-inbound-queue) handles the message and sends its answer through the API.
 */
const FALLBACK_PATH = '/sms/inbound-fallback';
const E164 = /^\+[1-9]\d{6,14}$/;

const config = loadConfig();
const authToken = await resolveTwilioAuthToken(config);
// The SDK reads AWS_ENDPOINT_URL_SQS itself (LocalStack, tests).
const queue = new SqsInboundQueue(new SQSClient({}), config.INBOUND_QUEUE_URL);

async function inboundFallback(event: TwilioWebhookEvent): Promise<APIGatewayProxyResultV2> {
  const { MessageSid, From, Body } = event.twilio.params;
  const from = From ?? '';
  if (!E164.test(from)) {
    // As the webhook does: a short code or a malformed sender cannot be one of our patients.
    logger.warn('sms.fallback.unparseable-sender', { messageSid: MessageSid, from: maskPhone(From) });
    return twimlResponse();
  }
  // If SQS refuses too, the error answers 500 and Twilio has nowhere left to go: the message is lost.
  // That takes DynamoDB and SQS failing together, and the 5xx alarm on the API reports it.
  const queuedId = await queue.enqueue({ MessageSid: MessageSid as string, From: from, Body: Body ?? '' });
  logger.info('sms.fallback.queued', { messageSid: MessageSid, from: maskPhone(from), queuedId });
  // Empty: the answer, if any, goes out through the API once the queue's consumer has handled it.
  return twimlResponse();
}

export const handler = middy<TwilioWebhookEvent, APIGatewayProxyResultV2>()
  .use(
    httpErrorHandler({ logger: (error) => logger.warn('sms.fallback.rejected', { error: String(error) }) }),
  )
  .use(
    twilioWebhook({
      authToken,
      publicUrl: config.PUBLIC_API_URL,
      // Twilio signs the fallback URL it was configured with: PUBLIC_API_URL + this route's own path.
      routePath: FALLBACK_PATH,
      accountSid: config.TWILIO_ACCOUNT_SID || undefined,
      kind: 'inbound',
    }),
  )
  .handler(inboundFallback);
