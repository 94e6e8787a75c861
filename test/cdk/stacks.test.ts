import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { GLOBAL_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../shared/adapters/dynamo/table-design.js';
import { resourcesOfType, type Synthesized, synthBackfill } from './synth.js';

let synth: Synthesized;
let stateful: Template;
let stateless: Template;

beforeAll(() => {
  synth = synthBackfill({ ALERT_EMAIL: 'frontdesk@example.org' });
  stateful = synth.template('stateful');
  stateless = synth.template('stateless');
});

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  Stack.of(construct as never).getLogicalId(construct.node.defaultChild as never);

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
const statementsOf = (template: Template): Statement[] =>
  resourcesOfType(template, 'AWS::IAM::Policy').flatMap(
    ([, p]) => (p.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [],
  );
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('stateful stack: the table', () => {
  it('uses the shared key design, both GSIs with every attribute projected, and the TTL attribute', () => {
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Match.arrayWith(
        GLOBAL_INDEXES.map((index) =>
          Match.objectLike({
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          }),
        ),
      ),
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('is recoverable and cannot be deleted by a stack operation', () => {
    stateful.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: Match.objectLike({ PointInTimeRecoveryEnabled: true }),
      }),
    });
  });

  it('is encrypted with the customer-managed, rotating key that is retained with it', () => {
    const keyId = logicalId(synth.stateful.dataKey);
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      },
    });
    stateful.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ EnableKeyRotation: true }),
    });
  });

  it('keeps the Twilio token in Secrets Manager under the same key, never in the template', () => {
    stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [logicalId(synth.stateful.dataKey), 'Arn'] },
      SecretString: Match.absent(),
    });
  });

  it('requires TOTP MFA, has no self sign-up, and defines the staff and admin groups', () => {
    stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    for (const group of ['staff', 'admin']) {
      stateful.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: group });
    }
    stateful.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: Match.anyValue() });
  });
});

describe('stateless stack: functions', () => {
  const names = ['scheduler-target', 'sms-inbound', 'sms-status', 'admin-api'] as const;

  it('every function of the app runs nodejs24.x on arm64 with its own KMS-encrypted log group', () => {
    for (const name of names) {
      const fn = synth.stateless.functions[name];
      const props = stateless.toJSON().Resources[logicalId(fn)].Properties as Record<string, unknown>;
      expect(props.Runtime, name).toBe('nodejs24.x');
      expect(props.Architectures, name).toEqual(['arm64']);
      const logGroupId = logicalId(fn.functionLogGroup);
      expect(props.LoggingConfig, name).toMatchObject({ LogGroup: { Ref: logGroupId } });
      expect(stateless.toJSON().Resources[logGroupId].Properties, name).toMatchObject({
        RetentionInDays: 365,
        KmsKeyId: expect.anything(),
      });
    }
  });

  it('no Node.js function in the stack is left on another runtime or architecture', () => {
    const nodeFunctions = resourcesOfType(stateless, 'AWS::Lambda::Function').filter(([, f]) =>
      String(f.Properties?.Runtime).startsWith('nodejs'),
    );
    expect(nodeFunctions.length).toBeGreaterThanOrEqual(names.length);
    for (const [id, f] of nodeFunctions) {
      expect(f.Properties?.Runtime, id).toBe('nodejs24.x');
      expect(f.Properties?.Architectures, id).toEqual(['arm64']);
    }
  });

  it('every log group has a retention period', () => {
    for (const template of [stateful, stateless]) {
      for (const [id, group] of resourcesOfType(template, 'AWS::Logs::LogGroup')) {
        expect(group.Properties?.RetentionInDays, id).toEqual(expect.any(Number));
      }
    }
  });

  it('passes the clinic settings and every scheduler variable the adapter reads', () => {
    for (const name of names) {
      const env = (
        stateless.toJSON().Resources[logicalId(synth.stateless.functions[name])].Properties as {
          Environment: { Variables: Record<string, unknown> };
        }
      ).Environment.Variables;
      for (const key of [
        'TABLE_NAME',
        'CLINIC_TIME_ZONE',
        'BATCH_SIZE',
        'HOLD_MINUTES',
        'SCHEDULE_GROUP_NAME',
        'SCHEDULER_TARGET_ARN',
        'SCHEDULER_ROLE_ARN',
        'SCHEDULER_DLQ_ARN',
        'TWILIO_AUTH_TOKEN_SECRET_ARN',
        'PUBLIC_API_URL',
        'DASHBOARD_ORIGIN',
      ]) {
        expect(env, `${name} ${key}`).toHaveProperty(key);
      }
      expect(env.SCHEDULER_ROLE_ARN).toEqual({
        'Fn::GetAtt': [logicalId(synth.stateless.offerScheduler.targetRole), 'Arn'],
      });
    }
  });

  it('SCHEDULER_TARGET_ARN names the scheduler-target function by its fixed name', () => {
    const target = synth.stateless.functions['scheduler-target'];
    const props = (target.node.defaultChild as CfnFunction).functionName;
    const env = (
      stateless.toJSON().Resources[logicalId(synth.stateless.functions['sms-inbound'])].Properties as {
        Environment: { Variables: Record<string, unknown> };
      }
    ).Environment.Variables;
    expect(props).toBe('ClinicBackfill-scheduler-target');
    expect(JSON.stringify(env.SCHEDULER_TARGET_ARN)).toContain(`:function:${props}`);
  });

  it('no IAM statement in the stateless stack grants on Resource "*"', () => {
    for (const statement of statementsOf(stateless)) {
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      expect(resources, JSON.stringify(actionsOf(statement))).not.toContain('*');
    }
  });
});

