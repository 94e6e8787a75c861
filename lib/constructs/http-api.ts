import { Validations } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface BackfillHttpApiProps {
  /** GET /health: unauthenticated, answers {"ok":true} and nothing else. */
  readonly health: lambda.IFunction;
  readonly smsInbound: lambda.IFunction;
  readonly smsStatus: lambda.IFunction;
  readonly logRetentionDays: number;
  readonly logKey: kms.IKey;
  /** Stage-wide default: requests per second and burst. */
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** A developer's local dashboard origin; the deployed dashboard is same-origin through CloudFront. */
  readonly devOrigin?: string;
}

/** Admin routes: every method the dashboard uses, but not OPTIONS (see below). */
const ADMIN_METHODS = [
  apigwv2.HttpMethod.GET,
  apigwv2.HttpMethod.POST,
  apigwv2.HttpMethod.PUT,
  apigwv2.HttpMethod.PATCH,
  apigwv2.HttpMethod.DELETE,
];

/** Staff traffic is a handful of people; a tighter limit than the webhooks bounds a stolen token. */
const ADMIN_ROUTE_LIMITS = { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 };

export const WEBHOOK_PATHS = { inbound: '/sms/inbound', status: '/sms/status' } as const;
export const HEALTH_PATH = '/health';

/**
 * The HTTP API. Webhook routes carry no authorizer on purpose: Twilio cannot present a JWT, and the
 * handler checks X-Twilio-Signature (HMAC over the exact public URL) before reading anything. Admin
 * routes all sit behind the Cognito JWT authorizer.
 */
export class BackfillHttpApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BackfillHttpApiProps) {
    super(scope, id);

    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Clinic backfill: Twilio webhooks and the staff admin API',
      // The $default stage is created below with throttling and access logs, which the implicit one lacks.
      createDefaultStage: false,
      corsPreflight: props.devOrigin
        ? {
            allowOrigins: [props.devOrigin],
            allowHeaders: ['authorization', 'content-type'],
            allowMethods: [apigwv2.CorsHttpMethod.ANY],
          }
        : undefined,
    });

    const webhookRoutes = [
      ...this.api.addRoutes({
        path: WEBHOOK_PATHS.inbound,
        methods: [apigwv2.HttpMethod.POST],
        integration: new HttpLambdaIntegration('SmsInbound', props.smsInbound),
      }),
      ...this.api.addRoutes({
        path: WEBHOOK_PATHS.status,
        methods: [apigwv2.HttpMethod.POST],
        integration: new HttpLambdaIntegration('SmsStatus', props.smsStatus),
      }),
    ];

    const healthRoutes = this.api.addRoutes({
      path: HEALTH_PATH,
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpLambdaIntegration('Health', props.health),
    });
    for (const route of healthRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Uptime check: monitors carry no staff token; the handler returns {"ok":true} only, reads no data and its role can reach nothing but its own log group.',
      });
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'Uptime check for machine callers outside the user pool; it returns no data (see AwsSolutions-APIG4).',
      });
    }

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.logKey,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        // No query strings, bodies or phone numbers: the access log must be safe to share with support.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            requestTime: AccessLogField.contextRequestTime(),
            routeKey: AccessLogField.contextRouteKey(),
            status: AccessLogField.contextStatus(),
            sourceIp: AccessLogField.contextIdentitySourceIp(),
            userAgent: AccessLogField.contextIdentityUserAgent(),
            responseLatency: AccessLogField.contextResponseLatency(),
            integrationStatus: AccessLogField.contextIntegrationStatus(),
            integrationError: AccessLogField.contextIntegrationErrorMessage(),
            authorizerError: AccessLogField.contextAuthorizerError(),
            staffSub: AccessLogField.contextAuthorizerClaims('sub'),
          }),
        ),
      },
    });

    for (const route of webhookRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Twilio webhook: Twilio cannot send a bearer token; the handler rejects any request whose X-Twilio-Signature (HMAC-SHA1 with the auth token over the public URL and form parameters) does not verify.',
      });
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'Twilio webhook: a Cognito authorizer cannot apply to a machine caller outside the user pool; the Twilio request signature is the authentication.',
      });
    }
  }

  /**
   * `/admin/{proxy+}` behind the Cognito JWT authorizer. Separate from the constructor because the app
   * client's callback URL is the dashboard's, and the dashboard's CloudFront origin is this API: the
   * order API -> distribution -> client -> admin routes has no cycle.
   */
  addAdminRoutes(props: {
    adminApi: lambda.IFunction;
    userPool: cognito.IUserPool;
    userPoolClient: cognito.IUserPoolClient;
  }): apigwv2.HttpRoute[] {
    // Explicit methods instead of ANY: an ANY route would also match the browser's OPTIONS preflight and
    // answer it 401 from the authorizer; without an OPTIONS route API Gateway answers preflight itself.
    const path = '/admin/{proxy+}';
    const adminRoutes = this.api.addRoutes({
      path,
      methods: ADMIN_METHODS,
      integration: new HttpLambdaIntegration('AdminApi', props.adminApi),
      authorizer: new HttpUserPoolAuthorizer('StaffAuthorizer', props.userPool, {
        userPoolClients: [props.userPoolClient],
      }),
    });
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      ADMIN_METHODS.map((method) => [`${method} ${path}`, ADMIN_ROUTE_LIMITS]),
    );
    // Route settings name route keys; CloudFormation rejects them unless the routes exist first.
    for (const route of adminRoutes) this.stage.node.addDependency(route);
    return adminRoutes;
  }

  /** Full URL of a route on the $default stage, as Twilio must be configured with it. */
  urlFor(path: string): string {
    return `${this.api.apiEndpoint}${path}`;
  }
}
