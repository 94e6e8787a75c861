import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  checkOurMessageId,
  checkTwilioIds,
  INBOUND_SMS_FIELDS,
  STATUS_CALLBACK_FIELDS,
  type TwilioParams,
  verifyTwilioWebhook,
  WebhookConfigError,
} from './webhook-request.js';

export interface TwilioWebhookContext {
  params: TwilioParams;
  /** The URL the signature was checked against (no secrets in it; useful in logs). */
  url?: string;
}

export type TwilioWebhookEvent = APIGatewayProxyEventV2 & { twilio: TwilioWebhookContext };

export interface TwilioWebhookOptions {
  authToken: string;
  publicUrl: string;
  /** Which Twilio webhook this route receives; decides the required fields. */
  kind?: 'inbound' | 'status';
  /** Overrides `kind`. */
  requiredFields?: readonly string[];
  /** Path as configured in Twilio; default from the event's routeKey. */
  routePath?: string;
  /** The clinic's Twilio account (TWILIO_ACCOUNT_SID); when set, any other AccountSid gets 403. */
  accountSid?: string;
}

const defaults = {
  kind: 'inbound',
} satisfies Partial<TwilioWebhookOptions>;

/**
 * Parses and verifies a Twilio webhook before the handler runs; puts `event.twilio = { params }`.
 * Errors carry statusCode 403/415/413/400 and `expose: true`, so put @middy/http-error-handler last.
 * There is deliberately no option to skip verification: local mode signs its requests instead.
 */
export function twilioWebhook(opts: TwilioWebhookOptions): MiddlewareObj<TwilioWebhookEvent> {
  const options = { ...defaults, ...opts };
  // Checked at cold start: an empty token would make every forged signature valid.
  if (!options.authToken) throw new WebhookConfigError('twilioWebhook: authToken is required');
  if (!options.publicUrl) throw new WebhookConfigError('twilioWebhook: publicUrl is required');
  const requiredFields =
    options.requiredFields ?? (options.kind === 'status' ? STATUS_CALLBACK_FIELDS : INBOUND_SMS_FIELDS);

  const twilioWebhookMiddlewareBefore: NonNullable<MiddlewareObj<TwilioWebhookEvent>['before']> = (
    request,
  ) => {
    const params = verifyTwilioWebhook(request.event, {
      authToken: options.authToken,
      publicUrl: options.publicUrl,
      routePath: options.routePath,
      requiredFields,
    });
    // After the signature (an unsigned request learns nothing): exact id shapes, the clinic's account.
    checkTwilioIds(params, { accountSid: options.accountSid });
    if (options.kind === 'status') checkOurMessageId(request.event.queryStringParameters?.m);
    request.event.twilio = { params };
  };

  return { name: 'twilio-webhook', before: twilioWebhookMiddlewareBefore };
}
