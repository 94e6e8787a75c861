import { createHash, randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handleQueueRecords } from '../functions/sms-inbound-queue/records.js';
import { encodeQueuedInbound } from '../shared/adapters/sqs/inbound-queue.js';
import { makeClinic } from './support/clinic.js';

/**
 * The inbound queue's consumer against DynamoDB Local: records as Lambda's SQS event source delivers
 * them, handled like the webhook would, answered through the SMS port once; a record whose message is
 * still held by another attempt is reported in batchItemFailures so SQS delivers it again.
 */
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:clinic-backfill-inbound';

function sqsRecord(body: string, receiveCount = 1): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: `AQEB${randomUUID().replaceAll('-', '')}==`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1790000000000',
      SenderId: 'AROAEXAMPLE:clinic-backfill-sms-inbound-fallback',
      ApproximateFirstReceiveTimestamp: '1790000000100',
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body, 'utf8').digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

const queued = (MessageSid: string, From: string, Body: string) =>
  sqsRecord(encodeQueuedInbound({ MessageSid, From, Body }));

async function offeredPatients() {
  const clinic = await makeClinic({ BATCH_SIZE: '2' });
  const first = await clinic.addPatient({ urgent: true });
  const second = await clinic.addPatient();
  const slot = await clinic.engine.logCancellation(clinic.slotInput());
  await clinic.advance(3);
  expect(clinic.sms.to(first.phone)).toHaveLength(1);
  return { clinic, first, second, slot };
}

describe('the inbound queue consumer', () => {
  it('a YES from the queue books the slot and the confirmation goes out through the SMS port once', async () => {
    const { clinic, first, slot } = await offeredPatients();
    const event: SQSEvent = { Records: [queued(`SM${'1'.repeat(32)}`, first.phone, 'YES')] };
    const before = clinic.sms.to(first.phone).length;

    expect(await handleQueueRecords(clinic.conversation, event.Records)).toEqual({ batchItemFailures: [] });
    const booked = await clinic.store.getSlot(slot.slotId);
    expect(booked?.status).toBe('FILLED');
    expect(booked?.filledByPatientId).toBe(first.patientId);
    const sent = clinic.sms.to(first.phone).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toMatch(/You're booked/);

    // SQS delivers at least once: the same record again sends nothing more and fails nothing.
    const again = { ...event.Records[0], messageId: randomUUID() } as SQSRecord;
    expect(await handleQueueRecords(clinic.conversation, [again])).toEqual({ batchItemFailures: [] });
    expect(clinic.sms.to(first.phone).slice(before)).toHaveLength(1);
  });

  it('a record whose message another attempt still holds is reported failed; the rest of the batch is handled', async () => {
    const { clinic, first, second, slot } = await offeredPatients();
    const heldSid = `SM${'2'.repeat(32)}`;
    // The webhook's own attempt reserved the message and has not finished (or died holding it).
    const reservation = await clinic.store.reserveInbound(heldSid, clinic.clock().toISOString());
    expect(reservation.inFlight).toBeFalsy();
    const held = queued(heldSid, first.phone, 'YES');
    const other = queued(`SM${'3'.repeat(32)}`, second.phone, 'NO');
    const before = clinic.sms.sent.length;

    const response = await handleQueueRecords(clinic.conversation, [held, other]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: held.messageId }]);
    expect((await clinic.store.getSlot(slot.slotId))?.status).toBe('OPEN');
    // The NO was handled and answered through the API; the held YES sent nothing.
    expect(clinic.sms.to(first.phone)).toHaveLength(1);
    expect(clinic.sms.to(second.phone).length).toBeGreaterThan(1);
    expect(clinic.sms.sent.length).toBeGreaterThan(before);

    // The other attempt gives the message back (it failed); SQS's next delivery books the slot.
    await clinic.store.releaseInbound(heldSid);
    const redelivered = { ...held, attributes: { ...held.attributes, ApproximateReceiveCount: '2' } };
    expect(await handleQueueRecords(clinic.conversation, [redelivered])).toEqual({ batchItemFailures: [] });
    expect((await clinic.store.getSlot(slot.slotId))?.filledByPatientId).toBe(first.patientId);
    expect(clinic.sms.to(first.phone).at(-1)?.body).toMatch(/You're booked/);
  });

  it('a record that is not one of our messages is reported failed (to the dead-letter queue), not dropped', async () => {
    const { clinic } = await offeredPatients();
    const records = [sqsRecord('not json'), sqsRecord(JSON.stringify({ MessageSid: 'SMshort', From: 'x' }))];
    const response = await handleQueueRecords(clinic.conversation, records);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.map((r) => r.messageId));
  });
});
