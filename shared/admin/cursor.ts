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
}

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
  return record;
}
