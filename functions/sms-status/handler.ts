import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { type TwilioWebhookEvent, twilioWebhook } from '../../shared/adapters/twilio/webhook-middleware.js';
import { logger } from '../../shared/runtime/logger.js';
import { buildWebhookContext } from '../../shared/runtime/webhook-context.js';

/**
 * POST /sms/status?m=<messageId>: Twilio's delivery callbacks. Our message id rides in the callback URL
 * (so the signature covers it); status only moves forward, duplicates change nothing.
 */
const { config, conversation, authToken } = await buildWebhookContext();

async function deliveryStatus(event: TwilioWebhookEvent): Promise<APIGatewayProxyResultV2> {
  const { MessageSid, MessageStatus, ErrorCode } = event.twilio.params;
  const result = await conversation.handleStatus({
    messageId: event.queryStringParameters?.m,
    messageSid: MessageSid as string,
    status: (MessageStatus as string).toLowerCase(),
    errorCode: ErrorCode,
  });
  logger.info('sms.status', {
    messageSid: MessageSid,
    status: MessageStatus,
    errorCode: ErrorCode,
    applied: result.applied,
  });
  return { statusCode: 204 };
}

export const handler = middy<TwilioWebhookEvent, APIGatewayProxyResultV2>()
  .use(httpErrorHandler({ logger: (error) => logger.warn('sms.status.rejected', { error: String(error) }) }))
  .use(
    twilioWebhook({
      authToken,
      publicUrl: config.PUBLIC_API_URL,
      accountSid: config.TWILIO_ACCOUNT_SID || undefined,
      kind: 'status',
    }),
  )
  .handler(deliveryStatus);
