import { existsSync } from 'node:fs';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { REPO_ROOT } from './backfill-function.js';

export const DASHBOARD_DIST = `${REPO_ROOT}dashboard/dist`;

export interface DashboardHostingProps {
  /** API id of the HTTP API; `/admin/*` is served from it through the same CloudFront origin. */
  readonly apiId: string;
  /** Cognito hosted domain base URL: the only third-party origin the dashboard may talk to. */
  readonly authBaseUrl: string;
  readonly customDomain?: { domainName: string; certificateArn: string };
}

/**
 * Staff dashboard: private S3 bucket behind CloudFront with origin access control. `/admin/*` is routed
 * to the HTTP API through the same distribution, so the browser sees one origin: no CORS, a CSP whose
 * connect-src is 'self' plus the sign-in domain, and no dependency cycle between the API's CORS origin
 * and the distribution's headers policy.
 */
export class DashboardHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** `https://<domain>` with no trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);

    this.logBucket = new s3.Bucket(this, 'LogBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      // CloudFront standard logging still writes with an ACL grant.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    });
    this.bucket = new s3.Bucket(this, 'SiteBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
    });

    const csp = [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      "manifest-src 'self'",
      // The SPA exchanges the authorization code and refreshes tokens with fetch to the hosted domain, and
      // oidc-client-ts reads the user pool's discovery document and keys from cognito-idp.
      `connect-src 'self' ${props.authBaseUrl} https://cognito-idp.${Stack.of(this).region}.amazonaws.com`,
      `form-action 'self' ${props.authBaseUrl}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
      'upgrade-insecure-requests',
    ].join('; ');
    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Clinic backfill dashboard: strict CSP, HSTS, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // Patient-bearing URLs (/slots/<id>) must not leak to any other site.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        xssProtection: { protection: false, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          {
            header: 'Permissions-Policy',
            value: 'camera=(), microphone=(), geolocation=(), payment=()',
            override: true,
          },
        ],
      },
    });

    // Client-side routes (/slots/123) have no object in S3; rewrite them to index.html at the edge. A
    // distribution-wide 404 -> index.html error response would also rewrite the API's own 404s.
    const spaRewrite = new cloudfront.Function(this, 'SpaRewrite', {
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Serve index.html for client-side routes',
      code: cloudfront.FunctionCode.fromInline(
        "function handler(event) { var r = event.request; if (r.uri.indexOf('.') === -1) { r.uri = '/index.html'; } return r; }",
      ),
    });

    const stack = Stack.of(this);
    const apiOrigin = new origins.HttpOrigin(
      `${props.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`,
      {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      },
    );

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Clinic backfill staff dashboard',
      defaultRootObject: 'index.html',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // Only a custom certificate can carry a security policy; *.cloudfront.net is fixed by CloudFront.
      minimumProtocolVersion: props.customDomain
        ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021
        : undefined,
      domainNames: props.customDomain ? [props.customDomain.domainName] : undefined,
      certificate: props.customDomain
        ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn)
        : undefined,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        functionAssociations: [
          { function: spaRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
        compress: true,
      },
      additionalBehaviors: {
        '/admin/*': {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          // Per-user JSON: never cached; the Authorization header must reach the JWT authorizer.
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.responseHeadersPolicy,
        },
      },
    });
    this.url = `https://${props.customDomain?.domainName ?? this.distribution.distributionDomainName}`;

    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging it into itself would loop.',
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'HIPAA.Security-S3BucketLoggingEnabled',
      reason: 'This is the access-log bucket itself; logging it into itself would loop.',
    });
    for (const bucket of [this.bucket, this.logBucket]) {
      Validations.of(bucket).acknowledge({
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason:
          'Holds the rebuildable dashboard bundle or access logs, no patient data; the source of truth is the repository, so cross-Region replication would only add cost.',
      });
      Validations.of(bucket).acknowledge({
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason:
          'No patient data is stored here (static assets and access logs); SSE-S3 avoids granting CloudFront and the log delivery service use of the patient-data KMS key.',
      });
    }
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'Staff sign in from wherever the clinic works (home, satellite offices, travel); Cognito MFA protects access, so a country allow-list would only lock staff out.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'WAF costs at least ~$6/month per web ACL for a handful of staff users; every non-static path requires a Cognito JWT and the API stage is throttled. Attach a web ACL here if the clinic wants one.',
    });
    if (!props.customDomain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without DASHBOARD_DOMAIN_NAME/DASHBOARD_CERTIFICATE_ARN the distribution uses the *.cloudfront.net certificate, for which CloudFront fixes the policy; set both to get TLSv1.2_2021 (docs/deployment.md).',
      });
    }
  }

  /**
   * Uploads the built dashboard (or a placeholder when `dashboard/dist` has not been built) and the
   * runtime config.json the SPA reads at start-up, so one build serves every deployment.
   *
   * Caching replaces invalidation: Vite's hashed `assets/*` are immutable, everything else (index.html,
   * config.json) is `no-cache`, so a deploy is visible at once without a CloudFront invalidation, and
   * the deployment role needs no `cloudfront:CreateInvalidation` on `*` (that action has no resource
   * scoping in the CDK construct).
   */
  deployContent(
    runtimeConfig: Record<string, unknown>,
    options: { logKey: kms.IKey; logRetentionDays: number },
  ): void {
    // One role and one encrypted log group for the shared deployment handler (a singleton function), so
    // it gets neither AWSLambdaBasicExecutionRole nor an unencrypted log group.
    const logGroup = new logs.LogGroup(this, 'DeploymentLogs', {
      retention: options.logRetentionDays as logs.RetentionDays,
      encryptionKey: options.logKey,
    });
    const role = new iam.Role(this, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the dashboard build and config.json into the site bucket at deploy time',
    });
    logGroup.grantWrite(role);
    const common = { destinationBucket: this.bucket, role, logGroup };

    const built = existsSync(DASHBOARD_DIST);
    const site = built
      ? s3deploy.Source.asset(DASHBOARD_DIST)
      : s3deploy.Source.data(
          'index.html',
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clinic backfill</title></head><body><p>The dashboard has not been built yet: build it, then deploy again.</p></body></html>',
        );
    if (built) {
      new s3deploy.BucketDeployment(this, 'DeployAssets', {
        ...common,
        sources: [site],
        exclude: ['*'],
        include: ['assets/*'],
        // Old hashed files stay so a browser still running the previous build can finish loading it.
        prune: false,
        cacheControl: [s3deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
      });
    }
    new s3deploy.BucketDeployment(this, 'DeployShell', {
      ...common,
      sources: [site],
      // Excluded paths are neither uploaded nor pruned: assets/* and config.json belong to the others.
      exclude: ['assets/*', 'config.json'],
      cacheControl: [s3deploy.CacheControl.noCache()],
    });
    new s3deploy.BucketDeployment(this, 'DeployRuntimeConfig', {
      ...common,
      sources: [s3deploy.Source.jsonData('config.json', runtimeConfig)],
      prune: false,
      cacheControl: [s3deploy.CacheControl.noCache()],
    });

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      reason: "BucketDeployment grant: read of the CDK asset bucket holding this stack's dashboard zip.",
    });
    for (const action of ['s3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*']) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `BucketDeployment grant (${action}): sync with --delete into the one site bucket and read of the asset bucket; CDK generates the action list.`,
      });
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      reason:
        'Asset zips have content-hash names unknown until synth; the bootstrap asset bucket holds only deploy artefacts.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
      reason: 'The deployment writes every object of the site bucket (and only that bucket).',
    });
    const handler = Stack.of(this).node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (handler) {
      const why = (rule: string, reason: string) => Validations.of(handler).acknowledge({ id: rule, reason });
      why(
        'AwsSolutions-L1',
        'CDK owns the BucketDeployment handler runtime (Python, bundled with the AWS CLI); it runs only during deploys.',
      );
      why(
        'HIPAA.Security-LambdaConcurrency',
        'Deploy-time custom resource invoked by CloudFormation once per deploy; no traffic to limit.',
      );
      why(
        'HIPAA.Security-LambdaDLQ',
        'Invoked synchronously by CloudFormation, which reports a failure as a failed deploy.',
      );
      why(
        'HIPAA.Security-LambdaInsideVPC',
        'Copies static dashboard files between two S3 buckets at deploy time; no patient data, no private resource.',
      );
    }
  }
}
