import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { IANAZone } from 'luxon';
// zod/mini: the same validation as classic zod at a fraction of the bundle (no locale files).
import * as z from 'zod/mini';
import type { OfferPolicy } from '../config.js';
import { WEEKDAYS, windowProblem } from '../domain/availability.js';
import { clipToSeptets, toGsm7 } from '../domain/gsm7.js';
import {
  type ConsentChange,
  type ConsentState,
  type InboxReason,
  LANGUAGES,
  type Language,
  type Location,
  type MessageDirection,
  type OfferState,
  type ProviderType,
  type Slot,
  type SlotStatus,
  type WaitlistEntry,
} from '../domain/model.js';
import { US_AREA_CODES } from '../domain/quiet-hours/nanp-area-codes.js';
import type { ScoreBreakdown } from '../domain/ranking.js';
import { FIELD_LIMITS, type LimitedField } from '../domain/templates.js';
import type { VisitType } from '../domain/visit-type.js';

/**
 * The admin API's contract: every route, the role it needs, and the zod schema of each body, query and
 * path. The router, the auth tests and docs/admin-api.md are all generated from ADMIN_ROUTES, so a route
 * cannot exist in one and be missing from another. The dashboard imports the response types from here.
 *
 * Conventions:
 * - JSON in and out (except CSV import/export). Bodies are strict: an unknown field is a 400, so a typo
 *   in the dashboard fails loudly instead of being ignored.
 * - Every error has one shape, `ErrorBody`. Lists return `{ items, cursor }`; pass `cursor` back to get
 *   the next page (it is opaque; a cursor that was not produced by the API is a 400).
 * - Strings are trimmed, bounded, and free of control characters. Markup is NOT escaped: the API stores
 *   text, and the dashboard renders text.
 */

// ---------------------------------------------------------------------------------------------------
// Building blocks

/**
 * Controls, line/paragraph separators and invisible format characters (zero-width spaces, right-to-left
 * overrides: they make a name display as something else). Newlines and tabs are allowed only in
 * multi-line fields (notes).
 */
const CONTROL_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const hasControlExceptNewlines = (value: string) => CONTROL_CHARACTERS.test(value.replace(/[\n\r\t]/g, ' '));

/**
 * zod/mini ships no locale: a message nobody wrote falls back to "Invalid input". The one such message
 * a client can meet, a JSON value of the wrong type where an object or a list belongs, keeps the words
 * classic zod's English locale gave it. Every other issue has its own message below.
 */
const wrongType = (expected: 'object' | 'array' | 'string') => ({
  error: (issue: z.core.$ZodRawIssue) => {
    if (issue.code !== 'invalid_type') return undefined;
    const type = z.util.parsedType(issue.input);
    const received =
      type === 'nan'
        ? 'NaN'
        : type === 'number' && !Number.isFinite(issue.input)
          ? String(issue.input)
          : type;
    return `Invalid input: expected ${expected}, received ${received}`;
  },
});
/** Options for every object schema (a body that is an array, a string or null is a 400 that says so). */
export const OBJECT = wrongType('object');
/** Options for every list schema. */
export const ARRAY = wrongType('array');

/**
 * A lone UTF-16 surrogate (half of an emoji, "\ud83d" in JSON) is not a character: it cannot be encoded
 * as UTF-8, so it would be stored as U+FFFD or break the CSV export and the SMS. U+FFFD itself is what is
 * left of bytes that were not UTF-8 (a CSV saved as Latin-1): the text has already lost a character.
 * Every free-text field refuses both.
 */
export const BROKEN_TEXT_MESSAGE =
  'must not contain broken characters (half of an emoji or symbol, or text not saved as UTF-8)';
export const isWellFormedText = (value: string): boolean =>
  // ES2024's String.prototype.isWellFormed (Node 20+); the project's TypeScript lib predates it.
  (value as string & { isWellFormed(): boolean }).isWellFormed() && !value.includes('\uFFFD');
const wellFormed = () => z.refine<string>(isWellFormedText, BROKEN_TEXT_MESSAGE);

