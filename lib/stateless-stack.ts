import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { TARGET_RETRY } from '../shared/runtime/scheduled-work.js';
import { Alerting } from './constructs/alarms.js';
import {
  BackfillFunction,
  type BackfillFunctionProps,
  type EngineFunctionName,
  type TableAction,
} from './constructs/backfill-function.js';
import { DashboardHosting } from './constructs/dashboard-hosting.js';
import { BackfillHttpApi, HEALTH_PATH, WEBHOOK_PATHS } from './constructs/http-api.js';
import { InboundFallback } from './constructs/inbound-fallback.js';
import { OfferScheduler } from './constructs/offer-scheduler.js';
import { addDashboardClient, STAFF_GROUPS } from './constructs/staff-auth.js';
import type { DeploymentSettings } from './settings.js';

/**
 * What each function's code calls on the table (test/cdk/table-grants.test.ts derives the same sets from
 * the bundled source, so a new command fails there until it is granted here). Every function runs the
 * offer engine's store: reads, and Put/Update (also inside its transactions). The hourly send budget,
 * in the two functions that send through Twilio's API, is an UpdateItem too.
 */
const ENGINE_TABLE_ACTIONS: readonly TableAction[] = [
  'GetItem',
  'BatchGetItem',
  'Query',
  'PutItem',
  'UpdateItem',
];
export const TABLE_ACTIONS: Record<EngineFunctionName | 'sms-inbound-queue', readonly TableAction[]> = {
  'scheduler-target': ENGINE_TABLE_ACTIONS,
  // The inbound fallback queue's consumer runs the conversation and sends through the API (send budget).
  'sms-inbound-queue': ENGINE_TABLE_ACTIONS,
  'sms-inbound': ENGINE_TABLE_ACTIONS,
  'sms-status': ENGINE_TABLE_ACTIONS,
  // Removing a patient deletes the waitlist entry's rows in one transaction (WaitlistStore).
  'admin-api': [...ENGINE_TABLE_ACTIONS, 'DeleteItem'],
};

export interface StatelessStackProps extends StackProps {
  readonly appName: string;
  readonly clinicEnvironment: Readonly<Record<string, string>>;
  readonly deployment: DeploymentSettings;
  readonly table: dynamodb.ITable;
  readonly dataKey: kms.IKey;
  readonly twilioAuthTokenSecret: secretsmanager.ISecret;
  /** Absent on LocalStack: no Cognito, so no HTTP API or dashboard either. */
  readonly staff?: { userPool: cognito.IUserPool; domain: cognito.UserPoolDomain };
}

/**
 * Code and the things wired to it: functions, API, scheduler plumbing, dashboard hosting, alarms.
 * Everything here can be destroyed and recreated from the repository without losing data.
 */
export class StatelessStack extends Stack {
  readonly functions: Record<EngineFunctionName, BackfillFunction>;
  /** GET /health's function: reaches nothing, so it has none of the engine functions' grants. */
  readonly healthFunction?: BackfillFunction;
  readonly offerScheduler: OfferScheduler;
  readonly alerting: Alerting;
  readonly httpApi?: BackfillHttpApi;
  /** Twilio's fallback URL for inbound texts and the durable queue behind it (with the HTTP API only). */
  readonly inboundFallback?: InboundFallback;
  readonly dashboard?: DashboardHosting;
  private readonly dataKey: kms.IKey;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { deployment } = props;
    this.dataKey = props.dataKey;

    // The scheduler-target function gets a fixed name so its ARN can be computed (Stack.formatArn)
    // before the function exists. Every function, including this one, needs that ARN in
    // SCHEDULER_TARGET_ARN to create schedules, and the target role needs it for lambda:InvokeFunction;
    // using `functionArn` would make the function reference itself (a CloudFormation cycle).
    const schedulerTargetName = `${props.appName}-scheduler-target`;
    const schedulerTargetArn = BackfillFunction.arnForName(this, schedulerTargetName);

    this.alerting = new Alerting(this, 'Alerting', {
      key: props.dataKey,
      slotFilledEmail: deployment.ALERT_EMAIL,
      opsEmail: deployment.OPS_ALERT_EMAIL,
    });
    this.offerScheduler = new OfferScheduler(this, 'OfferScheduler', {
      groupName: `${props.appName}-offers`,
      targetFunctionArn: schedulerTargetArn,
    });

