import { ArnFormat, CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { GLOBAL_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../shared/adapters/dynamo/table-design.js';
import { StaffAuth } from './constructs/staff-auth.js';

export interface StatefulStackProps extends StackProps {
  /**
   * Cognito hosted-domain prefix; undefined skips staff sign-in entirely (LocalStack's free tier has no
   * Cognito).
   */
  readonly cognitoDomainPrefix?: string;
}

/**
 * Everything that holds data or protects it. Nothing here changes when function code changes, so a code
 * deploy (the stateless stack) can never replace the table, the key, the secret or the staff accounts.
 */
export class StatefulStack extends Stack {
  readonly table: dynamodb.Table;
  readonly dataKey: kms.Key;
  readonly twilioAuthTokenSecret: secretsmanager.Secret;
  readonly staffAuth?: StaffAuth;

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props);

    // One customer-managed key for patient data at rest: the table, the Twilio secret, the function log
    // groups (they can carry phone numbers) and the alert topics. One key keeps the key policy auditable;
    // CloudTrail shows every use of it.
    this.dataKey = new kms.Key(this, 'DataKey', {
      description: 'Clinic backfill: patient data at rest (table, logs, secret, alert topics)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts log groups with this key only if the key policy names the service; the
    // condition limits it to log groups of this account and Region.
    this.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': this.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    // CloudWatch alarms publish to the KMS-encrypted alert topics; without this the alarm fires and no
    // message arrives.
    this.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    const attribute = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: attribute(TABLE_KEYS.partitionKey),
      sortKey: attribute(TABLE_KEYS.sortKey),
      // A clinic's traffic is a few hundred writes a day with bursts when a slot opens: on-demand costs
      // cents and never throttles a claim race.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.dataKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    for (const index of GLOBAL_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // The value is never in the template: the operator writes the real token after the first deploy
    // (docs/deployment.md). Until then the functions read a random placeholder and every signature check
    // fails closed.
    this.twilioAuthTokenSecret = new secretsmanager.Secret(this, 'TwilioAuthToken', {
      description: 'Twilio auth token: signs webhook requests and authenticates outbound SMS',
      encryptionKey: this.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    });

    if (props.cognitoDomainPrefix !== undefined) {
      this.staffAuth = new StaffAuth(this, 'StaffAuth', { domainPrefix: props.cognitoDomainPrefix });
      new CfnOutput(this, 'UserPoolId', {
        value: this.staffAuth.userPool.userPoolId,
        description: 'Staff user pool: create the first admin here (docs/deployment.md)',
      });
    }
    new CfnOutput(this, 'TwilioAuthTokenSecretArn', {
      value: this.twilioAuthTokenSecret.secretArn,
      description: 'Write the Twilio auth token here: aws secretsmanager put-secret-value --secret-id <this>',
    });

    Validations.of(this.twilioAuthTokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The Twilio auth token is issued by Twilio, not AWS: rotation means promoting the secondary token in the Twilio console and then updating this secret (docs/deployment.md); a rotation Lambda would need Twilio account credentials of its own.',
    });
    Validations.of(this.twilioAuthTokenSecret).acknowledge({
      id: 'HIPAA.Security-SecretsManagerRotationEnabled',
      reason:
        'Same as AwsSolutions-SMG4: the token is rotated in the Twilio console and copied here; AWS cannot rotate a third-party credential without holding another credential for it.',
    });
    Validations.of(this.table).acknowledge({
      id: 'HIPAA.Security-DynamoDBInBackupPlan',
      reason:
        'Point-in-time recovery (35 days) plus deletion protection and RETAIN cover restore needs; an AWS Backup plan can be added by the clinic account owner centrally without changing this stack.',
    });
  }
}