/** A single-line, trimmed, non-empty string of at most `max` characters. */
export const text = (max: number) =>
  z.string({ error: 'must be a string' }).check(
    z.trim(),
    z.minLength(1, 'must not be empty'),
    z.maxLength(max, `must be at most ${max} characters`),
    wellFormed(),
    z.refine((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters'),
  );

/** Free text that may span lines (notes). */
export const multilineText = (max: number) =>
  z.string({ error: 'must be a string' }).check(
    z.trim(),
    z.minLength(1, 'must not be empty'),
    z.maxLength(max, `must be at most ${max} characters`),
    wellFormed(),
    z.refine((value) => !hasControlExceptNewlines(value), 'must not contain control characters'),
  );

/**
 * A value rendered into an SMS: bounded by the template budget (FIELD_LIMITS) in GSM-7 septets, because a
 * "[" or "€" costs two and the templates are proven to fit one segment only up to these limits.
 */
export const smsField = (field: LimitedField) =>
  text(FIELD_LIMITS[field]).check(
    z.refine(
      (value) => clipToSeptets(toGsm7(value), FIELD_LIMITS[field]) === toGsm7(value),
      `must fit ${FIELD_LIMITS[field]} SMS characters (some symbols count twice)`,
    ),
  );

/** Ids in paths and references: ULIDs or readable slugs such as "prov-lee". */
export const idSchema = z
  .string({ error: 'must be a string' })
  .check(
    z.trim(),
    z.minLength(1, 'must not be empty'),
    z.maxLength(64, 'must be at most 64 characters'),
    z.regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, - and _'),
  );

/**
 * Every date and date-time the API accepts lies in 2000-01-01 .. 2100-12-31 (UTC for date-times, the
 * calendar day for dates). Outside it a date is a typo ("0000-01-01", "9999-12-31"), and the index keys
 * built from it stop sorting as instants (year 10000 is "+010000-…"), so a query's range turns inside out.
 */
export const DATE_RANGE = { min: '2000-01-01', max: '2100-12-31' } as const;
const DATE_TIME_MIN = Date.parse(`${DATE_RANGE.min}T00:00:00.000Z`);
const DATE_TIME_MAX = Date.parse(`${DATE_RANGE.max}T23:59:59.999Z`);

/** ISO-8601 date-time with a zone (Z or an offset), normalised to UTC `toISOString()` form. */
export const isoDateTime = z.pipe(
  z.pipe(
    z.string({ error: 'must be a string' }).check(z.trim(), z.maxLength(40, 'must be at most 40 characters')),
    z.iso.datetime({
      offset: true,
      error: 'must be an ISO date-time with a zone, e.g. 2026-12-01T15:30:00Z',
    }),
  ),
  z.pipe(
    z.transform((value: string) => new Date(value).toISOString()),
    z
      .string()
      .check(
        z.refine(
          (value) => Date.parse(value) >= DATE_TIME_MIN && Date.parse(value) <= DATE_TIME_MAX,
          `must be between ${DATE_RANGE.min} and ${DATE_RANGE.max}`,
        ),
      ),
  ),
);

/** A calendar day, "YYYY-MM-DD". */
export const isoDate = z.pipe(
  z.string({ error: 'must be a string' }).check(z.trim()),
  z.iso
    .date({ error: 'must be a date, YYYY-MM-DD' })
    .check(
      z.refine(
        (value) => value >= DATE_RANGE.min && value <= DATE_RANGE.max,
        `must be a date from ${DATE_RANGE.min} to ${DATE_RANGE.max}`,
      ),
    ),
);

/**
 * IANA zones that ICU (and so Node's Intl) still files under their pre-rename names; the tz database's
 * canonical name is the value. Each key is an alias IANA keeps only for old data ("backward").
 */
const RENAMED_ZONES: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

/**
 * The canonical IANA zones: ICU's list of canonical zones (`Intl.supportedValuesOf`, one per region)
 * under their tz database names, plus UTC. Links kept for old data (`US/Pacific`, `US/Pacific-New`,
 * `EST5EDT`, `Asia/Calcutta`), offsets (`+05:00`) and `Etc/GMT+5` are not in it.
 */
export const CANONICAL_TIME_ZONES: ReadonlySet<string> = new Set([
  'UTC',
  ...Intl.supportedValuesOf('timeZone').map((zone) => RENAMED_ZONES[zone] ?? zone),
]);

/** The canonical name of a zone Intl knows (an alias resolves to its zone), or undefined. */
function canonicalZone(zone: string): string | undefined {
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    const canonical = RENAMED_ZONES[resolved] ?? resolved;
    return CANONICAL_TIME_ZONES.has(canonical) ? canonical : undefined;
  } catch {
    return undefined;
  }
}

export const timeZoneSchema = z.string({ error: 'must be a string' }).check(
  z.trim(),
  z.maxLength(64, 'must be at most 64 characters'),
  z.check((ctx) => {
    const zone = ctx.value;
    if (CANONICAL_TIME_ZONES.has(zone) && IANAZone.isValidZone(zone)) return;
    const fail = (message: string) => {
      ctx.issues.push({ code: 'custom', message, input: zone });
    };
    if (/^(?:UTC|GMT)?\s*[+-]\d/i.test(zone)) {
      return fail('must be a named IANA time zone such as America/Chicago, not a UTC offset');
    }
    const canonical = canonicalZone(zone);
    if (canonical) return fail(`is an old or alias name for a time zone: use ${canonical}`);
    return fail('must be an IANA time zone such as America/Chicago');
  }),
);

/** Any way staff type a number; stored as E.164. US is assumed when no country code is given. */
export const phoneSchema = z.pipe(
  z
    .string({ error: 'must be a string' })
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(32, 'must be at most 32 characters'),
      wellFormed(),
    ),
  z.transform((value: string, ctx) => {
    // zod/mini's transform context has no addIssue(): an issue is pushed as the raw issue it would build.
    const fail = (message: string) => {
      ctx.issues.push({ code: 'custom', message, input: value });
      return z.NEVER;
    };
    const parsed = parsePhoneNumberFromString(value, 'US');
    if (!parsed?.isValid()) return fail('is not a valid phone number');
    // The consent, quiet-hours and carrier rules this system follows are the US/Canadian ones, and a
    // premium-rate number must never be texted (toll fraud).
    if (parsed.countryCallingCode !== '1' || !['US', 'CA', undefined].includes(parsed.country)) {
      return fail('must be a US or Canadian mobile number');
    }
    if (/^(900|976)/.test(parsed.nationalNumber)) return fail('is a premium-rate number');
    return parsed.number as string;
  }),
);

export const PROVIDER_TYPES = ['MD/DO', 'APP'] as const satisfies readonly ProviderType[];
export const SLOT_STATUSES = [
  'OPEN',
  'FILLED',
  'EXPIRED',
  'WITHDRAWN',
] as const satisfies readonly SlotStatus[];
export const CONSENT_STATES = ['OPTED_IN', 'OPTED_OUT'] as const satisfies readonly ConsentState[];

/** The language a patient is texted in. */
export const languageSchema = z.enum(LANGUAGES, { error: 'must be en (English) or es (Spanish)' });
export const CONSENT_SOURCES = ['VERBAL', 'WRITTEN', 'PORTAL'] as const;
export const MESSAGE_DIRECTIONS = ['OUTBOUND', 'INBOUND'] as const satisfies readonly MessageDirection[];

export const visitTypeSchema = text(40);

