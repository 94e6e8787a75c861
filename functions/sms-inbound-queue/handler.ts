import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { buildEngine } from '../../shared/runtime/composition.js';
import { buildSmsSender } from '../../shared/runtime/sms-sender.js';
import { buildConversation } from '../../shared/runtime/webhook-context.js';
import { handleQueueRecords } from './records.js';

/**
 * Consumer of the durable inbound queue (filled by POST /sms/inbound-fallback while the webhook could not
 * answer). Its answers cannot ride a TwiML response any more, so it sends through Twilio's API: it gets
 * the real sender and runs the engine inline, exactly as the scheduler target does.
 */
const built = buildEngine({ sms: await buildSmsSender(), advanceMode: 'inline' });
const conversation = buildConversation(built);

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> =>
  handleQueueRecords(conversation, event.Records);
