import { Duration, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BackfillFunction } from './backfill-function.js';
import type { BackfillHttpApi } from './http-api.js';

/** Twilio's fallback URL is PUBLIC_API_URL + this path (functions/sms-inbound-fallback signs-checks it). */
export const INBOUND_FALLBACK_PATH = '/sms/inbound-fallback';

/** The consumer may run a whole batch inline (up to BATCH_SIZE Twilio sends), as the scheduler target. */
const CONSUMER_TIMEOUT = Duration.seconds(60);
/**
 * Deliveries before a message goes to the dead-letter queue. A failed record comes back after the
 * visibility timeout (6 min), so 20 deliveries outlast a DynamoDB outage of about two hours; the
 * dead-letter queue keeps it 14 days more and alarms, and SQS's redrive moves it back in one click.
 */
const MAX_RECEIVE_COUNT = 20;

export interface InboundFallbackProps {
  readonly httpApi: BackfillHttpApi;
  /** Clinic settings every engine function gets. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetentionDays: number;
  readonly logKey: kms.IKey;
}

/**
 * Twilio's fallback for inbound texts. When POST /sms/inbound answers 5xx or takes over 15 s (a DynamoDB
 * outage), Twilio posts the message to POST /sms/inbound-fallback, whose function checks the signature,
 * puts it on an encrypted queue and answers empty TwiML: it reaches nothing but that queue. The consumer
 * handles each message as the webhook would when the table is back and answers through Twilio's API.
 *
 * The queue lives here, in the stateless stack, although it is durable: it holds only messages in
 * transit (seconds in normal operation, at most the 14-day retention), never records anyone must keep,
 * and it belongs with the two functions it connects. Redeploying keeps it (same logical id); destroying
 * the stateless stack deletes it, so drain it first (both queues' depth is on the alarms).
 *
 * The grants that depend on the engine (table actions, Twilio secret, scheduling, alerts) are the
 * stateless stack's, as for every other engine function: this construct grants only the queue.
 */
export class InboundFallback extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /** POST /sms/inbound-fallback: signature check, then SendMessage. */
  readonly receiver: BackfillFunction;
  /** The queue's consumer: runs the conversation and sends its answers through the API. */
  readonly consumer: BackfillFunction;
  readonly url: string;

  constructor(scope: Construct, id: string, props: InboundFallbackProps) {
    super(scope, id);
    const functionDefaults = {
      environment: props.environment,
      logRetentionDays: props.logRetentionDays,
      logKey: props.logKey,
    };

    // SSE-SQS: HIPAA-eligible encryption at rest with no key policy to couple to the stateful stack's key,
    // as for the scheduler's dead-letter queue. TLS is enforced by the queue policy.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Longer than the consumer's timeout (AWS advises six times), so a record is never delivered
      // twice while its first delivery still runs.
      visibilityTimeout: Duration.seconds(CONSUMER_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the inbound fallback queue (its redrive target); a dead-letter queue of a dead-letter queue would only move the same messages again.',
    });

    const api = props.httpApi.api;
    this.receiver = new BackfillFunction(this, 'Receiver', {
      ...functionDefaults,
      name: 'sms-inbound-fallback',
      description: 'Twilio fallback URL for inbound SMS: verifies the signature and queues the message',
      // Twilio waits 15 s at most; SendMessage takes milliseconds, its retries a few seconds.
      timeout: Duration.seconds(10),
      memorySize: 256,
    });
    this.receiver.addEnvironment('INBOUND_QUEUE_URL', this.queue.queueUrl);
    this.receiver.addEnvironment('PUBLIC_API_URL', api.apiEndpoint);
    // SendMessage only (queue.grantSendMessages also grants GetQueueAttributes and GetQueueUrl).
    this.receiver.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }),
    );

    this.consumer = new BackfillFunction(this, 'Consumer', {
      ...functionDefaults,
      name: 'sms-inbound-queue',
      description: 'Handles inbound SMS the fallback queued; answers through the Twilio API',
      timeout: CONSUMER_TIMEOUT,
    });
    // Twilio signs the status callback URLs of the answers it sends, built from this base.
    this.consumer.addEnvironment('PUBLIC_API_URL', api.apiEndpoint);
    this.consumer.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        // Only the records that failed (in flight elsewhere, the table still down) come back.
        reportBatchItemFailures: true,
      }),
    );
    Validations.of(this.consumer).acknowledge({
      id: 'HIPAA.Security-LambdaDLQ',
      reason:
        'The function is invoked by an SQS event source mapping, not asynchronously: failed records return to the inbound queue and, after maxReceiveCount deliveries, move to its dead-letter queue.',
    });

    const routes = api.addRoutes({
      path: INBOUND_FALLBACK_PATH,
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('SmsInboundFallback', this.receiver),
    });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          "Twilio fallback webhook: Twilio cannot send a bearer token; the handler rejects any request whose X-Twilio-Signature (HMAC-SHA1 with the auth token over this route's public URL and the form) does not verify.",
      });
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'Twilio fallback webhook: a Cognito authorizer cannot apply to a machine caller outside the user pool; the Twilio request signature is the authentication.',
      });
    }
    this.url = props.httpApi.urlFor(INBOUND_FALLBACK_PATH);
  }
}
