import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import * as z from 'zod/mini';
import {
  type Availability,
  AvailabilityFormatError,
  formatAvailability,
  parseAvailability,
} from '../domain/availability.js';
import { ValidationError } from '../domain/errors.js';
import {
  ARRAY,
  IMPORT_COLUMNS,
  idSchema,
  isoDateTime,
  languageSchema,
  MAX_IMPORT_ROWS,
  multilineText,
  OBJECT,
  PROVIDER_TYPES,
  phoneSchema,
  REQUIRED_IMPORT_COLUMNS,
  smsField,
  text,
  timeZoneSchema,
  usStateSchema,
  visitTypeSchema,
} from './contract.js';
import { CsvRowsError, type RowError } from './errors.js';

/**
 * The waitlist's CSV format, in and out: the bridge to an EHR's export. Import validates the whole file
 * before anything is written; export writes the same columns (plus read-only ones an import ignores), so
 * a file exported from one system imports into another.
 */

const LIST_SEPARATOR = /[|;]/;

/** Excel runs a cell starting with = + - @ as a formula; export prefixes a quote, import takes it off. */
const FORMULA_START = /^[=+\-@\t\r]/;

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);
/** Classic zod's `z.preprocess(fn, schema)`: zod/mini spells it as a transform piped into the schema. */
const preprocess = <T extends z.ZodMiniType>(fn: (value: unknown) => unknown, schema: T) =>
  z.pipe(z.transform(fn), schema);
/** A blank cell is an absent value. */
const optionalCell = <T extends z.ZodMiniType>(schema: T) => preprocess(emptyToUndefined, z.optional(schema));
const list = <T extends z.ZodMiniType>(item: T) =>
  preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(LIST_SEPARATOR)
            .map((v) => v.trim())
            .filter((v) => v !== '')
        : value,
    z.array(item, ARRAY).check(z.maxLength(20, 'at most 20 values')),
  );

const CSV_BOOLEANS = ['', 'true', 'false', 'yes', 'no', '1', '0', 'y', 'n'] as const;
const csvBoolean = preprocess(
  (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
  z.pipe(
    z.enum(CSV_BOOLEANS, { error: 'must be true or false (or yes/no)' }),
    z.transform((v: (typeof CSV_BOOLEANS)[number]) => v === 'true' || v === 'yes' || v === '1' || v === 'y'),
  ),
);

/** The compact availability cell: "Mon,Tue 08:00-12:00; Thu 15:00-18:00" (blank = any time). */
const availabilityCell = z.pipe(
  z.string(),
  z.transform((value: string, ctx): Availability => {
    try {
      return parseAvailability(value);
    } catch (error) {
      if (!(error instanceof AvailabilityFormatError)) throw error;
      ctx.issues.push({ code: 'custom', message: error.message, input: value });
      return [];
    }
  }),
);

const rowSchema = z
  .object(
    {
      phone: phoneSchema,
      display_name: smsField('firstName'),
      family_name: optionalCell(text(60)),
      time_zone: optionalCell(timeZoneSchema),
      state: optionalCell(usStateSchema),
      language: optionalCell(languageSchema),
      urgent: z._default(csvBoolean, false),
      boost: preprocess(
        (v) => (v === '' || v === undefined ? 0 : Number(v)),
        z
          .number({ error: 'must be a number' })
          .check(
            z.int('must be a whole number'),
            z.minimum(0, 'must be 0-40'),
            z.maximum(40, 'must be 0-40'),
          ),
      ),
      boost_reason: optionalCell(text(200)),
      provider_types: z._default(list(z.enum(PROVIDER_TYPES, { error: 'must be MD/DO or APP' })), []),
      location_ids: z._default(list(idSchema), []),
      visit_types: z._default(list(visitTypeSchema), []),
      current_appointment_at: optionalCell(isoDateTime),
      notes: optionalCell(multilineText(500)),
      availability: z._default(availabilityCell, []),
    },
    OBJECT,
  )
  .check(
    z.refine((row) => row.boost === 0 || row.boost_reason !== undefined, {
      message: 'is required when boost is above 0',
      path: ['boost_reason'],
    }),
  );

export type ImportRow = z.output<typeof rowSchema> & { row: number };

const notCsv = (why: string) =>
  new ValidationError(`the file is not a waitlist CSV: ${why}`, {
    file: `must be CSV text whose first line names the columns (${REQUIRED_IMPORT_COLUMNS.join(', ')} required)`,
  });

/**
 * Parses and validates a whole file. Throws CsvRowsError listing every bad cell, or a ValidationError
 * when the file is not a CSV of this format at all. Never returns a partial result.
 */
export function parseWaitlistCsv(csvText: string): ImportRow[] {
  if (csvText.trim() === '') throw notCsv('it is empty');
  // NUL bytes mean a binary file (a spreadsheet's .xlsx sent as-is, an image).
  if (csvText.includes('\u0000')) throw notCsv('it contains binary data (save the sheet as CSV)');
  // csv-parse reads through a Buffer, which turns a lone UTF-16 surrogate into U+FFFD; do it here, on
  // purpose, so the cell's schema refuses it by name (BROKEN_TEXT_MESSAGE) instead of storing it.
  const text = (csvText as string & { toWellFormed(): string }).toWellFormed();
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false });
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new CsvRowsError('the file could not be read as CSV', [
        { row: line ?? 0, field: 'file', message: error.message.replace(/^Invalid Record Length: /, '') },
      ]);
    }
    throw error;
  }
  const [header, ...data] = records;
  if (!header) throw notCsv('it is empty');
  const columns = header.map((h) => h.trim().toLowerCase());
  const known = new Set<string>(IMPORT_COLUMNS);
  const unknown = columns.filter((c) => !known.has(c) && !EXPORT_ONLY_COLUMNS.has(c));
  const missing = REQUIRED_IMPORT_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length === REQUIRED_IMPORT_COLUMNS.length) {
    throw notCsv(`the first line is not a header naming ${REQUIRED_IMPORT_COLUMNS.join(' and ')}`);
  }
  const headerErrors: RowError[] = [
    ...missing.map((c) => ({ row: 1, field: c, message: 'required column is missing' })),
    ...unknown.map((c) => ({
      row: 1,
      field: c,
      message: `unknown column (known: ${IMPORT_COLUMNS.join(', ')})`,
    })),
  ];
  if (new Set(columns).size !== columns.length) {
    headerErrors.push({ row: 1, field: 'file', message: 'a column is named twice' });
  }
  if (headerErrors.length > 0) throw new CsvRowsError('the header row is not valid', headerErrors);
  if (data.length === 0)
    throw new CsvRowsError('the file has no patient rows', [{ row: 2, field: 'file', message: 'no rows' }]);
  if (data.length > MAX_IMPORT_ROWS) {
    throw new CsvRowsError(`the file has ${data.length} rows; import at most ${MAX_IMPORT_ROWS} at a time`, [
      { row: MAX_IMPORT_ROWS + 2, field: 'file', message: 'too many rows' },
    ]);
  }

  const rows: ImportRow[] = [];
  const errors: RowError[] = [];
  data.forEach((cells, index) => {
    const row = index + 2;
    const raw: Record<string, string> = {};
    columns.forEach((column, i) => {
      if (known.has(column)) raw[column] = unquoteFormula(cells[i] ?? '');
    });
    const parsed = rowSchema.safeParse(raw);
    if (parsed.success) rows.push({ ...parsed.data, row });
    else {
      for (const issue of parsed.error.issues) {
        errors.push({ row, field: String(issue.path[0] ?? 'row'), message: issue.message });
      }
    }
  });
  if (errors.length > 0) {
    throw new CsvRowsError(
      `${new Set(errors.map((e) => e.row)).size} row(s) are not valid; nothing was imported`,
      errors,
    );
  }
  return rows;
}

