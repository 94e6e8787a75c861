import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** Cognito groups the admin API authorises against (the `cognito:groups` claim). */
export const STAFF_GROUPS = { staff: 'staff', admin: 'admin' } as const;

export interface StaffAuthProps {
  /** Globally unique prefix of the hosted sign-in domain. */
  readonly domainPrefix: string;
}

/**
 * Staff sign-in. The pool holds the clinic's staff accounts and their MFA devices: it is state, so it
 * lives in the stateful stack, retained and deletion-protected. The app client depends on the dashboard
 * URL and is created in the stateless stack with `addDashboardClient`.
 */
export class StaffAuth extends Construct {
  readonly userPool: cognito.UserPool;
  readonly domain: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: StaffAuthProps) {
    super(scope, id);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Staff are invited by an admin (docs/deployment.md); nobody signs themselves up to see patient data.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      // Every account can reach patient names and phone numbers, so MFA is required, by authenticator app:
      // SMS codes would need an SNS role and are the weaker factor.
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    new cognito.UserPoolGroup(this, 'StaffGroup', {
      userPool: this.userPool,
      groupName: STAFF_GROUPS.staff,
      description: 'Front desk: sees the waitlist and slots, cancels and fills appointments',
      precedence: 20,
    });
    new cognito.UserPoolGroup(this, 'AdminGroup', {
      userPool: this.userPool,
      groupName: STAFF_GROUPS.admin,
      description: 'Clinic admin: everything staff can do plus settings, imports and user-facing templates',
      precedence: 10,
    });

    this.domain = this.userPool.addDomain('HostedDomain', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
    });

    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG3',
      reason:
        'Threat protection (advanced security) needs the Cognito Plus plan (about $0.02 per MAU plus a per-pool charge); with self sign-up off, required TOTP MFA and a dozen staff accounts the clinic can enable it later without redeploying code.',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'Same trade-off as AwsSolutions-COG3: the Plus plan is an opt-in cost; Essentials already gives required MFA and managed login.',
    });
  }
}

/**
 * The dashboard's public (secretless) client: authorization code flow only, which browsers must use with
 * PKCE (Cognito verifies the code_verifier whenever the request carried a code_challenge).
 */
export function addDashboardClient(
  scope: Construct,
  id: string,
  userPool: cognito.IUserPool,
  urls: { callbackUrls: string[]; logoutUrls: string[] },
): cognito.UserPoolClient {
  return new cognito.UserPoolClient(scope, id, {
    userPool,
    generateSecret: false,
    authFlows: { user: false, userSrp: false, userPassword: false, adminUserPassword: false, custom: false },
    oAuth: {
      flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
      scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
      callbackUrls: urls.callbackUrls,
      logoutUrls: urls.logoutUrls,
    },
    supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    preventUserExistenceErrors: true,
    enableTokenRevocation: true,
    // A shift-length session: access tokens expire in an hour, refresh ends the working day.
    accessTokenValidity: Duration.hours(1),
    idTokenValidity: Duration.hours(1),
    refreshTokenValidity: Duration.hours(12),
  });
}
