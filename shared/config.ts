import { IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * Every setting the system reads, validated once at cold start. `.env.example` documents each variable;
 * the CDK stack passes the same names to every function, so this schema is the single contract.
 * Required values have no default on purpose: a missing table name must fail loudly, not silently
 * point at a table that does not exist.
 */

const timeZone = z.string().refine((zone) => IANAZone.isValidZone(zone), {
  message: 'must be an IANA time zone such as America/Chicago',
});

/** "HH:mm" on a 24-hour clock. */
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm (24-hour), e.g. 08:00');

const positiveInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const booleanFlag = z
  .enum(['true', 'false', '1', '0', ''])
  .transform((value) => value === 'true' || value === '1');

export const configSchema = z
  .object({
    CLINIC_NAME: z
      .string()
      .min(1)
      .max(24, 'keep it at most 24 characters: it heads every SMS')
      .regex(/^[A-Za-z0-9 .&'-]+$/, "letters, digits, spaces and . & ' - only (it must stay GSM-7)")
      .default('Clinic'),
    CLINIC_CONTACT_PHONE: z.string().min(3).max(20).default('555-0100'),
    CLINIC_TIME_ZONE: timeZone.default('America/Chicago'),
    BATCH_SIZE: positiveInt(1, 50).default(3),
    HOLD_MINUTES: positiveInt(1, 240).default(7),
    FIRST_BATCH_DELAY_MINUTES: positiveInt(0, 60).default(3),
    OFFER_CUTOFF_MINUTES: positiveInt(0, 24 * 60).default(120),
    MIN_NOTICE_MINUTES: positiveInt(0, 7 * 24 * 60).default(120),
    CONTACT_HOURS_START: clockTime.default('08:00'),
    CONTACT_HOURS_END: clockTime.default('20:00'),
    MAX_OFFERS_PER_PATIENT_PER_DAY: positiveInt(1, 20).default(1),
    MAX_OFFERS_PER_PATIENT_PER_WEEK: positiveInt(1, 50).default(3),
    MESSAGE_TTL_DAYS: positiveInt(1, 3650).default(90),
    INACTIVE_ENTRY_TTL_DAYS: positiveInt(1, 3650).default(180),
    TABLE_NAME: z.string().min(3),
    SCHEDULE_GROUP_NAME: z.string().min(1).max(64).default('default'),
    SCHEDULER_TARGET_ARN: z.string().default(''),
    SCHEDULER_ROLE_ARN: z.string().default(''),
    SCHEDULER_DLQ_ARN: z.string().default(''),
    PUBLIC_API_URL: z.url().default('http://localhost:3000'),
    TWILIO_ACCOUNT_SID: z.string().default(''),
    TWILIO_AUTH_TOKEN: z.string().default(''),
    TWILIO_AUTH_TOKEN_SECRET_ARN: z.string().default(''),
    TWILIO_MESSAGING_SERVICE_SID: z.string().default(''),
    TWILIO_FROM_NUMBER: z.string().default(''),
    TWILIO_API_BASE_URL: z.string().default(''),
    MAX_MESSAGES_PER_HOUR: positiveInt(1, 100_000).default(500),
    DASHBOARD_ORIGIN: z.string().default('http://localhost:5173'),
    LOCAL_MODE: booleanFlag.default(false),
  })
  .refine((c) => c.CONTACT_HOURS_START < c.CONTACT_HOURS_END, {
    message: 'CONTACT_HOURS_START must be before CONTACT_HOURS_END',
    path: ['CONTACT_HOURS_START'],
  })
  .refine((c) => c.MAX_OFFERS_PER_PATIENT_PER_DAY <= c.MAX_OFFERS_PER_PATIENT_PER_WEEK, {
    message: 'the daily cap cannot exceed the weekly cap',
    path: ['MAX_OFFERS_PER_PATIENT_PER_DAY'],
  });

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; throws one error naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  // Empty strings mean "not set" for optional values, so `.env` files can list a variable blank.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

let cached: AppConfig | undefined;

/** The process-wide configuration, read from `process.env` on first use (cold start) and cached. */
export function loadConfig(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Engine-facing subset of the config, so the domain never sees env-var names. */
export interface OfferPolicy {
  clinicName: string;
  clinicContactPhone: string;
  clinicTimeZone: string;
  batchSize: number;
  holdMinutes: number;
  firstBatchDelayMinutes: number;
  offerCutoffMinutes: number;
  minNoticeMinutes: number;
  contactHours: { start: string; end: string };
  caps: { perDay: number; perWeek: number };
  messageTtlDays: number;
  inactiveEntryTtlDays: number;
}

export function offerPolicyFrom(config: AppConfig): OfferPolicy {
  return {
    clinicName: config.CLINIC_NAME,
    clinicContactPhone: config.CLINIC_CONTACT_PHONE,
    clinicTimeZone: config.CLINIC_TIME_ZONE,
    batchSize: config.BATCH_SIZE,
    holdMinutes: config.HOLD_MINUTES,
    firstBatchDelayMinutes: config.FIRST_BATCH_DELAY_MINUTES,
    offerCutoffMinutes: config.OFFER_CUTOFF_MINUTES,
    minNoticeMinutes: config.MIN_NOTICE_MINUTES,
    contactHours: { start: config.CONTACT_HOURS_START, end: config.CONTACT_HOURS_END },
    caps: { perDay: config.MAX_OFFERS_PER_PATIENT_PER_DAY, perWeek: config.MAX_OFFERS_PER_PATIENT_PER_WEEK },
    messageTtlDays: config.MESSAGE_TTL_DAYS,
    inactiveEntryTtlDays: config.INACTIVE_ENTRY_TTL_DAYS,
  };
}