function unquoteFormula(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

function guardFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** Read-only columns an export adds; an import of an exported file skips them. */
export const EXPORT_COLUMNS = ['patient_id', 'entry_id', 'score', 'joined_at', 'consent'] as const;
const EXPORT_ONLY_COLUMNS = new Set<string>(EXPORT_COLUMNS);

export interface ExportRow {
  phone: string;
  displayName: string;
  familyName?: string;
  timeZone?: string;
  urgent: boolean;
  boost: number;
  boostReason?: string;
  providerTypes: string[];
  locationIds: string[];
  visitTypes: string[];
  availability?: Availability;
  currentAppointmentAt?: string;
  notes?: string;
  language?: string;
  /** USPS code staff entered (quiet hours); blank = from the area code. */
  state?: string;
  patientId: string;
  entryId: string;
  score: number;
  joinedAt: string;
  consent: string;
}

export function waitlistCsv(rows: ExportRow[]): string {
  const records = rows.map((r) => [
    // The phone stays as-is: it is E.164 ("+1…"), which the EHR import expects; names and notes are
    // free text typed by staff, so they get the formula guard.
    r.phone,
    guardFormula(r.displayName),
    guardFormula(r.familyName ?? ''),
    r.timeZone ?? '',
    r.urgent ? 'true' : 'false',
    String(r.boost),
    guardFormula(r.boostReason ?? ''),
    r.providerTypes.join('|'),
    r.locationIds.join('|'),
    guardFormula(r.visitTypes.join('|')),
    r.currentAppointmentAt ?? '',
    guardFormula(r.notes ?? ''),
    r.language ?? '',
    formatAvailability(r.availability),
    r.state ?? '',
    r.patientId,
    r.entryId,
    String(r.score),
    r.joinedAt,
    r.consent,
  ]);
  return stringify([[...IMPORT_COLUMNS, ...EXPORT_COLUMNS], ...records], { record_delimiter: '\r\n' });
}
