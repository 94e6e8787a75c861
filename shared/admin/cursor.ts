import { ValidationError } from '../domain/errors.js';

/**
 * Opaque list cursors: base64url of DynamoDB's LastEvaluatedKey. A cursor comes back from the browser, so
 * it is untrusted input: it must decode to an object of string attributes naming exactly the key
 * attributes of the index being read, in the partition being read. Anything else is a 400, never a
 * DynamoDB error (a forged ExclusiveStartKey is a 500 from the SDK) and never a read of another partition.
 */

export type DynamoKey = Record<string, unknown>;

export function encodeCursor(key: DynamoKey | undefined): string | undefined {
  if (!key) return undefined;
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export interface CursorRule {
  /** The attribute name sets a key may have (exactly one of them, no other attributes). */
  shapes: ReadonlyArray<readonly string[]>;
  /** Attribute that holds the partition, and the values it may take. */
  partition: { attribute: string; allowed: readonly string[] };
  /** The shape of every other key attribute (the ids and instants the real keys are made of). */
  attributes: Readonly<Record<string, RegExp>>;
  /**
   * The sort key range the query reads (BETWEEN from AND to): DynamoDB refuses an ExclusiveStartKey
   * outside it with a ValidationException, so such a cursor is a 400 here rather than a 500 there.
   */
  within?: { attribute: string; from?: string; to?: string };
}

/** Pieces of the real keys (shared/adapters/dynamo/keys.ts), for `CursorRule.attributes`. */
export const KEY_PART = {
  /** A ULID, a readable slug or a Twilio-derived message id. */
  id: '[A-Za-z0-9_-]{1,80}',
  /** An instant as `toISOString()` writes it. */
  instant: '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?Z',
} as const;

/** An anchored pattern from key parts: `keyPattern('SLOT#', KEY_PART.id)`. */
export const keyPattern = (...parts: string[]) => new RegExp(`^${parts.join('')}$`);

const invalid = () =>
  new ValidationError('the cursor is not valid for this list; start again without it', {
    cursor: 'is not a cursor this list produced',
  });

export function decodeCursor(cursor: string | undefined, rule: CursorRule): DynamoKey | undefined {
  if (cursor === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
  const entries = Object.entries(value);
  const names = entries
    .map(([k]) => k)
    .sort()
    .join(',');
  if (!rule.shapes.some((shape) => [...shape].sort().join(',') === names)) throw invalid();
  if (entries.some(([, v]) => typeof v !== 'string' || v.length === 0 || v.length > 300)) throw invalid();
  const record = value as Record<string, string>;
  if (!rule.partition.allowed.includes(record[rule.partition.attribute] ?? '')) throw invalid();
  for (const [name, v] of Object.entries(record)) {
    if (name === rule.partition.attribute) continue;
    const pattern = rule.attributes[name];
    if (!pattern?.test(v)) throw invalid();
  }
  const { within } = rule;
  const sortKey = within ? record[within.attribute] : undefined;
  if (within && sortKey !== undefined) {
    if (
      (within.from !== undefined && sortKey < within.from) ||
      (within.to !== undefined && sortKey > within.to)
    ) {
      throw invalid();
    }
  }
  return record;
}