    const shared = {
      environment: props.clinicEnvironment,
      logRetentionDays: deployment.LOG_RETENTION_DAYS,
      logKey: props.dataKey,
    };
    const fn = (id: string, p: Omit<BackfillFunctionProps, keyof typeof shared>) =>
      new BackfillFunction(this, id, { ...shared, ...p });
    this.functions = {
      'scheduler-target': fn('SchedulerTarget', {
        name: 'scheduler-target',
        functionName: schedulerTargetName,
        description: 'Runs scheduled offer steps: starts the next batch, expires holds',
        // A batch of up to BATCH_SIZE Twilio calls at about 1 message a second on a long code.
        timeout: Duration.seconds(60),
      }),
      'sms-inbound': fn('SmsInbound', {
        name: 'sms-inbound',
        description: 'Twilio inbound SMS webhook: replies YES/NO/STOP/HELP',
        // Twilio gives up after 15 s and tries the fallback URL.
        timeout: Duration.seconds(10),
      }),
      'sms-status': fn('SmsStatus', {
        name: 'sms-status',
        description: 'Twilio message status callback: delivery trail',
        timeout: Duration.seconds(10),
      }),
      'admin-api': fn('AdminApi', {
        name: 'admin-api',
        description: 'Staff dashboard API',
        // API Gateway cuts an integration at 30 s.
        timeout: Duration.seconds(25),
      }),
    };

    // Async invocations that fail Lambda's own retries land in the scheduler DLQ too, so a stuck slot
    // raises the same alarm whether Scheduler or the handler failed.
    // The local emulator retries failed deliveries the same way (TARGET_RETRY, shared with it).
    this.functions['scheduler-target'].configureAsyncInvoke({
      retryAttempts: TARGET_RETRY.retryAttempts,
      maxEventAge: Duration.seconds(TARGET_RETRY.maxEventAgeSeconds),
      onFailure: new destinations.SqsDestination(this.offerScheduler.deadLetterQueue),
    });

    for (const [name, f] of Object.entries(this.functions) as [EngineFunctionName, BackfillFunction][]) {
      // The offer engine runs inside every function (a reply, a status callback, a staff action or a
      // timer can each advance a slot), so every function gets Twilio and scheduler access, and the
      // table actions its own code paths use.
      f.bindTable(props.table, props.dataKey, TABLE_ACTIONS[name]).bindTwilioSecret(
        props.twilioAuthTokenSecret,
        props.dataKey,
      );
      this.offerScheduler.grantScheduling(f);
      this.alerting.alarmOnFunctionErrors(
        f,
        name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
      );
    }
    // Only a patient's YES or a staff action fills a slot.
    this.functions['sms-inbound'].bindAlertTopic(this.alerting.slotFilledTopic, props.dataKey);
    this.functions['admin-api'].bindAlertTopic(this.alerting.slotFilledTopic, props.dataKey);
    this.alerting.alarmOnQueueDepth(this.offerScheduler.deadLetterQueue, 'SchedulerDlq');

    if (props.staff) {
      const staffFacing = this.wireStaffFacingParts(props.staff, deployment);
      this.httpApi = staffFacing.httpApi;
      this.healthFunction = staffFacing.health;
      this.dashboard = staffFacing.dashboard;
      this.inboundFallback = this.wireInboundFallback(staffFacing.httpApi, props, shared);
    }

