import { IANAZone } from 'luxon';
// zod/mini: the same validation at a twentieth of the bundle size (every function reads this at cold start).
import * as z from 'zod/mini';

/**
 * Every setting the system reads, validated once at cold start. `.env.example` documents each variable;
 * the CDK stack passes the same names to every function, so this schema is the single contract.
 * A blank (or all-whitespace) variable always means its default, as `.env.example` promises, so a copied
 * `.env` with `TABLE_NAME=` runs. A set value that is wrong fails here, naming the variable, instead of
 * reaching an SDK as an empty or malformed name.
 */

/**
 * The table `npm start` uses when TABLE_NAME is blank. A deployed function never falls back to it: the
 * stack always sets TABLE_NAME (BackfillFunction.bindTable), and the role may touch only that table.
 */
export const DEFAULT_TABLE_NAME = 'clinic-backfill-local';

const timeZone = z.string().check(
  z.refine((zone) => IANAZone.isValidZone(zone), {
    message: 'must be an IANA time zone such as America/Chicago',
  }),
);

/** "HH:mm" on a 24-hour clock. */
const clockTime = z
  .string()
  .check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm (24-hour), e.g. 08:00'));

const positiveInt = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .check(
      z.int(`must be a whole number from ${min} to ${max}`),
      z.minimum(min, `must be at least ${min}`),
      z.maximum(max, `must be at most ${max}`),
    );

const booleanFlag = z.pipe(
  z.enum(['true', 'false', '1', '0', '']),
  z.transform((value: '' | '0' | '1' | 'false' | 'true') => value === 'true' || value === '1'),
);

const text = (min = 0, max = 2048) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
    .check(
      z.minLength(min, `must be at least ${min} characters`),
      z.maxLength(max, `must be at most ${max} characters`),
    );
const withDefault = <T extends z.ZodMiniType>(schema: T, value: z.output<T>) =>
  z._default(schema, value as never);

