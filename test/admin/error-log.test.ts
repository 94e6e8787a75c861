import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorResponse } from '../../functions/admin-api/http.js';
import { logger } from '../../shared/runtime/logger.js';
import { jsonEvent } from '../support/admin-events.js';
import { freshTable } from '../support/table.js';
import { type AdminApp, startAdminApp } from './support/admin-app.js';

/**
 * A 500 must be diagnosable from the log alone: the admin handler's error line carries the error's name,
 * message and stack (Powertools Logger drops a field named `message`, so it cannot be passed under that
 * key), and never the patient's phone, name or notes. Read from the logger's real output: the process's
 * stdout and stderr while the handler runs.
 */

let app: AdminApp;

async function captureOutput<T>(run: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
  try {
    const result = await run();
    return {
      result,
      lines: chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== ''),
    };
  } finally {
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
  }
}

beforeAll(async () => {
  app = await startAdminApp({ POWERTOOLS_LOG_LEVEL: 'INFO' });
});

afterAll(async () => {
  await app?.close();
});

describe('the admin error log', () => {
  it('names the error, its message and its stack, and carries no PHI', async () => {
    // A real failure underneath the use case: the table is gone (a DynamoDB outage, a wrong TABLE_NAME).
    await app.table.client.send(new DeleteTableCommand({ TableName: app.table.tableName }));
    const patient = {
      phone: '(312) 555-7788',
      displayName: 'Zebulon',
      familyName: 'Quackenbush',
      consentSource: 'VERBAL',
    };
    const { result: reply, lines } = await captureOutput(() =>
      app.call(
        jsonEvent({
          method: 'POST',
          path: '/admin/waitlist',
          body: { patient, entry: { notes: 'allergic to penicillin' } },
        }),
      ),
    );
    expect(reply.status, reply.text).toBe(500);
    const requestId = /\(request ([^)]+)\)/.exec(reply.text)?.[1];
    expect(requestId).toBeTruthy();

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const errorLine = records.find((r) => r.message === 'admin.error');
    expect(errorLine, lines.join('\n')).toBeDefined();
    expect(errorLine).toMatchObject({ level: 'ERROR', requestId });
    const error = errorLine?.error as { name?: string; message?: string; stack?: string };
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toMatch(/\S/);
    expect(error.stack).toMatch(/^ResourceNotFoundException: /);
    expect(error.stack).toMatch(/\n\s+at /);
    // Nothing Powertools had to drop (a reserved key) and nothing of the patient, in any line.
    expect(lines.join('\n')).not.toMatch(/reserved key/);
    const everything = lines.join('\n');
    for (const phi of ['5557788', '555-7788', 'Zebulon', 'Quackenbush', 'penicillin']) {
      expect(everything, phi).not.toContain(phi);
    }
  });

  it('leaves out what an SDK error carries besides its name and message (the failed item holds PHI)', async () => {
    const table = await freshTable('errlog');
    const item = { pk: 'PHONE#+13125559911', sk: 'PHONE', displayName: 'Philomena' };
    await table.doc.send(new PutCommand({ TableName: table.tableName, Item: item }));
    const failure = await table.doc
      .send(
        new PutCommand({
          TableName: table.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((error: unknown) => error);
    expect((failure as { name: string }).name).toBe('ConditionalCheckFailedException');
    // DynamoDB hands the stored item back on the error itself.
    expect(JSON.stringify((failure as { Item?: unknown }).Item)).toContain('Philomena');

    const { result, lines } = await captureOutput(async () =>
      errorResponse(failure, (event, fields) => logger.error(event, fields), 'req-cond-1'),
    );
    expect(result.statusCode).toBe(500);
    const record = JSON.parse(lines.find((l) => l.includes('admin.error')) ?? '{}') as {
      error?: { name?: string; message?: string };
    };
    expect(record.error?.name).toBe('ConditionalCheckFailedException');
    expect(record.error?.message).toMatch(/conditional request failed/i);
    const everything = lines.join('\n');
    for (const phi of ['3125559911', 'Philomena']) expect(everything, phi).not.toContain(phi);
  });
});
