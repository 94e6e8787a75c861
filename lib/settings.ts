import type { Node } from 'constructs';
import { z } from 'zod';
import { type AppConfig, parseConfig } from '../shared/config.js';

/**
 * Deploy-time settings. Two kinds, both read from CDK context first (`cdk deploy -c BATCH_SIZE=5`) and
 * then from the environment (`BATCH_SIZE=5 cdk deploy`, or a sourced `.env`), under the same
 * SCREAMING_SNAKE names the functions read:
 *
 * - clinic settings: passed to every function as environment variables and validated here with the
 *   functions' own zod schema, so a bad value fails `cdk synth` instead of the first cold start;
 * - deployment settings: shape the infrastructure itself (names, alert e-mail, custom domain).
 */

/** Config names whose value comes from the operator; the stacks compute every other name (TABLE_NAME...). */
export const CLINIC_SETTING_NAMES = [
  'CLINIC_NAME',
  'CLINIC_CONTACT_PHONE',
  'CLINIC_TIME_ZONE',
  'BATCH_SIZE',
  'HOLD_MINUTES',
  'MAX_SLOT_BATCH_SIZE',
  'FIRST_BATCH_DELAY_MINUTES',
  'OFFER_CUTOFF_MINUTES',
  'MIN_NOTICE_MINUTES',
  'CONTACT_HOURS_START',
  'CONTACT_HOURS_END',
  'MAX_OFFERS_PER_PATIENT_PER_DAY',
  'MAX_OFFERS_PER_PATIENT_PER_WEEK',
  'MESSAGE_TTL_DAYS',
  'INACTIVE_ENTRY_TTL_DAYS',
  'MAX_MESSAGES_PER_HOUR',
  'TWILIO_ACCOUNT_SID',
  'TWILIO_MESSAGING_SERVICE_SID',
  'TWILIO_FROM_NUMBER',
  // Only for LocalStack runs against a fake Twilio; empty in a real deployment.
  'TWILIO_API_BASE_URL',
] as const satisfies readonly (keyof AppConfig)[];

export type ClinicSettingName = (typeof CLINIC_SETTING_NAMES)[number];

/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

const deploymentSchema = z
  .object({
    /** Prefix of both stack names, so two clinics (or staging and prod) can share an account. */
    APP_NAME: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,30}$/, 'letters, digits and - only, starting with a letter')
      .default('ClinicBackfill'),
    /** `aws` (default) or `localstack`: LocalStack's free tier lacks HTTP APIs, Cognito and CloudFront. */
    DEPLOY_TARGET: z.enum(['aws', 'localstack']).default('aws'),
    ALERT_EMAIL: optionalText.pipe(z.email().optional()),
    OPS_ALERT_EMAIL: optionalText.pipe(z.email().optional()),
    LOG_RETENTION_DAYS: z.coerce
      .number()
      .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
        message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(365),
    /** Globally unique prefix of the Cognito hosted domain (`<prefix>.auth.<region>.amazoncognito.com`). */
    COGNITO_DOMAIN_PREFIX: optionalText.pipe(
      z
        .string()
        .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and - only')
        .refine((p) => !/aws|amazon|cognito/.test(p), { message: 'Cognito forbids aws, amazon, cognito' })
        .optional(),
    ),
    /** Optional custom domain for the dashboard; needs an ACM certificate in us-east-1. */
    DASHBOARD_DOMAIN_NAME: optionalText,
    DASHBOARD_CERTIFICATE_ARN: optionalText.pipe(
      z
        .string()
        .regex(/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/.+$/, 'must be an ACM ARN in us-east-1')
        .optional(),
    ),
    /** Extra OAuth callback origin for running the dashboard locally against the deployed API. */
    DASHBOARD_DEV_ORIGIN: optionalText.pipe(z.url().optional()),
    API_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(50),
    API_BURST_LIMIT: z.coerce.number().int().min(1).max(5_000).default(100),
  })
  .refine((s) => (s.DASHBOARD_DOMAIN_NAME === undefined) === (s.DASHBOARD_CERTIFICATE_ARN === undefined), {
    message: 'set DASHBOARD_DOMAIN_NAME and DASHBOARD_CERTIFICATE_ARN together',
    path: ['DASHBOARD_DOMAIN_NAME'],
  });

export type DeploymentSettings = z.output<typeof deploymentSchema>;
const DEPLOYMENT_SETTING_NAMES = Object.keys(deploymentSchema.shape) as (keyof DeploymentSettings)[];

export interface Settings {
  /** Validated clinic values as strings, ready to become Lambda environment variables. */
  readonly clinicEnvironment: Readonly<Record<string, string>>;
  readonly deployment: DeploymentSettings;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Reads every setting from context, then environment; throws one error naming every bad value. */
export function readSettings(node: Node, env: Record<string, string | undefined> = process.env): Settings {
  const lookup = (name: string): string | undefined => {
    const fromContext: unknown = node.tryGetContext(name);
    if (fromContext !== undefined && fromContext !== null) return String(fromContext);
    return env[name];
  };

  const rawClinic: Record<string, string> = {};
  for (const name of CLINIC_SETTING_NAMES) {
    const value = lookup(name);
    if (value !== undefined && value !== '') rawClinic[name] = value;
  }
  // TABLE_NAME is the stack's own (bindTable sets it on every function), so it is not checked here.
  let clinic: AppConfig;
  try {
    clinic = parseConfig(rawClinic);
  } catch (error) {
    throw new SettingsError(`Clinic settings: ${(error as Error).message}`);
  }

  const deployment = deploymentSchema.safeParse(
    // Blank means default here too, as .env.example says of every variable.
    Object.fromEntries(DEPLOYMENT_SETTING_NAMES.map((name) => [name, lookup(name)?.trim() || undefined])),
  );
  if (!deployment.success) {
    const problems = deployment.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new SettingsError(`Deployment settings:\n  ${problems.join('\n  ')}`);
  }

  // Defaults resolved by the schema are passed explicitly, so the deployed value is visible in the
  // console and a later change to a schema default cannot silently change a running clinic.
  const clinicEnvironment: Record<string, string> = {};
  for (const name of CLINIC_SETTING_NAMES) {
    const value = clinic[name];
    if (value !== '') clinicEnvironment[name] = String(value);
  }
  return { clinicEnvironment, deployment: deployment.data };
}