const cursorSchema = z
  .string({ error: 'must be a string' })
  .check(z.maxLength(2048, 'is too long'), z.regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor this API produced'));

const limitSchema = z._default(
  z.coerce
    .number({ error: 'must be a number' })
    .check(
      z.int('must be a whole number'),
      z.minimum(1, 'must be at least 1'),
      z.maximum(100, 'must be at most 100'),
    ),
  25,
);

const queryBoolean = z.pipe(
  z.enum(['true', 'false'], { error: 'must be true or false' }),
  z.transform((v: 'true' | 'false') => v === 'true'),
);

const page = { cursor: z.optional(cursorSchema), limit: limitSchema };

/** A list of at most 20 ids (preferences). */
const idList = () => z._default(z.array(idSchema, ARRAY).check(z.maxLength(20, 'at most 20')), []);

export const preferencesSchema = z.strictObject(
  {
    providerIds: idList(),
    providerTypes: z._default(
      z
        .array(z.enum(PROVIDER_TYPES, { error: 'must be MD/DO or APP' }), ARRAY)
        // Classic zod's English message, kept word for word (zod/mini has none). The check also runs on a
        // string sent in place of the list, after its "expected array" issue.
        .check(
          z.maxLength(2, {
            error: (issue) =>
              `Too big: expected ${issue.origin} to have <=2 ${issue.origin === 'string' ? 'characters' : 'items'}`,
          }),
        ),
      [],
    ),
    locationIds: idList(),
    visitTypes: z._default(z.array(visitTypeSchema, ARRAY).check(z.maxLength(20, 'at most 20')), []),
  },
  OBJECT,
);

const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** When the patient can come: windows of weekdays and/or "HH:MM" ranges in the clinic's zone; [] = any. */
export const availabilitySchema = z
  .array(
    z
      .strictObject(
        {
          days: z._default(
            z
              .array(z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(', ')}` }), ARRAY)
              .check(z.maxLength(7, 'at most 7')),
            [],
          ),
          from: z.optional(
            z.string({ error: 'must be a time' }).check(z.regex(CLOCK_TIME, 'must be HH:MM (24 h)')),
          ),
          to: z.optional(
            z.string({ error: 'must be a time' }).check(z.regex(CLOCK_TIME, 'must be HH:MM (24 h)')),
          ),
        },
        OBJECT,
      )
      .check(
        z.superRefine((w, ctx) => {
          const problem = windowProblem(w);
          if (problem) ctx.addIssue({ code: 'custom', message: problem, input: w });
        }),
      ),
    ARRAY,
  )
  .check(z.maxLength(14, 'at most 14 windows'));

const boostSchema = z
  .number({ error: 'must be a number' })
  .check(z.int('must be a whole number'), z.minimum(0, 'must be 0-40'), z.maximum(40, 'must be 0-40'));

// ---------------------------------------------------------------------------------------------------
// Requests

export const slotIdParams = z.object({ slotId: idSchema }, OBJECT);
export const entryParams = z.object({ patientId: idSchema, entryId: idSchema }, OBJECT);
export const patientParams = z.object({ patientId: idSchema }, OBJECT);
export const providerParams = z.object({ providerId: idSchema }, OBJECT);
export const locationParams = z.object({ locationId: idSchema }, OBJECT);

export const createSlotBody = z.strictObject(
  {
    providerId: idSchema,
    locationId: idSchema,
    startAt: isoDateTime,
    durationMinutes: z
      .number({ error: 'must be a number' })
      .check(z.int('must be a whole number'), z.minimum(5, 'must be 5-480'), z.maximum(480, 'must be 5-480')),
    visitType: visitTypeSchema,
    /** This slot's batch size and hold (same bounds as the clinic's settings); omitted = those settings. */
    batchSize: z.optional(
      z
        .number({ error: 'must be a number' })
        .check(z.int('must be a whole number'), z.minimum(1, 'must be 1-50'), z.maximum(50, 'must be 1-50')),
    ),
    holdMinutes: z.optional(
      z
        .number({ error: 'must be a number' })
        .check(
          z.int('must be a whole number'),
          z.minimum(3, 'must be 3-240'),
          z.maximum(240, 'must be 3-240'),
        ),
    ),
  },
  OBJECT,
);

/** Staff fixing a cancellation while its first batch waits: any of the fields a new one takes. */
export const updateSlotBody = z
  .strictObject(
    {
      providerId: z.optional(createSlotBody.shape.providerId),
      locationId: z.optional(createSlotBody.shape.locationId),
      startAt: z.optional(createSlotBody.shape.startAt),
      durationMinutes: z.optional(createSlotBody.shape.durationMinutes),
      visitType: z.optional(createSlotBody.shape.visitType),
      batchSize: createSlotBody.shape.batchSize,
      holdMinutes: createSlotBody.shape.holdMinutes,
    },
    OBJECT,
  )
  .check(z.refine((body) => Object.keys(body).length > 0, { message: 'send at least one field to change' }));

/**
 * A date or a date-time. When neither fits, the message is the one of the form the value looks like
 * ("9999-12-31" is told the date range, not that it is not a date-time).
 */
const dateOrDateTime = () =>
  z.optional(
    z.union([isoDate, isoDateTime], {
      error: (issue) => {
        if (issue.code !== 'invalid_union') return undefined;
        const looksLikeDate = typeof issue.input === 'string' && /^\s*\d{4}-\d\d-\d\d\s*$/.test(issue.input);
        const branch = issue.errors[looksLikeDate ? 0 : 1]?.[0];
        return branch && (looksLikeDate || /^\s*\d{4}-\d\d-\d\dT/.test(String(issue.input)))
          ? branch.message
          : 'must be a date or an ISO date-time';
      },
    }),
  );

export const listSlotsQuery = z.object(
  {
    status: z._default(
      z.enum(SLOT_STATUSES, { error: 'must be OPEN, FILLED, EXPIRED or WITHDRAWN' }),
      'OPEN',
    ),
    /** Slot start at or after (a date is read as the clinic's midnight). */
    from: dateOrDateTime(),
    /** Slot start before (a date is read as the end of that clinic day). */
    to: dateOrDateTime(),
    ...page,
  },
  OBJECT,
);

/** Withdraw and "booked in EHR" take no fields; an empty or absent body is fine. */
export const emptyBody = z.strictObject({}, OBJECT);

export const listWaitlistQuery = z.object(
  {
    providerType: z.optional(z.enum(PROVIDER_TYPES, { error: 'must be MD/DO or APP' })),
    locationId: z.optional(idSchema),
    urgent: z.optional(queryBoolean),
    ...page,
  },
  OBJECT,
);

/** A US state, DC or territory as its two-letter USPS code (whose quiet hours apply); any case. */
export const usStateSchema = z
  .pipe(
    z.string({ error: 'must be a two-letter US state code' }),
    z.transform((value: string) => value.trim().toUpperCase()),
  )
  .check(
    z.refine((code: string) => Object.hasOwn(US_AREA_CODES, code), {
      message: 'must be a two-letter US state code (USPS), e.g. FL',
    }),
  );

export const newPatientSchema = z.strictObject(
  {
    phone: phoneSchema,
    /** First or preferred name: the only name an SMS may carry. */
    displayName: smsField('firstName'),
    familyName: z.optional(text(60)),
    timeZone: z.optional(timeZoneSchema),
    /** Whose quiet hours apply; absent = from the phone's area code. */
    state: z.optional(usStateSchema),
    /** Texts go out in this language; default English. */
    language: z.optional(languageSchema),
    consentSource: z.enum(CONSENT_SOURCES, { error: 'must be VERBAL, WRITTEN or PORTAL' }),
    sendWelcome: z._default(z.boolean({ error: 'must be true or false' }), false),
  },
  OBJECT,
);

/** The appointment the patient holds today (where and what), so a move earlier can free it. */
export const appointmentDetailsSchema = z.strictObject(
  {
    providerId: idSchema,
    locationId: idSchema,
    visitType: visitTypeSchema,
    durationMinutes: z
      .number({ error: 'must be a number' })
      .check(z.int('must be a whole number'), z.minimum(5, 'must be 5-480'), z.maximum(480, 'must be 5-480')),
  },
  OBJECT,
);

export const newEntrySchema = z
  .strictObject(
    {
      urgent: z._default(z.boolean({ error: 'must be true or false' }), false),
      boost: z._default(boostSchema, 0),
      boostReason: z.optional(text(200)),
      preferences: z._default(preferencesSchema, {
        providerIds: [],
        providerTypes: [],
        locationIds: [],
        visitTypes: [],
      }),
      currentAppointmentAt: z.optional(isoDateTime),
      currentAppointment: z.optional(appointmentDetailsSchema),
      availability: z.optional(availabilitySchema),
      notes: z.optional(multilineText(500)),
    },
    OBJECT,
  )
  .check(
    z.refine((entry) => entry.boost === 0 || entry.boostReason !== undefined, {
      message: 'is required when boost is above 0',
      path: ['boostReason'],
    }),
  );

export const createWaitlistBody = z.strictObject(
  { patient: newPatientSchema, entry: newEntrySchema },
  OBJECT,
);

export const updateEntryBody = z
  .strictObject(
    {
      urgent: z.optional(z.boolean({ error: 'must be true or false' })),
      preferences: z.optional(preferencesSchema),
      /** null clears it (the patient no longer holds an appointment). */
      currentAppointmentAt: z.optional(z.nullable(isoDateTime)),
      currentAppointment: z.optional(z.nullable(appointmentDetailsSchema)),
      /** null or [] = any time. */
      availability: z.optional(z.nullable(availabilitySchema)),
      notes: z.optional(z.nullable(multilineText(500))),
    },
    OBJECT,
  )
  .check(z.refine((body) => Object.keys(body).length > 0, { message: 'send at least one field to change' }));

export const boostBody = z.strictObject({ boost: boostSchema, reason: text(200) }, OBJECT);

export const deactivateBody = z.strictObject({ reason: text(200) }, OBJECT);

export const patientQuery = z.object({ reveal: z._default(queryBoolean, false) }, OBJECT);

/**
 * Staff correcting a patient's details. `null` clears an optional field (family name, own time zone).
 * The phone is not editable here: a new number is a new consent, so the patient is added again.
 */
export const updatePatientBody = z
  .strictObject(
    {
      displayName: z.optional(smsField('firstName')),
      familyName: z.optional(z.nullable(text(60))),
      timeZone: z.optional(z.nullable(timeZoneSchema)),
      state: z.optional(z.nullable(usStateSchema)),
      language: z.optional(languageSchema),
      /** Staff lift a patient's PAUSE (only null: a pause is the patient's own choice to make). */
      pausedUntil: z.optional(z.null({ error: 'can only be null (lifts the pause)' })),
    },
    OBJECT,
  )
  .check(z.refine((body) => Object.keys(body).length > 0, { message: 'send at least one field to change' }));

export const nextBatchBody = z.strictObject(
  {
    afterBatch: z
      .number({ error: 'must be the batch number on screen' })
      // 0 = the first batch now, skipping what is left of the edit delay.
      .check(z.int('must be a whole number'), z.minimum(0, 'must be 0 or more')),
  },
  OBJECT,
);

export const consentBody = z.strictObject(
  {
    state: z.enum(CONSENT_STATES, { error: 'must be OPTED_IN or OPTED_OUT' }),
    note: text(300),
  },
  OBJECT,
);

const slugIdSchema = z
  .string({ error: 'must be a string' })
  .check(
    z.trim(),
    z.minLength(2, 'must be at least 2 characters'),
    z.maxLength(40, 'must be at most 40 characters'),
    z.regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and - only'),
  );

const providerFields = {
  displayName: smsField('providerName'),
  providerType: z.enum(PROVIDER_TYPES, { error: 'must be MD/DO or APP' }),
  locationIds: z._default(z.array(idSchema, ARRAY).check(z.maxLength(50, 'at most 50')), []),
};

/** Retire (true) or reinstate (false); omitted leaves it as it is, so an edit never undoes either. */
const retiredField = z.optional(z.boolean({ error: 'must be true or false' }));

export const createProviderBody = z.strictObject(
  { providerId: z.optional(slugIdSchema), ...providerFields },
  OBJECT,
);
export const updateProviderBody = z.strictObject({ ...providerFields, retired: retiredField }, OBJECT);

const visitTypeFields = {
  name: visitTypeSchema,
  durationMinutes: z
    .number({ error: 'must be a number' })
    .check(z.int('must be a whole number'), z.minimum(5, 'must be 5-480'), z.maximum(480, 'must be 5-480')),
  minNoticeHours: z.optional(
    z
      .number({ error: 'must be a number' })
      .check(z.int('must be a whole number'), z.minimum(0, 'must be 0-720'), z.maximum(720, 'must be 0-720')),
  ),
  providerTypes: z._default(z.array(z.enum(PROVIDER_TYPES, { error: 'must be MD/DO or APP' }), ARRAY), []),
};

export const createVisitTypeBody = z.strictObject(
  { visitTypeId: z.optional(slugIdSchema), ...visitTypeFields },
  OBJECT,
);
export const updateVisitTypeBody = z.strictObject({ ...visitTypeFields, retired: retiredField }, OBJECT);
export const visitTypeParams = z.object({ visitTypeId: idSchema }, OBJECT);

export const createLocationBody = z.strictObject(
  { locationId: z.optional(slugIdSchema), displayName: smsField('locationName') },
  OBJECT,
);
export const updateLocationBody = z.strictObject(
  {
    displayName: smsField('locationName'),
    retired: retiredField,
  },
  OBJECT,
);

export const listMessagesQuery = z.object(
  {
    /** Clinic day; defaults to today in the clinic's zone. */
    date: z.optional(isoDate),
    direction: z.optional(z.enum(MESSAGE_DIRECTIONS, { error: 'must be OUTBOUND or INBOUND' })),
    status: z.optional(
      z
        .string(wrongType('string'))
        .check(z.trim(), z.regex(/^[a-z_-]{2,20}$/, 'must be a delivery status such as delivered or failed')),
    ),
    last4: z.optional(
      z
        .string(wrongType('string'))
        .check(z.trim(), z.regex(/^\d{4}$/, 'must be the last four digits of a phone number')),
    ),
    ...page,
  },
  OBJECT,
);

export const auditQuery = z.object({ date: z.optional(isoDate), ...page }, OBJECT);

export const metricsQuery = z.object({ from: z.optional(isoDate), to: z.optional(isoDate) }, OBJECT);

/** One row of a CSV import, after the CSV's strings have been read (see IMPORT_COLUMNS). */
export const IMPORT_COLUMNS = [
  'phone',
  'display_name',
  'family_name',
  'time_zone',
  'urgent',
  'boost',
  'boost_reason',
  'provider_types',
  'location_ids',
  'visit_types',
  'current_appointment_at',
  'notes',
  'language',
  'availability',
  'state',
] as const;
export const REQUIRED_IMPORT_COLUMNS = ['phone', 'display_name'] as const;
/** Rows per CSV import: sized so a whole file is written (or undone) well inside the 25 s Lambda timeout. */
export const MAX_IMPORT_ROWS = 1_000;

// ---------------------------------------------------------------------------------------------------
// Responses

export interface ErrorBody {
  error: {
    code:
      | 'VALIDATION'
      | 'NOT_FOUND'
      | 'CONFLICT'
      | 'UNAUTHORIZED'
      | 'FORBIDDEN'
      | 'METHOD_NOT_ALLOWED'
      | 'UNSUPPORTED_MEDIA_TYPE'
      | 'PAYLOAD_TOO_LARGE'
      | 'INTERNAL';
    message: string;
    /** Field path ("entry.boostReason") → what is wrong with it. */
    fields?: Record<string, string>;
    /** CSV import only: every bad cell; `row` is the spreadsheet row (header = 1, first patient = 2). */
    errors?: Array<{ row: number; field: string; message: string }>;
  };
}

export interface Page<T> {
  items: T[];
  /** Present when there is a next page. */
  cursor?: string;
}

export interface HealthResponse {
  ok: true;
  time: string;
}

export type Role = 'staff' | 'admin';

/** The clinic settings every signed-in user needs to show and read times (a subset of ConfigResponse). */
export interface ClinicSettings {
  name: string;
  /** IANA zone: slot times are shown, typed and texted in it, whatever zone the device is in. */
  timeZone: string;
  /** HH:mm in `timeZone`: when offers may be texted. */
  contactHours: { start: string; end: string };
  /** What a new cancellation uses unless staff choose otherwise for that slot. */
  batchSize: number;
  holdMinutes: number;
  /** The largest batch size staff may choose for one slot. */
  maxSlotBatchSize: number;
}

export interface MeResponse {
  sub: string;
  name?: string;
  email?: string;
  roles: Role[];
  clinic: ClinicSettings;
}

/** "***0123": what lists and logs show instead of a phone number. */
export type MaskedPhone = string;

export interface PatientSummary {
  patientId: string;
  displayName: string;
  familyName?: string;
  phoneMasked: MaskedPhone;
  timeZone?: string;
  /** USPS code staff entered for quiet hours; absent = from the phone's area code. */
  state?: string;
  /** Absent = English. */
  language?: Language;
  consent: ConsentState;
  /** The patient texted PAUSE: no offers until then (staff can lift it). */
  pausedUntil?: string;
  /** Someone at the number said "wrong number": staff should confirm the patient's number. */
  numberMayBeReassigned?: { at: string };
}

export interface OfferView {
  slotId: string;
  patientId: string;
  batch: number;
  state: OfferState;
  sentAt: string;
  notifiedAt?: string;
  holdExpiresAt: string;
  respondedAt?: string;
  closedReason?: string;
  patient?: PatientSummary;
}

export interface MessageView {
  messageId: string;
  direction: MessageDirection;
  patientId?: string;
  slotId?: string;
  phoneMasked: MaskedPhone;
  /** The patient's first name (the message log only). */
  patientName?: string;
  /** The text as sent or received (plain text; render it as text). */
  body: string;
  purpose: string;
  deliveryStatus: string;
  errorCode?: string;
  createdAt: string;
  updatedAt: string;
}

export interface TimelineEvent {
  at: string;
  kind:
    | 'LOGGED'
    | 'OFFER_SENT'
    | 'OFFER_CLOSED'
    | 'MESSAGE'
    | 'FILLED'
    | 'CLOSED'
    | 'BOOKED_IN_EHR'
    | 'WINNER_CHANGED_MIND';
  /** Short, PHI-free description for the timeline ("batch 2 offer EXPIRED"). */
  summary: string;
  patientId?: string;
  messageId?: string;
}

export type SlotView = Slot & { closedAt?: string };

export interface SlotDetail {
  slot: SlotView;
  provider?: { providerId: string; displayName: string; providerType: ProviderType };
  location?: Location;
  offers: OfferView[];
  messages: MessageView[];
  timeline: TimelineEvent[];
}

/** A ranked list row: the active entry (so no `active` flag), its patient and its score now. */
export interface WaitlistRow extends Omit<WaitlistEntry, 'active'> {
  patient?: PatientSummary;
  /** Recomputed for "now"; the list order is the index order, which uses the same function. */
  score: ScoreBreakdown;
}

/** A waitlist entry as staff see it: the stored entry, when and why it left, and its score now. */
export interface EntryView extends WaitlistEntry {
  deactivatedAt?: string;
  deactivatedReason?: string;
  score?: ScoreBreakdown;
}

export interface CreateWaitlistResponse {
  patient: PatientSummary;
  entry: EntryView;
  /** What happened to the optional welcome text. */
  welcome: 'NOT_REQUESTED' | 'SENT' | 'FAILED' | 'SKIPPED_QUIET_HOURS';
}

export interface ImportResponse {
  imported: number;
}

export interface PatientDetail {
  patient: PatientSummary & {
    /** Full E.164 only when `reveal=true` was asked for (and audited). */
    phone?: string;
    createdAt: string;
    liveOfferSlotId?: string;
  };
  consentHistory: ConsentChange[];
  entries: EntryView[];
  offers: OfferView[];
}

export interface ConsentResponse {
  changed: boolean;
  consent: ConsentState;
}

export interface ProviderView {
  providerId: string;
  displayName: string;
  providerType: ProviderType;
  locationIds: string[];
  retired?: boolean;
}

export interface AuditRecord {
  auditId: string;
  at: string;
  actor: { sub: string; email?: string };
  action: string;
  recordType: 'SLOT' | 'PATIENT' | 'ENTRY' | 'PROVIDER' | 'LOCATION' | 'VISIT_TYPE' | 'WAITLIST' | 'INBOX';
  recordId: string;
  /** Counts and states only: never a phone number, a name or a message body. */
  detail?: Record<string, string | number | boolean>;
}

/** One clinic calendar day of the metrics range (midnight to midnight in the clinic's zone). */
export interface MetricsDay {
  /** YYYY-MM-DD, a clinic day. */
  date: string;
  /** Slots by status whose start falls on this day. */
  slots: Record<SlotStatus, number>;
  /** Filled slots starting this day (`slots.FILLED`; the series the dashboard draws). */
  filled: number;
  /** Outbound texts logged this day (not the ones held back by the hourly cap). */
  smsSent: number;
  /** Opt-outs seen this day. */
  optOuts: number;
  /** logged → filled, in minutes, of the filled slots starting this day, ascending. */
  timeToFillMinutes: number[];
}

export interface MetricsResponse {
  from: string;
  to: string;
  /** Slots by status whose start falls in the range. */
  slots: Record<SlotStatus, number>;
  /** FILLED / (FILLED + EXPIRED): withdrawn slots were filled by other means, open ones are undecided. */
  fillRate: number | null;
  timeToFillMinutes: { median: number | null; p90: number | null };
  /** Outbound texts logged in the range, and per filled slot. */
  smsSent: number;
  smsPerFill: number | null;
  /** Opt-outs seen in the range (STOP answers, carrier 21610 refusals, staff changes). */
  optOuts: number;
  /** Every clinic day from `from` to `to`, in order; each series sums to the total above. */
  byDay: MetricsDay[];
}

/** The engine's policy plus the clinic-wide send cap and how this deployment sends; no secrets. */
export interface ConfigResponse extends OfferPolicy {
  maxMessagesPerHour: number;
  dashboardOrigin: string;
  smsProvider: 'twilio' | 'not-configured';
  localMode: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Staff inbox (use cases in inbox-service.ts)

export const INBOX_STATUSES = ['OPEN', 'HANDLED'] as const;
/** A staff reply: at most four GSM-7 segments (612 septets); the dashboard counts them as staff type. */
export const STAFF_REPLY_MAX_CHARACTERS = 612;

export const inboxParams = z.object({ messageId: idSchema }, OBJECT);
export const listInboxQuery = z.object(
  { status: z._default(z.enum(INBOX_STATUSES, { error: 'must be OPEN or HANDLED' }), 'OPEN'), ...page },
  OBJECT,
);
export const inboxReplyBody = z.strictObject({ body: multilineText(STAFF_REPLY_MAX_CHARACTERS) }, OBJECT);
/** The note stays on the item (it may name the patient's circumstances); the audit records only that one was left. */
export const inboxHandledBody = z.strictObject({ note: z.optional(multilineText(500)) }, OBJECT);

/** One inbox item with what staff need to answer it. */
export interface InboxItemView {
  /** The inbound message's id (`in-<MessageSid>`). */
  messageId: string;
  reason: InboxReason;
  status: (typeof INBOX_STATUSES)[number];
  receivedAt: string;
  handledBy?: string;
  handledAt?: string;
  note?: string;
  /** Absent for a number that is not a patient. */
  patient?: PatientSummary;
  /** The slot the message relates to, and this patient's offer of it. */
  slot?: Pick<SlotView, 'slotId' | 'startAt' | 'status' | 'visitType' | 'winnerChangedMind'> & {
    providerName?: string;
  };
  offer?: OfferView;
  /** The message itself; absent once its record has expired (message retention). */
  message?: MessageView;
  /** The patient's recent texts, both directions, oldest first (the message included). */
  thread: MessageView[];
}

export interface InboxCount {
  open: number;
  /** Open items per slot id (the board cards). */
  bySlot: Record<string, number>;
}

export type InboxPage = Page<InboxItemView> & { open: number };

export interface InboxReplyResponse {
  /** The reply as recorded in the thread (its delivery status updates by callback). */
  message: MessageView;
}

// ---------------------------------------------------------------------------------------------------
// Routes

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH';

export interface RouteSpec {
  id: string;
  method: HttpMethod;
  /** With `{name}` path parameters. */
  path: string;
  role: Role;
  summary: string;
  params?: z.ZodMiniType;
  query?: z.ZodMiniType;
  body?: z.ZodMiniType;
  /** Request body media type; default JSON when `body` is set. */
  bodyType?: 'json' | 'csv';
  /** Response media type; default JSON. */
  responseType?: 'json' | 'csv';
  /** Status of a success; default 200. */
  status?: 200 | 201;
}

export const ADMIN_ROUTES = [
  { id: 'health', method: 'GET', path: '/admin/health', role: 'staff', summary: 'Liveness check.' },
  {
    id: 'me',
    method: 'GET',
    path: '/admin/me',
    role: 'staff',
    summary:
      'Who the token belongs to, which roles it carries, and the clinic’s name, time zone and contact hours.',
  },
  {
    id: 'slots.create',
    method: 'POST',
    path: '/admin/slots',
    role: 'staff',
    summary: 'Log a cancellation; its first batch is scheduled after the edit delay.',
    body: createSlotBody,
    status: 201,
  },
  {
    id: 'slots.list',
    method: 'GET',
    path: '/admin/slots',
    role: 'staff',
    summary: 'Slots of one status, by start time, optionally within a date range.',
    query: listSlotsQuery,
  },
  {
    id: 'slots.get',
    method: 'GET',
    path: '/admin/slots/{slotId}',
    role: 'staff',
    summary: 'One slot with its provider, location, offers, messages (delivery status) and timeline.',
    params: slotIdParams,
  },
  {
    id: 'slots.withdraw',
    method: 'POST',
    path: '/admin/slots/{slotId}/withdraw',
    role: 'staff',
    summary: 'Withdraw an open slot (filled another way); patients holding an offer are told.',
    params: slotIdParams,
    body: emptyBody,
  },
  {
    id: 'slots.update',
    method: 'PATCH',
    path: '/admin/slots/{slotId}',
    role: 'staff',
    summary:
      'Fix a cancellation while its first batch waits out the edit delay (start, duration, provider, location, visit type, batch size, hold); 409 once batch 1 is out.',
    params: slotIdParams,
    body: updateSlotBody,
  },
  {
    id: 'slots.nextBatch',
    method: 'POST',
    path: '/admin/slots/{slotId}/next-batch',
    role: 'staff',
    summary:
      'Send the next batch now instead of waiting for the hold to end; patients already offered can still claim. `afterBatch` is the batch on screen: if the slot has moved past it, 409.',
    params: slotIdParams,
    body: nextBatchBody,
  },
  {
    id: 'slots.booked',
    method: 'POST',
    path: '/admin/slots/{slotId}/booked',
    role: 'staff',
    summary: 'Mark a filled slot as booked in the EHR (records who and when).',
    params: slotIdParams,
    body: emptyBody,
  },
  {
    id: 'slots.logFreed',
    method: 'POST',
    path: '/admin/slots/{slotId}/log-freed',
    role: 'staff',
    summary:
      "Log the appointment this slot's winner freed as a new cancellation, linked to this one (cascading backfill; once).",
    params: slotIdParams,
    body: emptyBody,
  },
  {
    id: 'waitlist.list',
    method: 'GET',
    path: '/admin/waitlist',
    role: 'staff',
    summary: 'The ranked waitlist (active, opted-in entries) with each score breakdown.',
    query: listWaitlistQuery,
  },
  {
    id: 'waitlist.create',
    method: 'POST',
    path: '/admin/waitlist',
    role: 'staff',
    summary: 'Add a patient (phone normalised, consent recorded with its source) and their waitlist entry.',
    body: createWaitlistBody,
    status: 201,
  },
  {
    id: 'waitlist.import',
    method: 'POST',
    path: '/admin/waitlist/import',
    role: 'staff',
    summary: 'Bulk import from CSV (text/csv). Every row is validated first; one bad row writes nothing.',
    bodyType: 'csv',
    status: 201,
  },
  {
    id: 'waitlist.export',
    method: 'GET',
    path: '/admin/waitlist/export',
    role: 'staff',
    summary: 'The ranked waitlist as CSV with full phone numbers (the EHR bridge; audited).',
    responseType: 'csv',
  },
  {
    id: 'waitlist.update',
    method: 'PATCH',
    path: '/admin/waitlist/{patientId}/{entryId}',
    role: 'staff',
    summary: 'Edit an active entry: urgency, preferences, current appointment, notes. Re-ranks it.',
    params: entryParams,
    body: updateEntryBody,
  },
  {
    id: 'waitlist.boost',
    method: 'POST',
    path: '/admin/waitlist/{patientId}/{entryId}/boost',
    role: 'staff',
    summary: 'Set the manual boost (0-40) with a reason. Re-ranks the entry.',
    params: entryParams,
    body: boostBody,
  },
  {
    id: 'waitlist.deactivate',
    method: 'POST',
    path: '/admin/waitlist/{patientId}/{entryId}/deactivate',
    role: 'staff',
    summary: 'Take an entry off the waitlist, with a reason.',
    params: entryParams,
    body: deactivateBody,
  },
  {
    id: 'patients.get',
    method: 'GET',
    path: '/admin/patients/{patientId}',
    role: 'staff',
    summary: 'A patient with consent history, entries and offers. Phone masked unless reveal=true (audited).',
    params: patientParams,
    query: patientQuery,
  },
  {
    id: 'patients.update',
    method: 'PATCH',
    path: '/admin/patients/{patientId}',
    role: 'staff',
    summary: 'Correct a patient: first name, family name, time zone, the language texts go out in.',
    params: patientParams,
    body: updatePatientBody,
  },
  {
    id: 'patients.consent',
    method: 'POST',
    path: '/admin/patients/{patientId}/consent',
    role: 'staff',
    summary: 'Record a consent change the patient asked staff for (opting out takes effect at once).',
    params: patientParams,
    body: consentBody,
  },
  { id: 'providers.list', method: 'GET', path: '/admin/providers', role: 'staff', summary: 'All providers.' },
  {
    id: 'providers.create',
    method: 'POST',
    path: '/admin/providers',
    role: 'admin',
    summary: 'Add a provider (display name goes in SMS).',
    body: createProviderBody,
    status: 201,
  },
  {
    id: 'providers.update',
    method: 'PUT',
    path: '/admin/providers/{providerId}',
    role: 'admin',
    summary:
      'Edit a provider; retired: true when they leave (past slots keep their name), false to reinstate, omitted to keep.',
    params: providerParams,
    body: updateProviderBody,
  },
  {
    id: 'visitTypes.list',
    method: 'GET',
    path: '/admin/visit-types',
    role: 'staff',
    summary: 'The visit-type catalogue (duration, minimum notice, provider types).',
  },
  {
    id: 'visitTypes.create',
    method: 'POST',
    path: '/admin/visit-types',
    role: 'admin',
    summary: 'Add a visit type; its minimum notice overrides the clinic-wide one for its slots.',
    body: createVisitTypeBody,
    status: 201,
  },
  {
    id: 'visitTypes.update',
    method: 'PUT',
    path: '/admin/visit-types/{visitTypeId}',
    role: 'admin',
    summary:
      'Edit a visit type; retired: true stops new cancellations naming it, false reinstates, omitted keeps.',
    params: visitTypeParams,
    body: updateVisitTypeBody,
  },
  { id: 'locations.list', method: 'GET', path: '/admin/locations', role: 'staff', summary: 'All locations.' },
  {
    id: 'locations.create',
    method: 'POST',
    path: '/admin/locations',
    role: 'admin',
    summary: 'Add a location (a generic name: it goes in SMS).',
    body: createLocationBody,
    status: 201,
  },
  {
    id: 'locations.update',
    method: 'PUT',
    path: '/admin/locations/{locationId}',
    role: 'admin',
    summary:
      'Rename a location; retired: true so no new cancellation names it, false to reinstate, omitted to keep.',
    params: locationParams,
    body: updateLocationBody,
  },
  {
    id: 'inbox.list',
    method: 'GET',
    path: '/admin/inbox',
    role: 'staff',
    summary:
      'Staff inbox: messages the system could not fully answer, newest first, each with the patient (masked phone), the slot and offer, the message and the recent thread; `open` counts the open items.',
    query: listInboxQuery,
  },
  {
    id: 'inbox.count',
    method: 'GET',
    path: '/admin/inbox/count',
    role: 'staff',
    summary: 'How many inbox items are open, in all and per slot (the nav and the board).',
  },
  {
    id: 'inbox.reply',
    method: 'POST',
    path: '/admin/inbox/{messageId}/reply',
    role: 'staff',
    summary:
      'Text the patient an answer (same sender, hourly cap); 409 when they opted out, are not a patient, or it is quiet hours for them and the message is older than 15 minutes. Audited without the body.',
    params: inboxParams,
    body: inboxReplyBody,
  },
  {
    id: 'inbox.handled',
    method: 'POST',
    path: '/admin/inbox/{messageId}/handled',
    role: 'staff',
    summary: 'Close an inbox item, with an optional note kept on the item (not in the audit).',
    params: inboxParams,
    body: inboxHandledBody,
  },
  {
    id: 'patients.messages',
    method: 'GET',
    path: '/admin/patients/{patientId}/messages',
    role: 'staff',
    summary: "A patient's whole conversation thread, both directions, oldest first (the latest 500).",
    params: patientParams,
  },
  {
    id: 'messages.list',
    method: 'GET',
    path: '/admin/messages',
    role: 'staff',
    summary: "One clinic day's message log, filtered by direction, status and the phone's last four digits.",
    query: listMessagesQuery,
  },
  {
    id: 'audit.list',
    method: 'GET',
    path: '/admin/audit',
    role: 'admin',
    summary: "One day's audit log: who did what to which record.",
    query: auditQuery,
  },
  {
    id: 'metrics',
    method: 'GET',
    path: '/admin/metrics',
    role: 'staff',
    summary:
      'Fill rate, time to fill (median, p90), SMS per fill, opt-outs and slot counts for a date range, in total and per clinic day.',
    query: metricsQuery,
  },
  {
    id: 'config',
    method: 'GET',
    path: '/admin/config',
    role: 'admin',
    summary: 'Effective clinic settings (read-only, no secrets).',
  },
] as const satisfies readonly RouteSpec[];

export type AdminRoute = (typeof ADMIN_ROUTES)[number];
export type RouteId = AdminRoute['id'];
export type RouteOf<K extends RouteId> = Extract<AdminRoute, { id: K }>;

type Parsed<R, Key extends 'params' | 'query' | 'body'> = R extends {
  [P in Key]: infer S extends z.ZodMiniType;
}
  ? z.output<S>
  : undefined;

/** What the router hands a route's handler after validation. */
export interface RouteInput<K extends RouteId> {
  params: Parsed<RouteOf<K>, 'params'>;
  query: Parsed<RouteOf<K>, 'query'>;
  /** CSV routes receive the body as text; it is validated row by row by the use case. */
  body: RouteOf<K> extends { bodyType: 'csv' } ? string : Parsed<RouteOf<K>, 'body'>;
}

/** The request body type a client sends (before defaults are applied). */
export type RequestBody<K extends RouteId> =
  RouteOf<K> extends { body: infer S extends z.ZodMiniType } ? z.input<S> : never;

/** Success response body per route. */
export interface AdminResponses {
  health: HealthResponse;
  me: MeResponse;
  'slots.create': SlotView;
  'slots.list': Page<SlotView>;
  'slots.get': SlotDetail;
  'slots.withdraw': SlotView;
  'slots.update': SlotView;
  'slots.nextBatch': SlotView;
  'slots.booked': SlotView;
  'slots.logFreed': SlotView;
  'waitlist.list': Page<WaitlistRow>;
  'waitlist.create': CreateWaitlistResponse;
  'waitlist.import': ImportResponse;
  /** CSV text. */
  'waitlist.export': string;
  'waitlist.update': EntryView;
  'waitlist.boost': EntryView;
  'waitlist.deactivate': EntryView;
  'patients.get': PatientDetail;
  'patients.update': PatientSummary;
  'patients.consent': ConsentResponse;
  'providers.list': { items: ProviderView[] };
  'providers.create': ProviderView;
  'providers.update': ProviderView;
  'visitTypes.list': { items: VisitType[] };
  'visitTypes.create': VisitType;
  'visitTypes.update': VisitType;
  'locations.list': { items: Location[] };
  'locations.create': Location;
  'locations.update': Location;
  'messages.list': Page<MessageView>;
  'inbox.list': InboxPage;
  'inbox.count': InboxCount;
  'inbox.reply': InboxReplyResponse;
  'inbox.handled': InboxItemView;
  'patients.messages': { items: MessageView[] };
  'audit.list': Page<AuditRecord>;
  metrics: MetricsResponse;
  config: ConfigResponse;
}
