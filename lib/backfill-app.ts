import { type App, Aws, Tags } from 'aws-cdk-lib';
import { readSettings, type Settings } from './settings.js';
import { StatefulStack } from './stateful-stack.js';
import { StatelessStack } from './stateless-stack.js';

export interface BackfillStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * Both stacks, wired. Shared by bin/app.ts, the tests and the bundle benchmark so they synthesize the
 * same thing. Stacks are environment-agnostic (no `env`): synth needs no credentials or network, and
 * the account and Region come from the CLI profile at deploy time.
 */
export function defineBackfillApp(app: App, settings: Settings = readSettings(app.node)): BackfillStacks {
  const { deployment } = settings;
  const appName = deployment.APP_NAME;
  const onAws = deployment.DEPLOY_TARGET === 'aws';

  const stateful = new StatefulStack(app, `${appName}-Stateful`, {
    description: 'Clinic backfill: table, KMS key, Twilio secret, staff user pool (retained)',
    terminationProtection: onAws,
    // The account id makes the default prefix globally unique without asking the operator for one.
    cognitoDomainPrefix: onAws
      ? (deployment.COGNITO_DOMAIN_PREFIX ?? `${appName.toLowerCase()}-${Aws.ACCOUNT_ID}`)
      : undefined,
  });
  const stateless = new StatelessStack(app, `${appName}-Stateless`, {
    description: 'Clinic backfill: functions, HTTP API, scheduler, dashboard hosting, alarms',
    appName,
    clinicEnvironment: settings.clinicEnvironment,
    deployment,
    table: stateful.table,
    dataKey: stateful.dataKey,
    twilioAuthTokenSecret: stateful.twilioAuthTokenSecret,
    staff: stateful.staffAuth
      ? { userPool: stateful.staffAuth.userPool, domain: stateful.staffAuth.domain }
      : undefined,
  });
  stateless.addStackDependency(stateful);

  Tags.of(app).add('app', 'clinic-backfill');
  Tags.of(app).add('app-instance', appName);
  return { stateful, stateless };
}
