import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { AdminStore } from '../../shared/adapters/dynamo/admin-store.js';
import { InboxStore } from '../../shared/adapters/dynamo/inbox-store.js';
import { WaitlistStore } from '../../shared/adapters/dynamo/waitlist-store.js';
import { AdminService } from '../../shared/admin/admin-service.js';
import type { ConfigResponse } from '../../shared/admin/contract.js';
import { type AppConfig, offerPolicyFrom } from '../../shared/config.js';
import { buildEngine, dynamoDocumentClient } from '../../shared/runtime/composition.js';
import { logger } from '../../shared/runtime/logger.js';
import { buildSmsSender } from '../../shared/runtime/sms-sender.js';
import { dispatch } from './dispatch.js';
import { type AdminEvent, type AdminResult, adminHttp } from './http.js';

/**
 * ANY /admin/{proxy+}: every staff and admin route in one function (ADMIN_ROUTES in
 * shared/admin/contract.ts). API Gateway's JWT authorizer has verified the token before we run; this
 * function only reads the claims. It sends SMS itself (withdraw notices, welcome texts), so it builds the
 * engine with the Twilio sender and starts an emptied batch inline.
 */

function settingsFrom(config: AppConfig): ConfigResponse {
  const policy = offerPolicyFrom(config);
  return {
    clinicName: policy.clinicName,
    clinicContactPhone: policy.clinicContactPhone,
    clinicTimeZone: policy.clinicTimeZone,
    batchSize: policy.batchSize,
    holdMinutes: policy.holdMinutes,
    maxSlotBatchSize: policy.maxSlotBatchSize,
    firstBatchDelayMinutes: policy.firstBatchDelayMinutes,
    offerCutoffMinutes: policy.offerCutoffMinutes,
    minNoticeMinutes: policy.minNoticeMinutes,
    contactHours: policy.contactHours,
    caps: policy.caps,
    messageTtlDays: policy.messageTtlDays,
    cascadeMode: policy.cascadeMode,
    fairRotationBand: policy.fairRotationBand,
    maxCascadeDepth: policy.maxCascadeDepth,
    inactiveEntryTtlDays: policy.inactiveEntryTtlDays,
    maxMessagesPerHour: config.MAX_MESSAGES_PER_HOUR,
    dashboardOrigin: config.DASHBOARD_ORIGIN,
    smsProvider: config.TWILIO_ACCOUNT_SID ? 'twilio' : 'not-configured',
    localMode: config.LOCAL_MODE,
  };
}

const { config, store, engine } = buildEngine({ sms: await buildSmsSender(), advanceMode: 'inline' });
const policy = offerPolicyFrom(config);
const doc = dynamoDocumentClient();
const service = new AdminService({
  engine,
  store,
  waitlist: new WaitlistStore(doc, config.TABLE_NAME, policy.clinicTimeZone),
  admin: new AdminStore(doc, config.TABLE_NAME),
  inbox: new InboxStore(doc, config.TABLE_NAME),
  policy,
  settings: settingsFrom(config),
  clock: () => new Date(),
  log: (event, fields) => logger.info(event, fields),
});

const log = (event: string, fields: Record<string, unknown>) => logger.error(event, fields);

async function adminApi(event: AdminEvent): Promise<AdminResult> {
  const response = await dispatch(event, service.handlers);
  logger.info('admin.request', {
    method: event.requestContext.http.method,
    path: event.rawPath,
    status: response.statusCode,
    sub: event.requestContext.authorizer?.jwt?.claims?.sub,
  });
  return response;
}

export const handler = middy<AdminEvent, AdminResult>()
  .use(httpHeaderNormalizer())
  .use(adminHttp({ origin: config.DASHBOARD_ORIGIN, log }))
  .handler(adminApi);
