import { beforeAll, describe, expect, it } from 'vitest';
import { freshTable } from './support/table.js';

/** The function EventBridge Scheduler invokes, with the payloads the real scheduler sends. */
let handler: (event: unknown) => Promise<{ ok: boolean }>;

beforeAll(async () => {
  const table = await freshTable('target');
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'test-token',
    TWILIO_FROM_NUMBER: '+15555550100',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  handler = (await import('../functions/scheduler-target/handler.js')).handler;
});

describe('scheduler-target handler', () => {
  it('drops a malformed payload without throwing (a retry could never succeed)', async () => {
    for (const event of [
      undefined,
      {},
      { kind: 'START_BATCH' },
      { kind: 'START_BATCH', slotId: 'x', batch: 0 },
      { kind: 'NOPE' },
    ]) {
      expect(await handler(event)).toEqual({ ok: false });
    }
  });

  it('accepts a START_BATCH for a slot that no longer exists, and the recurring SWEEP', async () => {
    expect(
      await handler({ kind: 'START_BATCH', slotId: 'gone', batch: 2, scheduledTime: '2026-11-24T16:07:00Z' }),
    ).toEqual({ ok: true });
    expect(await handler({ kind: 'SWEEP', scheduledTime: '2026-11-24T16:05:00Z' })).toEqual({ ok: true });
  });
});
