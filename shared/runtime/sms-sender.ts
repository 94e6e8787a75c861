import { DynamoSendBudget } from '../adapters/dynamo/dynamo-send-budget.js';
import { withSendCap } from '../adapters/twilio/send-cap.js';
import { TwilioSms } from '../adapters/twilio/twilio-sms.js';
import { type AppConfig, loadConfig } from '../config.js';
import type { SmsPort } from '../ports.js';
import { dynamoDocumentClient } from './composition.js';
import { logger } from './logger.js';
import { resolveTwilioAuthToken } from './twilio-credentials.js';

/**
 * The SMS port for functions that send through Twilio's API (batches, withdraw notices): the twilio SDK
 * adapter behind the clinic's hourly cap. Only these functions bundle the SDK; webhooks answer in TwiML.
 */
export async function buildSmsSender(config: AppConfig = loadConfig()): Promise<SmsPort> {
  const twilio = new TwilioSms({
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: await resolveTwilioAuthToken(config),
    publicApiUrl: config.PUBLIC_API_URL,
    messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID || undefined,
    from: config.TWILIO_FROM_NUMBER || undefined,
    apiBaseUrl: config.TWILIO_API_BASE_URL || undefined,
    onRetry: (info) => logger.warn('sms.retry', info),
  });
  return withSendCap(
    twilio,
    new DynamoSendBudget(dynamoDocumentClient(), config.TABLE_NAME, config.MAX_MESSAGES_PER_HOUR),
  );
}
