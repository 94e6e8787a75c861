import { offerPolicyFrom } from '../config.js';
import { SmsConversation } from '../engine/conversation.js';
import { buildEngine, noApiSends } from './composition.js';
import { engineLog } from './logger.js';
import { resolveTwilioAuthToken } from './twilio-credentials.js';

/** The SMS conversation over an engine from `buildEngine` (the webhooks' and the inbound queue's). */
export function buildConversation({
  config,
  store,
  engine,
}: ReturnType<typeof buildEngine>): SmsConversation {
  return new SmsConversation({
    store,
    engine,
    clock: () => new Date(),
    policy: offerPolicyFrom(config),
    log: engineLog,
  });
}

/**
 * What both Twilio webhook functions need, built once per container. Webhooks answer in TwiML and hand
 * API sends (the next batch) to the scheduler's function, so they never load the twilio SDK.
 */
export async function buildWebhookContext() {
  const built = buildEngine({ sms: noApiSends, advanceMode: 'handoff' });
  const conversation = buildConversation(built);
  return { config: built.config, conversation, authToken: await resolveTwilioAuthToken(built.config) };
}
