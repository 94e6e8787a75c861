import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { twimlResponse } from '../../shared/adapters/twilio/twiml.js';
import { type TwilioWebhookEvent, twilioWebhook } from '../../shared/adapters/twilio/webhook-middleware.js';
import { logger, maskPhone } from '../../shared/runtime/logger.js';
import { buildWebhookContext } from '../../shared/runtime/webhook-context.js';

/**
 * POST /sms/inbound: a patient's text. The signature is checked against the configured public URL
 * before anything else; the message is recorded before it is acted on; the answer goes back as TwiML.
 */
const { config, conversation, authToken } = await buildWebhookContext();
const E164 = /^\+[1-9]\d{6,14}$/;

async function inboundSms(event: TwilioWebhookEvent): Promise<APIGatewayProxyResultV2> {
  const { MessageSid, From, Body } = event.twilio.params;
  // Twilio always sends E.164; staff-entered numbers were normalised with libphonenumber-js when the
  // patient was added, so an exact E.164 match is all the lookup needs (and keeps 118 KB out of the bundle).
  const from = From ?? '';
  if (!E164.test(from)) {
    // A short code or a malformed sender cannot be one of our patients: answer nothing, change nothing.
    logger.warn('sms.inbound.unparseable-sender', { messageSid: MessageSid, from: maskPhone(From) });
    return twimlResponse();
  }
  const answer = await conversation.handleInbound({
    messageSid: MessageSid as string,
    from,
    body: Body ?? '',
  });
  logger.info('sms.inbound.answered', {
    messageSid: MessageSid,
    from: maskPhone(from),
    intent: answer.intent,
    outcome: answer.outcome,
  });
  return twimlResponse(answer.reply);
}

export const handler = middy<TwilioWebhookEvent, APIGatewayProxyResultV2>()
  .use(httpErrorHandler({ logger: (error) => logger.warn('sms.inbound.rejected', { error: String(error) }) }))
  .use(
    twilioWebhook({
      authToken,
      publicUrl: config.PUBLIC_API_URL,
      accountSid: config.TWILIO_ACCOUNT_SID || undefined,
      kind: 'inbound',
    }),
  )
  .handler(inboundSms);
