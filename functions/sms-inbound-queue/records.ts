import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { decodeQueuedInbound } from '../../shared/adapters/sqs/inbound-queue.js';
import type { SmsConversation } from '../../shared/engine/conversation.js';
import { InboundInFlightError } from '../../shared/engine/conversation.js';
import { logger, maskPhone } from '../../shared/runtime/logger.js';

/**
 * The inbound queue's records, one at a time, each handled as the webhook would handle the message and
 * answered through the API (SmsConversation.handleQueuedInbound). A record that fails is reported in
 * `batchItemFailures`, so SQS delivers only it again after the visibility timeout; after the queue's
 * maxReceiveCount it moves to the dead-letter queue, whose depth alarms. Nothing here is dropped: a
 * record that cannot be read is a bug, and the dead-letter queue keeps it for a person.
 */
export async function handleQueueRecords(
  conversation: Pick<SmsConversation, 'handleQueuedInbound'>,
  records: readonly SQSRecord[],
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of records) {
    const sms = decodeQueuedInbound(record.body);
    if (!sms) {
      // Its shape only (never its content): the body holds a phone number and a message.
      logger.error('sms.queue.unreadable', { queuedId: record.messageId, bytes: record.body.length });
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
    try {
      const answer = await conversation.handleQueuedInbound(sms);
      logger.info('sms.queue.handled', {
        queuedId: record.messageId,
        messageSid: sms.messageSid,
        from: maskPhone(sms.from),
        intent: answer.intent,
        outcome: answer.outcome,
        receiveCount,
      });
    } catch (error) {
      // In flight: another attempt (the webhook's, or an earlier delivery) holds the message; a later
      // delivery finds it done or given back. Anything else (the table still down) is retried the same way.
      const inFlight = error instanceof InboundInFlightError;
      (inFlight ? logger.info : logger.warn).call(logger, 'sms.queue.retry-later', {
        queuedId: record.messageId,
        messageSid: sms.messageSid,
        from: maskPhone(sms.from),
        reason: inFlight ? 'in-flight' : error instanceof Error ? error.name : 'unknown',
        receiveCount,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