describe('stateless stack: scheduler plumbing', () => {
  it('the target role trusts only scheduler.amazonaws.com, for this account and schedule group', () => {
    const role = synth.stateless.offerScheduler.targetRole.node.defaultChild as CfnRole;
    stateless.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: {
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                'aws:SourceArn': Match.anyValue(),
              },
            },
          },
        ],
      },
      Description: role.description,
    });
    // Scheduler presents the schedule GROUP's ARN as aws:SourceArn (not a schedule's).
    const trust = JSON.stringify(
      stateless.toJSON().Resources[logicalId(synth.stateless.offerScheduler.targetRole)].Properties
        .AssumeRolePolicyDocument,
    );
    expect(trust).toContain(':schedule-group/ClinicBackfill-offers"');
  });

  it('the target role may invoke exactly the scheduler-target function and send to the DLQ', () => {
    const roleId = logicalId(synth.stateless.offerScheduler.targetRole);
    const policies = resourcesOfType(stateless, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties?.Roles).includes(roleId),
    );
    const statements = policies.flatMap(
      ([, p]) => (p.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [],
    );
    const invoke = statements.find((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(JSON.stringify(invoke?.Resource)).toContain(':function:ClinicBackfill-scheduler-target"');
    expect(statements.some((s) => actionsOf(s).includes('sqs:SendMessage'))).toBe(true);
  });

  it('iam:PassRole is granted on exactly the target role ARN, only to Scheduler, for every function', () => {
    const roleArn = { 'Fn::GetAtt': [logicalId(synth.stateless.offerScheduler.targetRole), 'Arn'] };
    const passRoles = statementsOf(stateless).filter((s) => actionsOf(s).includes('iam:PassRole'));
    // The four engine functions and the inbound fallback queue's consumer (the receiver has none).
    expect(passRoles).toHaveLength(5);
    for (const statement of passRoles) {
      expect(statement.Resource).toEqual(roleArn);
      expect(actionsOf(statement)).toEqual(['iam:PassRole']);
      expect(statement.Condition).toEqual({
        StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      });
    }
  });

  it('schedule grants are limited to the app’s own group', () => {
    const grants = statementsOf(stateless).filter((s) => actionsOf(s).includes('scheduler:CreateSchedule'));
    expect(grants).toHaveLength(5);
    for (const statement of grants) {
      expect(JSON.stringify(statement.Resource)).toContain(':schedule/ClinicBackfill-offers/*');
    }
    stateless.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'ClinicBackfill-offers' });
  });

  it('a recurring sweep invokes the target function with the SWEEP payload, through the target role', () => {
    stateless.hasResourceProperties('AWS::Scheduler::Schedule', {
      GroupName: 'ClinicBackfill-offers',
      ScheduleExpression: 'rate(5 minutes)',
      Target: Match.objectLike({
        RoleArn: { 'Fn::GetAtt': [logicalId(synth.stateless.offerScheduler.targetRole), 'Arn'] },
        Input: JSON.stringify({ kind: 'SWEEP', scheduledTime: '<aws.scheduler.scheduled-time>' }),
      }),
    });
    const [, sweep] = resourcesOfType(stateless, 'AWS::Scheduler::Schedule')[0] ?? [];
    expect(JSON.stringify(sweep?.Properties?.Target)).toContain(':function:ClinicBackfill-scheduler-target"');
  });

  it('the dead-letter queue is encrypted, TLS-only, and receives the target function’s failed invocations', () => {
    const queueArn = { 'Fn::GetAtt': [logicalId(synth.stateless.offerScheduler.deadLetterQueue), 'Arn'] };
    stateless.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    stateless.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    stateless.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
  });
});

