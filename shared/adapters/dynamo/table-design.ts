/**
 * The single table's physical design, shared by the CDK stack, local mode and tests so the three can
 * never drift. Access patterns and what each costs are in docs/data-model.md.
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Overloaded GSIs: each entity type decides what its gsiNpk/gsiNsk mean (see keys.ts). */
export const GLOBAL_INDEXES = [
  { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
] as const;

/** Epoch seconds; DynamoDB TTL deletes within about 48 h of it. Cleanup only, never a timer. */
export const TTL_ATTRIBUTE = 'expiresAt';
