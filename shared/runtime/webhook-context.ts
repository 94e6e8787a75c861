import { offerPolicyFrom } from '../config.js';
import { SmsConversation } from '../engine/conversation.js';
import { buildEngine, noApiSends } from './composition.js';
import { engineLog } from './logger.js';
import { resolveTwilioAuthToken } from './twilio-credentials.js';

/**
 * What both Twilio webhook functions need, built once per container. Webhooks answer in TwiML and hand
 * API sends (the next batch) to the scheduler's function, so they never load the twilio SDK.
 */
export async function buildWebhookContext() {
  const { config, store, engine } = buildEngine({ sms: noApiSends, advanceMode: 'handoff' });
  const conversation = new SmsConversation({
    store,
    engine,
    clock: () => new Date(),
    policy: offerPolicyFrom(config),
    log: engineLog,
  });
  return { config, conversation, authToken: await resolveTwilioAuthToken(config) };
}