describe('stateless stack: HTTP API', () => {
  const routes = () =>
    resourcesOfType(stateless, 'AWS::ApiGatewayV2::Route').map(
      ([, r]) => r.Properties as Record<string, unknown>,
    );

  it('every /admin route has the Cognito JWT authorizer', () => {
    const admin = routes().filter((r) => String(r.RouteKey).includes(' /admin'));
    expect(admin.length).toBeGreaterThan(0);
    for (const route of admin) {
      expect(route.AuthorizationType, String(route.RouteKey)).toBe('JWT');
      expect(route.AuthorizerId, String(route.RouteKey)).toBeDefined();
    }
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Audience: [Match.anyValue()], Issuer: Match.anyValue() },
    });
  });

  it('the Twilio webhook routes exist and have no authorizer (the signature is the check)', () => {
    for (const key of ['POST /sms/inbound', 'POST /sms/status']) {
      const route = routes().find((r) => r.RouteKey === key);
      expect(route, key).toBeDefined();
      expect(route?.AuthorizerId, key).toBeUndefined();
      expect(route?.AuthorizationType ?? 'NONE', key).toBe('NONE');
    }
  });

  it('no route answers every method (OPTIONS must stay with the CORS preflight, not the authorizer)', () => {
    expect(routes().map((r) => String(r.RouteKey))).not.toContainEqual(expect.stringMatching(/^ANY /));
  });

  it('the stage is throttled, tighter on admin routes, and writes access logs', () => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      RouteSettings: Match.objectLike({
        'POST /admin/{proxy+}': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      }),
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('routeKey') },
    });
  });
});

