import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { GLOBAL_INDEXES } from '../../shared/adapters/dynamo/table-design.js';
import { EXTERNAL_MODULES, MAIN_FIELDS, NODE_TARGET, REQUIRE_SHIM_BANNER } from './function-bundling.js';

/** Repository root, found from this file so synth works from any working directory. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The functions that run the offer engine (each binds the table, Twilio and the scheduler). */
export type EngineFunctionName = 'scheduler-target' | 'sms-inbound' | 'sms-status' | 'admin-api';
/** The inbound fallback's two functions (lib/constructs/inbound-fallback.ts); the consumer runs the engine. */
export type InboundFallbackFunctionName = 'sms-inbound-fallback' | 'sms-inbound-queue';
export type FunctionName = EngineFunctionName | InboundFallbackFunctionName | 'health';

/**
 * DynamoDB actions as IAM names them (without the `dynamodb:` prefix). TransactWriteItems has no action
 * of its own: each of its items is authorised as PutItem, UpdateItem, DeleteItem or ConditionCheckItem.
 */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'Scan'
  | 'ConditionCheckItem'
  | 'DescribeTable'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem';

const WRITE_ACTIONS: ReadonlySet<TableAction> = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
]);

export interface BackfillFunctionProps {
  /** Folder under functions/; its handler.ts exports `handler`. */
  readonly name: FunctionName;
  readonly description: string;
  /** Clinic settings and any stack-computed values every function shares. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetentionDays: number;
  /** Encrypts the log group: handlers log phone numbers and message bodies in error paths. */
  readonly logKey: kms.IKey;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  /** Fixed physical name, only where another resource must know the ARN before the function exists. */
  readonly functionName?: string;
}

/**
 * The one way this app builds a Lambda function: every default that matters for cold start, cost and
 * compliance lives here, so each function only states what differs. Grants go through `bind*` methods
 * that set the environment variable and the IAM permission together, so neither can be forgotten.
 */
export class BackfillFunction extends nodejs.NodejsFunction {
  /** Own log group (NodejsFunction's `logGroup` accessor is typed as the interface). */
  readonly functionLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BackfillFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.logKey,
    });
    // A role of our own instead of AWSLambdaBasicExecutionRole: the managed policy lets a function
    // create any log group and write to all of them; this one may only write to its own.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.name} function`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: `${REPO_ROOT}functions/${props.name}/handler.ts`,
      handler: 'handler',
      functionName: props.functionName,
      description: props.description,
      role,
      logGroup,
      // nodejs24.x on Graviton: the fastest measured init for Node (≈114-125 ms hello world) and 20%
      // cheaper per GB-second than x86.
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        ...props.environment,
        // Stack traces point at the TypeScript source; the maps ship inside the bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: NODE_TARGET,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the SDK instead of loading the runtime's copy: tree-shaken and minified it initialises
        // faster (one report: 675 ms -> 241 ms) and pins the version we tested against.
        externalModules: EXTERNAL_MODULES,
        mainFields: MAIN_FIELDS,
        banner: REQUIRE_SHIM_BANNER,
        metafile: false,
      },
    });
    this.functionLogGroup = logGroup;

    Validations.of(this).acknowledge({
      id: 'HIPAA.Security-LambdaInsideVPC',
      reason:
        'The function reaches only AWS APIs (DynamoDB, Scheduler, Secrets Manager, SNS) over TLS with IAM auth, and Twilio on the internet; a VPC would add NAT gateway cost (≈$32/month per AZ) and no private resource to protect.',
    });
    Validations.of(this).acknowledge({
      id: 'HIPAA.Security-LambdaConcurrency',
      reason:
        'Reserved concurrency is withheld from the account pool and fails deploys on new accounts whose limit is 10; the HTTP API stage throttles webhook and admin traffic, and Scheduler load is bounded by open slots.',
    });
    Validations.of(this).acknowledge({
      id: 'HIPAA.Security-LambdaDLQ',
      reason:
        'API-invoked functions are synchronous (Twilio and the dashboard retry); the Scheduler-invoked function sends failed async invocations to the scheduler dead-letter queue through an on-failure destination, which this rule does not recognise.',
    });
  }

  /**
   * TABLE_NAME plus exactly the DynamoDB actions the function's code calls, on the table and its named
   * indexes (no `index/*`), and the table's KMS key only through DynamoDB, encrypt included only when
   * the function writes. Actions are listed per function (stateless-stack.ts TABLE_ACTIONS), not by a
   * read/write mode: a webhook that never deletes must not be able to delete or batch-write the table.
   */
  bindTable(table: dynamodb.ITable, key: kms.IKey, actions: readonly TableAction[]): this {
    this.addEnvironment('TABLE_NAME', table.tableName);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [...new Set(actions)].sort().map((action) => `dynamodb:${action}`),
        resources: [
          table.tableArn,
          ...GLOBAL_INDEXES.map((index) => `${table.tableArn}/index/${index.indexName}`),
        ],
      }),
    );
    const writes = actions.some((action) => WRITE_ACTIONS.has(action));
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: !writes
          ? ['kms:Decrypt', 'kms:DescribeKey']
          : ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    return this;
  }

  /**
   * TWILIO_AUTH_TOKEN_SECRET_ARN plus read access to that one secret and decrypt through Secrets Manager
   * only. Written out instead of `secret.grantRead`: that helper also edits the key policy in the
   * stateful stack to name this role, which makes the stateful stack depend on the stateless one.
   */
  bindTwilioSecret(secret: secretsmanager.ISecret, key: kms.IKey): this {
    this.addEnvironment('TWILIO_AUTH_TOKEN_SECRET_ARN', secret.secretArn);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [secret.secretArn],
      }),
    );
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
    return this;
  }

  /** ALERT_TOPIC_ARN plus publish on that topic, and use of its key through SNS only. */
  bindAlertTopic(topic: sns.ITopic, key: kms.IKey): this {
    this.addEnvironment('ALERT_TOPIC_ARN', topic.topicArn);
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    return this;
  }

  /** ARN of a function with a fixed name, without referencing the function (avoids dependency cycles). */
  static arnForName(scope: Construct, functionName: string): string {
    return Stack.of(scope).formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: functionName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
}