    new CfnOutput(this, 'SchedulerTargetFunctionName', {
      value: schedulerTargetName,
      description: 'Invoke with {"kind":"START_BATCH","slotId":"…","batch":2} to drive a step by hand',
    });
    new CfnOutput(this, 'SlotFilledTopicArn', { value: this.alerting.slotFilledTopic.topicArn });
  }

  /**
   * The fallback's consumer runs the engine like the scheduler target (real sender, inline advance), so
   * it gets the same grants as the engine functions above; the receiver gets only SendMessage on the
   * queue (inside the construct) and the Twilio secret to check signatures: no table, no scheduler.
   */
  private wireInboundFallback(
    httpApi: BackfillHttpApi,
    props: StatelessStackProps,
    shared: { environment: Readonly<Record<string, string>>; logRetentionDays: number; logKey: kms.IKey },
  ): InboundFallback {
    const fallback = new InboundFallback(this, 'InboundFallback', { httpApi, ...shared });
    fallback.receiver.bindTwilioSecret(props.twilioAuthTokenSecret, props.dataKey);
    fallback.consumer
      .bindTable(props.table, props.dataKey, TABLE_ACTIONS['sms-inbound-queue'])
      .bindTwilioSecret(props.twilioAuthTokenSecret, props.dataKey)
      // A queued YES fills a slot, as the webhook's would.
      .bindAlertTopic(this.alerting.slotFilledTopic, props.dataKey);
    this.offerScheduler.grantScheduling(fallback.consumer);
    this.alerting.alarmOnFunctionErrors(fallback.receiver, 'SmsInboundFallback');
    this.alerting.alarmOnFunctionErrors(fallback.consumer, 'SmsInboundQueue');
    this.alerting.alarmOnQueueDepth(
      fallback.deadLetterQueue,
      'InboundDlq',
      'Inbound texts the fallback queued failed every delivery; fix the cause, then redrive the dead-letter queue',
    );
    new CfnOutput(this, 'InboundFallbackUrl', {
      value: fallback.url,
      description: 'Twilio: "Primary handler fails" fallback URL for incoming messages (HTTP POST)',
    });
    return fallback;
  }

  private wireStaffFacingParts(
    staff: NonNullable<StatelessStackProps['staff']>,
    deployment: DeploymentSettings,
  ): { httpApi: BackfillHttpApi; dashboard: DashboardHosting; health: BackfillFunction } {
    const customDomain =
      deployment.DASHBOARD_DOMAIN_NAME && deployment.DASHBOARD_CERTIFICATE_ARN
        ? {
            domainName: deployment.DASHBOARD_DOMAIN_NAME,
            certificateArn: deployment.DASHBOARD_CERTIFICATE_ARN,
          }
        : undefined;
    const authBaseUrl = staff.domain.baseUrl();

    // Creation order follows the dependency chain, which has no cycle: API -> distribution (routes
    // /admin/* to the API) -> app client (callback URL is the distribution's) -> admin routes (the JWT
    // authorizer names the client).
    // No clinic settings and no bind*: the handler reads nothing, so it is given nothing to read.
    const health = new BackfillFunction(this, 'Health', {
      name: 'health',
      description: 'GET /health for uptime checks: answers {"ok":true}, reaches nothing',
      environment: {},
      logRetentionDays: deployment.LOG_RETENTION_DAYS,
      logKey: this.dataKey,
      memorySize: 128,
      timeout: Duration.seconds(3),
    });
    this.alerting.alarmOnFunctionErrors(health, 'Health');
    const httpApi = new BackfillHttpApi(this, 'HttpApi', {
      health,
      smsInbound: this.functions['sms-inbound'],
      smsStatus: this.functions['sms-status'],
      logRetentionDays: deployment.LOG_RETENTION_DAYS,
      logKey: this.dataKey,
      rateLimit: deployment.API_RATE_LIMIT,
      burstLimit: deployment.API_BURST_LIMIT,
      devOrigin: deployment.DASHBOARD_DEV_ORIGIN,
    });
    const dashboard = new DashboardHosting(this, 'Dashboard', {
      apiId: httpApi.api.apiId,
      authBaseUrl,
      customDomain,
    });
    const callbackUrls = [`${dashboard.url}/`];
    if (deployment.DASHBOARD_DEV_ORIGIN) callbackUrls.push(`${deployment.DASHBOARD_DEV_ORIGIN}/`);
    const client = addDashboardClient(this, 'DashboardClient', staff.userPool, {
      callbackUrls,
      logoutUrls: callbackUrls,
    });
    httpApi.addAdminRoutes({
      adminApi: this.functions['admin-api'],
      userPool: staff.userPool,
      userPoolClient: client,
    });

    for (const f of Object.values(this.functions)) {
      // Twilio signs the URL it was configured with; the handlers rebuild it from this base.
      f.addEnvironment('PUBLIC_API_URL', httpApi.api.apiEndpoint);
      f.addEnvironment('DASHBOARD_ORIGIN', dashboard.url);
    }
    this.alerting.alarmOnApi5xx(httpApi.api);

    dashboard.deployContent(
      {
        // The dashboard reads this at start-up (dashboard/src/config.ts). CloudFront forwards /admin/* to
        // the API, so the API is the dashboard's own origin: apiUrl stays empty.
        apiUrl: '',
        auth: {
          mode: 'cognito',
          authority: `https://cognito-idp.${this.region}.amazonaws.com/${staff.userPool.userPoolId}`,
          clientId: client.userPoolClientId,
          redirectUri: `${dashboard.url}/`,
          domain: authBaseUrl,
        },
        staffGroup: STAFF_GROUPS.staff,
        adminGroup: STAFF_GROUPS.admin,
      },
      { logKey: this.dataKey, logRetentionDays: deployment.LOG_RETENTION_DAYS },
    );

    new CfnOutput(this, 'InboundWebhookUrl', {
      value: httpApi.urlFor(WEBHOOK_PATHS.inbound),
      description: 'Twilio: "A message comes in" webhook (HTTP POST)',
    });
    new CfnOutput(this, 'StatusCallbackUrl', {
      value: httpApi.urlFor(WEBHOOK_PATHS.status),
      description: 'Twilio: status callback URL (HTTP POST)',
    });
    new CfnOutput(this, 'DashboardUrl', { value: dashboard.url });
    new CfnOutput(this, 'UserPoolId', { value: staff.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
    new CfnOutput(this, 'HostedSignInDomain', { value: authBaseUrl });
    new CfnOutput(this, 'HealthCheckUrl', {
      value: httpApi.urlFor(HEALTH_PATH),
      description: 'Unauthenticated uptime check: 200 {"ok":true}',
    });
    return { httpApi, dashboard, health };
  }
}
