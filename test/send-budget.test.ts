import { describe, expect, it } from 'vitest';
import { DynamoSendBudget } from '../shared/adapters/dynamo/dynamo-send-budget.js';
import { freshTable } from './support/table.js';

describe('hourly send cap on DynamoDB', () => {
  it('lets exactly the cap through when 60 senders race for 25 units, and refills next hour', async () => {
    const table = await freshTable('budget');
    const budget = new DynamoSendBudget(table.doc, table.tableName, 25);
    const hour = new Date('2026-11-24T16:10:00Z');
    const results = await Promise.all(Array.from({ length: 60 }, () => budget.tryConsume(hour)));
    expect(results.filter(Boolean)).toHaveLength(25);
    expect(await budget.tryConsume(new Date('2026-11-24T16:59:59Z'))).toBe(false);
    expect(await budget.tryConsume(new Date('2026-11-24T17:00:00Z'))).toBe(true);
  });
});
