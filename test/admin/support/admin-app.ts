import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { makeClinicOn } from '../../support/clinic-fixture.js';
import { type FakeTwilio, startFakeTwilio } from '../../support/fake-twilio.js';
import { freshTable } from '../../support/table.js';

/**
 * The real admin-api handler on a fresh DynamoDB Local table, with Twilio's API and EventBridge
 * Scheduler's API served by local fakes, so every route runs end to end through the real adapters.
 * Handler modules read their configuration at import, so the environment is set before importing.
 */

export interface FakeScheduler {
  url: string;
  created: Array<{ name: string; body: Record<string, unknown> }>;
  deleted: string[];
  close(): Promise<void>;
}

/** The two Scheduler calls the adapter makes: CreateSchedule and DeleteSchedule (restJson1). */
async function startFakeScheduler(): Promise<FakeScheduler> {
  const created: FakeScheduler['created'] = [];
  const deleted: string[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString();
    });
    req.on('end', () => {
      const name = decodeURIComponent((req.url ?? '').split('?')[0]?.replace(/^\/schedules\//, '') ?? '');
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST') {
        created.push({ name, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} });
        res.end(
          JSON.stringify({
            ScheduleArn: `arn:aws:scheduler:us-east-1:123456789012:schedule/default/${name}`,
          }),
        );
      } else if (req.method === 'DELETE') {
        deleted.push(name);
        const known = created.some((c) => c.name === name);
        if (!known) {
          res.statusCode = 404;
          res.setHeader('x-amzn-errortype', 'ResourceNotFoundException');
          res.end(JSON.stringify({ Message: 'Schedule not found' }));
          return;
        }
        res.end('{}');
      } else {
        res.statusCode = 400;
        res.end('{}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    created,
    deleted,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  text: string;
}

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export async function startAdminApp(settings: Record<string, string> = {}) {
  const table = await freshTable('admin');
  const twilio: FakeTwilio = await startFakeTwilio();
  const scheduler = await startFakeScheduler();
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    AWS_ENDPOINT_URL_SCHEDULER: scheduler.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    CLINIC_NAME: 'Lakeside',
    TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
    TWILIO_AUTH_TOKEN: 'test-auth-token-0123456789abcdef',
    TWILIO_FROM_NUMBER: '+13125550100',
    TWILIO_API_BASE_URL: twilio.baseUrl,
    SCHEDULER_TARGET_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:scheduler-target',
    SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/scheduler-invoke',
    DASHBOARD_ORIGIN: 'https://dashboard.clinic.example',
    // Tests run at any hour: keep the contact window open so sends are not deferred to the morning.
    CONTACT_HOURS_START: '00:00',
    CONTACT_HOURS_END: '24:00',
    // ...and leave out federal/state quiet hours (never off in a deployment).
    LEGAL_QUIET_HOURS: 'false',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    ...settings,
  });
  // Providers prov-lee (MD/DO) and prov-app (APP), locations loc-main and loc-north; plus an engine on the
  // same table for steps the API does not expose (a patient's YES).
  const clinic = await makeClinicOn(table);
  const { handler } = (await import('../../../functions/admin-api/handler.js')) as unknown as {
    handler: Handler;
  };
  const { handler: schedulerTarget } = (await import('../../../functions/scheduler-target/handler.js')) as {
    handler: (event: unknown) => Promise<{ ok: boolean }>;
  };

  async function call(event: APIGatewayProxyEventV2): Promise<Reply> {
    const result = await handler(event, {} as Context);
    const text = typeof result.body === 'string' ? result.body : '';
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
    let body: unknown = text;
    if ((headers['content-type'] ?? '').startsWith('application/json')) body = JSON.parse(text);
    return { status: result.statusCode ?? 200, headers, body, text };
  }

  async function countItems(): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await table.doc.send(
        new ScanCommand({
          TableName: table.tableName,
          Select: 'COUNT',
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      count += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    return count;
  }

  async function allItems(): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await table.doc.send(
        new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start, ConsistentRead: true }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  return {
    table,
    twilio,
    scheduler,
    clinic,
    call,
    schedulerTarget,
    countItems,
    allItems,
    async close() {
      await twilio.close();
      await scheduler.close();
    },
  };
}

export type AdminApp = Awaited<ReturnType<typeof startAdminApp>>;
