import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourcesOfType, type Synthesized, synthBackfill } from './synth.js';

/**
 * Twilio's fallback URL for inbound texts: POST /sms/inbound-fallback with no authorizer (the Twilio
 * signature is the authentication), an encrypted queue with a dead-letter queue, its consumer on an SQS
 * event source that reports batch item failures, and least privilege on both functions.
 */
let synth: Synthesized;
let stateless: Template;
type Resource = { Type: string; Properties?: Record<string, unknown> };

// A whole-app synth; on two shared cores next to DynamoDB Local it can take over the 60 s default.
beforeAll(() => {
  synth = synthBackfill();
  stateless = synth.template('stateless');
}, 180_000);

const fallback = () => {
  const f = synth.stateless.inboundFallback;
  if (!f) throw new Error('the stateless stack has no inbound fallback');
  return f;
};
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  Stack.of(construct as never).getLogicalId(construct.node.defaultChild as never);
const resource = (id: string) => (stateless.toJSON().Resources as Record<string, Resource>)[id];

/** Every action the policies on a function's role allow. */
function roleActions(fn: { role?: { node: { defaultChild?: unknown } } }): string[] {
  const roleId = logicalId(fn.role as never);
  return resourcesOfType(stateless, 'AWS::IAM::Policy')
    .filter(([, p]) => ((p.Properties?.Roles as { Ref?: string }[]) ?? []).some((r) => r.Ref === roleId))
    .flatMap(
      ([, p]) =>
        (p.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] } | undefined)
          ?.Statement ?? [],
    )
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .sort();
}

describe('the inbound fallback in the stateless stack', () => {
  it('POST /sms/inbound-fallback is a route with no authorizer, integrated with the receiver', () => {
    const routes = resourcesOfType(stateless, 'AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties as Record<string, unknown>)
      .filter((r) => String(r.RouteKey).includes('/sms/inbound-fallback'));
    expect(routes.map((r) => r.RouteKey)).toEqual(['POST /sms/inbound-fallback']);
    expect(routes[0]?.AuthorizerId).toBeUndefined();
    expect(routes[0]?.AuthorizationType ?? 'NONE').toBe('NONE');
    const target = routes[0]?.Target as { 'Fn::Join': [string, unknown[]] };
    const ref = target['Fn::Join'][1].find((part) => typeof part === 'object') as { Ref: string };
    expect(JSON.stringify(resource(ref.Ref)?.Properties?.IntegrationUri)).toContain(
      logicalId(fallback().receiver),
    );
  });

  it('the queue is encrypted, keeps messages 14 days, redrives to an encrypted dead-letter queue, and outlasts its consumer', () => {
    const queue = resource(logicalId(fallback().queue))?.Properties ?? {};
    const dlq = resource(logicalId(fallback().deadLetterQueue))?.Properties ?? {};
    for (const q of [queue, dlq]) {
      expect(q.SqsManagedSseEnabled === true || q.KmsMasterKeyId !== undefined).toBe(true);
      expect(q.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    }
    const redrive = queue.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
    expect(JSON.stringify(redrive.deadLetterTargetArn)).toContain(logicalId(fallback().deadLetterQueue));
    expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(5);
    const consumer = resource(logicalId(fallback().consumer))?.Properties as { Timeout: number };
    expect(queue.VisibilityTimeout as number).toBeGreaterThan(consumer.Timeout);
    // Both queues refuse plain HTTP.
    stateless.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(fallback().queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('the consumer reads the queue through an event source mapping that reports batch item failures', () => {
    const mappings = resourcesOfType(stateless, 'AWS::Lambda::EventSourceMapping').map(
      ([, m]) => m.Properties,
    );
    const mapping = mappings.find((m) =>
      JSON.stringify(m?.FunctionName).includes(logicalId(fallback().consumer)),
    );
    expect(mapping).toBeDefined();
    expect(JSON.stringify(mapping?.EventSourceArn)).toContain(logicalId(fallback().queue));
    expect(mapping?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('the receiver may only send to the queue (and read the Twilio token): no table, no scheduler', () => {
    const actions = roleActions(fallback().receiver).filter((a) => !a.startsWith('logs:'));
    expect(actions).toEqual([
      'kms:Decrypt',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
    ]);
    const env =
      (
        resource(logicalId(fallback().receiver))?.Properties as unknown as
          | {
              Environment: { Variables: Record<string, unknown> };
            }
          | undefined
      )?.Environment.Variables ?? {};
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['INBOUND_QUEUE_URL', 'PUBLIC_API_URL']));
    expect(Object.keys(env)).not.toContain('TABLE_NAME');
    expect(Object.keys(env)).not.toContain('SCHEDULER_TARGET_ARN');
  });

  it("the consumer gets the engine's table actions, the Twilio secret, scheduling and the alert topic, and consumes the queue", () => {
    const actions = new Set(roleActions(fallback().consumer));
    for (const a of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']) {
      expect(actions, a).toContain(a);
    }
    for (const never of [
      'dynamodb:DeleteItem',
      'dynamodb:Scan',
      'dynamodb:BatchWriteItem',
      'sqs:SendMessage',
    ]) {
      expect(actions, never).not.toContain(never);
    }
    for (const a of [
      'secretsmanager:GetSecretValue',
      'scheduler:CreateSchedule',
      'iam:PassRole',
      'sns:Publish',
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
    ]) {
      expect(actions, a).toContain(a);
    }
  });

  it('outputs the fallback URL to configure in Twilio', () => {
    const outputs = stateless.toJSON().Outputs as Record<string, { Value: unknown; Description?: string }>;
    const url = outputs.InboundFallbackUrl;
    expect(url).toBeDefined();
    expect(JSON.stringify(url?.Value)).toContain('/sms/inbound-fallback');
  });
});
