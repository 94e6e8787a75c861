import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import type { InboundSms } from '../../engine/conversation.js';

/**
 * The durable inbound queue behind Twilio's fallback URL. When `POST /sms/inbound` answers 5xx or times
 * out (a DynamoDB outage, a cold start stuck on a dependency), Twilio posts the same message to the
 * fallback URL, whose function only verifies the signature and puts the message here; the queue's
 * consumer handles it when the table is back. The message is the three fields the conversation reads,
 * under Twilio's own names. It carries a phone number and a body: the queue is encrypted, and neither is
 * ever logged.
 */

const queuedInbound = z.object({
  // Same shapes the webhook middleware enforced before the message was queued.
  MessageSid: z.string().check(z.regex(/^(SM|MM)[0-9a-f]{32}$/)),
  From: z.string().check(z.regex(/^\+[1-9]\d{6,14}$/)),
  Body: z.string().check(z.maxLength(10_000)),
});

export type QueuedInbound = z.output<typeof queuedInbound>;

export function encodeQueuedInbound(message: QueuedInbound): string {
  return JSON.stringify({ MessageSid: message.MessageSid, From: message.From, Body: message.Body });
}

/** The queued message as the conversation takes it, or undefined when the body is not one of ours. */
export function decodeQueuedInbound(body: string): InboundSms | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = queuedInbound.safeParse(json);
  if (!parsed.success) return undefined;
  return { messageSid: parsed.data.MessageSid, from: parsed.data.From, body: parsed.data.Body };
}

/** Puts one inbound message on the queue; resolves with SQS's message id once SQS has stored it. */
export class SqsInboundQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {
    // Checked at cold start: without a queue the fallback could only lose the message.
    if (!queueUrl) throw new Error('SqsInboundQueue: INBOUND_QUEUE_URL is required');
  }

  async enqueue(message: QueuedInbound): Promise<string | undefined> {
    const out = await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: encodeQueuedInbound(message) }),
    );
    return out.MessageId;
  }
}