export const configSchema = z
  .object({
    CLINIC_NAME: withDefault(
      z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(24, 'keep it at most 24 characters: it heads every SMS'),
          z.regex(/^[A-Za-z0-9 .&'-]+$/, "letters, digits, spaces and . & ' - only (it must stay GSM-7)"),
        ),
      'Clinic',
    ),
    CLINIC_CONTACT_PHONE: withDefault(text(3, 20), '555-0100'),
    CLINIC_TIME_ZONE: withDefault(timeZone, 'America/Chicago'),
    BATCH_SIZE: withDefault(positiveInt(1, 50), 3),
    HOLD_MINUTES: withDefault(positiveInt(1, 240), 7),
    // The most patients staff may text at once for one slot (each text costs money).
    MAX_SLOT_BATCH_SIZE: withDefault(positiveInt(1, 50), 10),
    FIRST_BATCH_DELAY_MINUTES: withDefault(positiveInt(0, 60), 3),
    OFFER_CUTOFF_MINUTES: withDefault(positiveInt(0, 24 * 60), 120),
    MIN_NOTICE_MINUTES: withDefault(positiveInt(0, 7 * 24 * 60), 120),
    CONTACT_HOURS_START: withDefault(clockTime, '08:00'),
    // "24:00" means "until midnight", for clinics (and tests) that allow texts all evening.
    CONTACT_HOURS_END: withDefault(
      z.string().check(z.regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:mm (24-hour) or 24:00')),
      '20:00',
    ),
    MAX_OFFERS_PER_PATIENT_PER_DAY: withDefault(positiveInt(1, 20), 1),
    MAX_OFFERS_PER_PATIENT_PER_WEEK: withDefault(positiveInt(1, 50), 3),
    MESSAGE_TTL_DAYS: withDefault(positiveInt(1, 3650), 90),
    INACTIVE_ENTRY_TTL_DAYS: withDefault(positiveInt(1, 3650), 180),
    /**
     * Cascading backfill: when a fill is booked in the EHR, the winner's old appointment is logged as a
     * new cancellation (auto), kept for staff's one click (ask), or left alone (off).
     */
    CASCADE_MODE: withDefault(z.enum(['auto', 'ask', 'off']), 'ask'),
    /**
     * Fair rotation: patients whose scores are within this many points count as equals, and the one
     * offered least recently goes first (0 = pure rank order).
     */
    FAIR_ROTATION_BAND: withDefault(positiveInt(0, 40), 5),
    MAX_CASCADE_DEPTH: withDefault(positiveInt(1, 10), 3),
    TABLE_NAME: withDefault(
      text(3, 255).check(
        z.regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits and _ . - only (a DynamoDB table name)'),
      ),
      DEFAULT_TABLE_NAME,
    ),
    SCHEDULE_GROUP_NAME: withDefault(text(1, 64), 'default'),
    SCHEDULER_TARGET_ARN: withDefault(text(), ''),
    SCHEDULER_ROLE_ARN: withDefault(text(), ''),
    SCHEDULER_DLQ_ARN: withDefault(text(), ''),
    PUBLIC_API_URL: withDefault(z.url(), 'http://localhost:3000'),
    /** The durable queue behind Twilio's fallback URL (functions/sms-inbound-fallback); AWS only. */
    INBOUND_QUEUE_URL: withDefault(text(), ''),
    TWILIO_ACCOUNT_SID: withDefault(text(), ''),
    TWILIO_AUTH_TOKEN: withDefault(text(), ''),
    TWILIO_AUTH_TOKEN_SECRET_ARN: withDefault(text(), ''),
    TWILIO_MESSAGING_SERVICE_SID: withDefault(text(), ''),
    TWILIO_FROM_NUMBER: withDefault(text(), ''),
    TWILIO_API_BASE_URL: withDefault(text(), ''),
    MAX_MESSAGES_PER_HOUR: withDefault(positiveInt(1, 100_000), 500),
    DASHBOARD_ORIGIN: withDefault(text(), 'http://localhost:3000'),
    ALERT_TOPIC_ARN: withDefault(text(), ''),
    LOCAL_MODE: withDefault(booleanFlag, false),
    /**
     * Federal and state quiet hours on top of the clinic's window (docs/compliance.md). false only for
     * tests and local demos that run at any hour; not a clinic setting, so no deployment can turn it off.
     */
    LEGAL_QUIET_HOURS: withDefault(booleanFlag, true),
  })
  .check(
    z.refine((c) => c.CONTACT_HOURS_START < c.CONTACT_HOURS_END, {
      message: 'CONTACT_HOURS_START must be before CONTACT_HOURS_END',
      path: ['CONTACT_HOURS_START'],
    }),
    z.refine((c) => c.MAX_OFFERS_PER_PATIENT_PER_DAY <= c.MAX_OFFERS_PER_PATIENT_PER_WEEK, {
      message: 'the daily cap cannot exceed the weekly cap',
      path: ['MAX_OFFERS_PER_PATIENT_PER_DAY'],
    }),
  );

export type AppConfig = z.output<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; throws one error naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  // Blank means "not set", so the schema's default applies: `.env` files list every variable blank.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
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
  /** The largest batch size staff may choose for one slot. */
  maxSlotBatchSize: number;
  firstBatchDelayMinutes: number;
  offerCutoffMinutes: number;
  minNoticeMinutes: number;
  contactHours: { start: string; end: string };
  caps: { perDay: number; perWeek: number };
  messageTtlDays: number;
  inactiveEntryTtlDays: number;
  cascadeMode: 'auto' | 'ask' | 'off';
  fairRotationBand: number;
  maxCascadeDepth: number;
  /** Federal and state quiet hours apply on top of contactHours; absent = true. */
  legalQuietHours?: boolean;
}

export function offerPolicyFrom(config: AppConfig): OfferPolicy {
  return {
    clinicName: config.CLINIC_NAME,
    clinicContactPhone: config.CLINIC_CONTACT_PHONE,
    clinicTimeZone: config.CLINIC_TIME_ZONE,
    batchSize: config.BATCH_SIZE,
    holdMinutes: config.HOLD_MINUTES,
    // Never below the clinic's own batch size: staff can always choose what the clinic uses anyway.
    maxSlotBatchSize: Math.max(config.MAX_SLOT_BATCH_SIZE, config.BATCH_SIZE),
    firstBatchDelayMinutes: config.FIRST_BATCH_DELAY_MINUTES,
    offerCutoffMinutes: config.OFFER_CUTOFF_MINUTES,
    minNoticeMinutes: config.MIN_NOTICE_MINUTES,
    contactHours: { start: config.CONTACT_HOURS_START, end: config.CONTACT_HOURS_END },
    caps: { perDay: config.MAX_OFFERS_PER_PATIENT_PER_DAY, perWeek: config.MAX_OFFERS_PER_PATIENT_PER_WEEK },
    messageTtlDays: config.MESSAGE_TTL_DAYS,
    inactiveEntryTtlDays: config.INACTIVE_ENTRY_TTL_DAYS,
    cascadeMode: config.CASCADE_MODE,
    fairRotationBand: config.FAIR_ROTATION_BAND,
    maxCascadeDepth: config.MAX_CASCADE_DEPTH,
    legalQuietHours: config.LEGAL_QUIET_HOURS,
  };
}
