import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoOfferStore } from '../adapters/dynamo/dynamo-offer-store.js';
import { EventBridgeScheduler } from '../adapters/scheduler/eventbridge-scheduler.js';
import { SnsStaffAlerts } from '../adapters/sns/sns-staff-alerts.js';
import { type AppConfig, loadConfig, offerPolicyFrom } from '../config.js';
import { OfferEngine } from '../engine/offer-engine.js';
import { type SmsPort, systemClock } from '../ports.js';
import { engineLog } from './logger.js';

/**
 * The composition root: builds the engine and its adapters once per container (cold start) from the
 * validated configuration. Local mode uses the same code: it only points the SDKs at local emulators
 * through AWS_ENDPOINT_URL_* and TWILIO_API_BASE_URL.
 */

let documentClient: DynamoDBDocumentClient | undefined;

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  // The SDK reads AWS_ENDPOINT_URL_DYNAMODB itself, which is how LocalStack and DynamoDB Local are reached.
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

export function buildScheduler(config: AppConfig): EventBridgeScheduler {
  return new EventBridgeScheduler(new SchedulerClient({}), {
    groupName: config.SCHEDULE_GROUP_NAME,
    targetArn: config.SCHEDULER_TARGET_ARN,
    roleArn: config.SCHEDULER_ROLE_ARN,
    deadLetterArn: config.SCHEDULER_DLQ_ARN || undefined,
    timeZone: config.CLINIC_TIME_ZONE,
  });
}

/** An SMS port for functions that never send through the API (webhooks answer with TwiML). */
export const noApiSends: SmsPort = {
  async send() {
    throw new Error('this function answers with TwiML and hands API sends to the scheduler function');
  },
};

export function buildEngine(options: {
  sms: SmsPort;
  advanceMode: 'inline' | 'handoff';
  config?: AppConfig;
}) {
  const config = options.config ?? loadConfig();
  const store = new DynamoOfferStore(dynamoDocumentClient(), config.TABLE_NAME);
  const engine = new OfferEngine({
    store,
    scheduler: buildScheduler(config),
    sms: options.sms,
    clock: systemClock,
    policy: offerPolicyFrom(config),
    advanceMode: options.advanceMode,
    alerts: config.ALERT_TOPIC_ARN
      ? new SnsStaffAlerts(new SNSClient({}), config.ALERT_TOPIC_ARN, config.CLINIC_TIME_ZONE)
      : undefined,
    log: engineLog,
  });
  return { config, store, engine };
}