describe('stateless stack: dashboard hosting', () => {
  it('serves the private bucket through origin access control, HTTPS only, with the headers policy', () => {
    const oac = resourcesOfType(stateless, 'AWS::CloudFront::OriginAccessControl');
    expect(oac).toHaveLength(1);
    const policyId = logicalId(synth.stateless.dashboard?.responseHeadersPolicy as never);
    stateless.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: Match.arrayWith([
          Match.objectLike({
            OriginAccessControlId: { 'Fn::GetAtt': [oac[0]?.[0], 'Id'] },
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ]),
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          ResponseHeadersPolicyId: { Ref: policyId },
        }),
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: '/admin/*',
            ViewerProtocolPolicy: 'https-only',
            ResponseHeadersPolicyId: { Ref: policyId },
          }),
        ],
        Logging: Match.objectLike({ Bucket: Match.anyValue() }),
      }),
    });
  });

  it('the headers policy sends a strict CSP, HSTS, nosniff, DENY framing and no referrer', () => {
    stateless.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: { ContentSecurityPolicy: Match.anyValue(), Override: true },
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 63072000 }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        }),
      }),
    });
    // The CSP is a Fn::Join (it names the Cognito domain); its literal parts carry the directives.
    const csp = JSON.stringify(
      resourcesOfType(stateless, 'AWS::CloudFront::ResponseHeadersPolicy')[0]?.[1].Properties,
    );
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('the site bucket is private, encrypted, versioned, access-logged and TLS-only', () => {
    const bucketId = logicalId(synth.stateless.dashboard?.bucket as never);
    const bucket = stateless.toJSON().Resources[bucketId].Properties;
    expect(bucket).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [expect.objectContaining({})] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: expect.anything() },
    });
    stateless.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' }),
        ]),
      },
    });
  });

  it('deploys a runtime config.json with the API URL, user pool and client ids', () => {
    const deployments = resourcesOfType(stateless, 'Custom::CDKBucketDeployment');
    const withMarkers = deployments.filter(([, d]) => d.Properties?.SourceMarkers);
    expect(withMarkers).toHaveLength(1);
    const props = withMarkers[0]?.[1].Properties as {
      SourceObjectKeys: string[];
      SourceMarkers: Record<string, unknown>[];
    };
    const assetDir = join(synth.outdir, `asset.${props.SourceObjectKeys[0]?.replace(/\.zip$/, '')}`);
    const config = JSON.parse(readFileSync(join(assetDir, 'config.json'), 'utf8')) as {
      apiUrl: string;
      auth: Record<string, string>;
    };
    const markers = props.SourceMarkers[0] ?? {};
    const resolved = (value: string | undefined) =>
      (value?.match(/<<marker:[^>]+>>/g) ?? []).map((marker) => JSON.stringify(markers[marker])).join(' ');
    // The shape dashboard/src/config.ts parses: same-origin API, Cognito code + PKCE settings.
    expect(config.apiUrl).toBe('');
    expect(config.auth.mode).toBe('cognito');
    expect(resolved(config.auth.authority)).toContain('UserPool');
    expect(resolved(config.auth.clientId)).toBe(
      JSON.stringify({ Ref: logicalId(synth.stateless.node.findChild('DashboardClient') as never) }),
    );
    expect(resolved(config.auth.redirectUri)).toContain('DashboardDistribution');
    expect(resolved(config.auth.domain)).toContain('HostedDomain');
  });
});

describe('stateless stack: alerts and outputs', () => {
  it('alarms on every function’s errors, on API 5xx and on dead-letter queue depth, to the ops topic', () => {
    for (const fn of Object.values(synth.stateless.functions)) {
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn) } }],
        AlarmActions: [{ Ref: logicalId(synth.stateless.alerting.opsTopic) }],
      });
    }
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5xx',
      Namespace: 'AWS/ApiGateway',
    });
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: Match.anyValue() }],
    });
  });

  it('subscribes the e-mail given in context to slot-filled alerts; topics are KMS-encrypted', () => {
    stateless.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'frontdesk@example.org',
      TopicArn: { Ref: logicalId(synth.stateless.alerting.slotFilledTopic) },
    });
    for (const [id, topic] of resourcesOfType(stateless, 'AWS::SNS::Topic')) {
      expect(topic.Properties?.KmsMasterKeyId, id).toBeDefined();
    }
  });

  it('outputs the two webhook URLs, the dashboard URL and the user pool id', () => {
    const outputs = Object.keys(stateless.toJSON().Outputs ?? {});
    for (const name of ['InboundWebhookUrl', 'StatusCallbackUrl', 'DashboardUrl', 'UserPoolId']) {
      expect(outputs).toContain(name);
    }
    stateless.hasOutput('InboundWebhookUrl', {
      Value: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.anyValue(), 'ApiEndpoint'] }, '/sms/inbound']] },
    });
  });
});
