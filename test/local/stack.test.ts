import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { GatewayEvent } from '../../local/gateway.js';
import type { RouteDefinition } from '../../local/routes.js';
import {
  DEFAULT_TABLE_NAME,
  LocalStackError,
  type RunningLocalStack,
  startLocalStack,
} from '../../local/stack.js';

/** Echo handlers: they record what the real ones would receive, and check signatures as they must. */
const inbound: { event: GatewayEvent; signatureValid: boolean; params: Record<string, string> }[] = [];
const statuses: { signatureValid: boolean; params: Record<string, string> }[] = [];
const admin: GatewayEvent[] = [];
const fired: unknown[] = [];

function formOf(event: GatewayEvent): Record<string, string> {
  const text = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  return Object.fromEntries(new URLSearchParams(text));
}

/** What sms-inbound and sms-status must do: check the signature against PUBLIC_API_URL + the route. */
function signatureValid(event: GatewayEvent, params: Record<string, string>): boolean {
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const url = `${process.env.PUBLIC_API_URL}${event.rawPath}${query}`;
  return validateRequest(
    process.env.TWILIO_AUTH_TOKEN ?? '',
    event.headers['x-twilio-signature'] ?? '',
    url,
    params,
  );
}

const routes: RouteDefinition[] = [
  {
    routeKey: 'POST /sms/inbound',
    auth: 'NONE',
    functionName: 'sms-inbound',
    load: async () => async (event: GatewayEvent) => {
      const params = formOf(event);
      inbound.push({ event, params, signatureValid: signatureValid(event, params) });
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/xml' },
        body: '<Response><Message>Got it</Message></Response>',
      };
    },
  },
  {
    routeKey: 'POST /sms/status',
    auth: 'NONE',
    functionName: 'sms-status',
    load: async () => async (event: GatewayEvent) => {
      const params = formOf(event);
      statuses.push({ params, signatureValid: signatureValid(event, params) });
      return { statusCode: 204 };
    },
  },
  {
    routeKey: 'ANY /admin/{proxy+}',
    auth: 'JWT',
    functionName: 'admin-api',
    load: async () => async (event: GatewayEvent) => {
      admin.push(event);
      return { ok: true };
    },
  },
];

function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

async function waitFor(predicate: () => boolean, ms = 8000) {
  const deadline = Date.now() + ms;
  while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  expect(predicate()).toBe(true);
}

describe('startLocalStack', () => {
  let stack: RunningLocalStack;
  let before: Record<string, number>;
  const envBefore = process.env.TABLE_NAME;

  beforeAll(async () => {
    before = handleCounts();
    // In-memory DynamoDB Local of its own, as an end-to-end test would start it.
    stack = await startLocalStack({
      port: 0,
      routes,
      statusDelayMs: 10,
      schedulerTarget: async () => async (event: unknown) => {
        fired.push(event);
      },
    });
  });

  afterAll(async () => {
    // Idempotent: the last test stops it already.
    await stack.stop();
  });

  it('creates the table and sets the handler environment before any handler loads', async () => {
    const { Table } = await stack.dynamo.send(new DescribeTableCommand({ TableName: stack.tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(process.env).toMatchObject({
      LOCAL_MODE: 'true',
      TABLE_NAME: stack.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: stack.urls.dynamodb,
      AWS_ENDPOINT_URL_SCHEDULER: stack.urls.scheduler,
      TWILIO_API_BASE_URL: stack.urls.twilioApi,
      PUBLIC_API_URL: stack.urls.publicApi,
      SCHEDULER_TARGET_ARN: expect.stringMatching(/^arn:aws:lambda:/),
      SCHEDULER_ROLE_ARN: expect.stringMatching(/^arn:aws:iam::/),
    });
    expect(process.env.TWILIO_ACCOUNT_SID).toMatch(/^AC[0-9a-f]{32}$/);
  });

  it('serves the admin route behind the local login', async () => {
    const denied = await fetch(`${stack.urls.gateway}/admin/health`);
    expect(denied.status).toBe(401);
    const login = await fetch(`${stack.urls.gateway}/local/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'admin' }),
    });
    const { token } = (await login.json()) as { token: string };
    const ok = await fetch(`${stack.urls.gateway}/admin/health`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.status).toBe(200);
    expect(admin.at(-1)?.requestContext.authorizer?.jwt.claims['cognito:groups']).toBe('[staff admin]');
  });

  it('sends through the real twilio SDK to the simulator and delivers signed status callbacks', async () => {
    const base = process.env.TWILIO_API_BASE_URL ?? '';
    const httpClient = new (class extends twilio.RequestClient {
      override request<TData>(options: RequestClient.RequestOptions<TData>) {
        return super.request<TData>({ ...options, uri: options.uri.replace('https://api.twilio.com', base) });
      }
    })();
    const client = twilio(process.env.TWILIO_ACCOUNT_SID, process.env.TWILIO_AUTH_TOKEN, { httpClient });
    const sent = await client.messages.create({
      to: '+15551239001',
      from: process.env.TWILIO_FROM_NUMBER,
      body: 'Clinic: a slot opened. Reply YES.',
      statusCallback: `${process.env.PUBLIC_API_URL}/sms/status?messageId=abc`,
    });
    await waitFor(() => statuses.length === 2);
    expect(statuses.map((s) => [s.params.MessageSid, s.params.MessageStatus, s.signatureValid])).toEqual([
      [sent.sid, 'sent', true],
      [sent.sid, 'delivered', true],
    ]);
    const outbox = (await (
      await fetch(`${stack.urls.gateway}/sim/api/messages?phone=%2B15551239001`)
    ).json()) as {
      messages: { sid: string }[];
    };
    expect(outbox.messages.map((m) => m.sid)).toEqual([sent.sid]);
  });

  it('routes a simulated reply through the gateway to sms-inbound, signed, base64, and shows the TwiML answer', async () => {
    const response = await fetch(`${stack.urls.gateway}/sim/api/reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+15551239001', body: 'YES' }),
    });
    expect(await response.json()).toEqual({ status: 200, twimlMessages: ['Got it'] });
    const last = inbound.at(-1);
    expect(last?.signatureValid).toBe(true);
    expect(last?.event.isBase64Encoded).toBe(true);
    expect(last?.params).toMatchObject({
      From: '+15551239001',
      Body: 'YES',
      To: process.env.TWILIO_FROM_NUMBER,
    });
  });

  it('fires a schedule created through the SDK default endpoint (AWS_ENDPOINT_URL_SCHEDULER)', async () => {
    const scheduler = new SchedulerClient({});
    try {
      const at = new Date(Date.now() + 1000).toISOString().slice(0, 19);
      await scheduler.send(
        new CreateScheduleCommand({
          Name: 'slot-x-batch-1',
          ScheduleExpression: `at(${at})`,
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: process.env.SCHEDULER_TARGET_ARN ?? '',
            RoleArn: process.env.SCHEDULER_ROLE_ARN ?? '',
            Input: JSON.stringify({ kind: 'START_BATCH', slotId: 'x', batch: 1 }),
          },
        }),
      );
    } finally {
      scheduler.destroy();
    }
    await waitFor(() => fired.length === 1);
    expect(fired[0]).toEqual({ kind: 'START_BATCH', slotId: 'x', batch: 1 });
  });

  it('stops cleanly: servers, timers and DynamoDB Local gone, environment restored', async () => {
    await stack.stop();
    await new Promise((r) => setTimeout(r, 200));
    const after = handleCounts();
    for (const kind of ['TCPServerWrap', 'ProcessWrap', 'Timeout']) {
      expect({ kind, leaked: (after[kind] ?? 0) > (before[kind] ?? 0) }).toEqual({ kind, leaked: false });
    }
    expect(process.env.TABLE_NAME).toBe(envBefore);
    await expect(fetch(stack.urls.gateway)).rejects.toThrow();
  });
});

describe('startLocalStack when it cannot start', () => {
  let blocker: Server;
  let port: number;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((done) => blocker.close(() => done())));

  it('names the port in use and how to change it, and leaves nothing running', async () => {
    const before = handleCounts();
    const attempt = startLocalStack({ port, routes });
    await expect(attempt).rejects.toBeInstanceOf(LocalStackError);
    await expect(attempt).rejects.toThrow(
      new RegExp(`Port ${port} \\(gateway\\) is already in use[\\s\\S]*PORT=`),
    );
    // A refused listen releases its handle a moment later; a leak would stay.
    await new Promise((r) => setTimeout(r, 100));
    expect(handleCounts().TCPServerWrap ?? 0).toBe(before.TCPServerWrap ?? 0);
  });
});

describe('startLocalStack with .env.example copied to .env', () => {
  /** The file as a developer copies it: `process.loadEnvFile` reads blank assignments as ''. */
  function envExample(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    for (const line of readFileSync('.env.example', 'utf8').split('\n')) {
      const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      if (match?.[1]) env[match[1]] = (match[2] ?? '').trim();
    }
    return env;
  }

  it('starts with the default table name where TABLE_NAME is blank', async () => {
    const env = envExample();
    expect(env.TABLE_NAME).toBe('');
    const stack = await startLocalStack({
      port: 0,
      routes,
      env,
      dynamoEndpoint: inject('dynamoEndpoint'),
      schedulerTarget: async () => async () => {},
    });
    try {
      expect(stack.tableName).toBe(DEFAULT_TABLE_NAME);
      expect(process.env.TABLE_NAME).toBe(DEFAULT_TABLE_NAME);
      const { Table } = await stack.dynamo.send(new DescribeTableCommand({ TableName: stack.tableName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
    } finally {
      await stack.stop();
    }
  });

  it('refuses a bad value with a message naming the variable, before starting anything', async () => {
    const before = handleCounts();
    const attempt = startLocalStack({
      port: 0,
      routes,
      env: { ...envExample(), BATCH_SIZE: 'three', TABLE_NAME: 'no spaces allowed' },
      dynamoEndpoint: inject('dynamoEndpoint'),
    });
    await expect(attempt).rejects.toBeInstanceOf(LocalStackError);
    await expect(attempt).rejects.toThrow(/BATCH_SIZE: [\s\S]*TABLE_NAME: [\s\S]*Fix these in \.env/);
    await new Promise((r) => setTimeout(r, 100));
    expect(handleCounts().TCPServerWrap ?? 0).toBeLessThanOrEqual(before.TCPServerWrap ?? 0);
  });
});

describe('startLocalStack: the local login exists only while nothing is exposed', () => {
  const tunnel = 'https://abc-def.trycloudflare.com';
  const realTwilio = {
    TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'f'.repeat(32),
    TWILIO_FROM_NUMBER: '+13125550100',
  };

  async function loginStatus(options: Parameters<typeof startLocalStack>[0]) {
    const stack = await startLocalStack({
      port: 0,
      routes,
      dynamoEndpoint: inject('dynamoEndpoint'),
      schedulerTarget: async () => async () => {},
      ...options,
    });
    try {
      const response = await fetch(`${stack.urls.gateway}/local/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'admin' }),
      });
      return { status: response.status, login: stack.urls.login };
    } finally {
      await stack.stop();
    }
  }

  it('real Twilio through a tunnel: no /local/login, even from localhost', async () => {
    const result = await loginStatus({
      twilio: 'real',
      env: { PATH: process.env.PATH, ...realTwilio, PUBLIC_API_URL: tunnel },
    });
    expect(result).toEqual({ status: 404, login: undefined });
  });

  it('real Twilio credentials with a loopback PUBLIC_API_URL: still none (the texts are real)', async () => {
    const result = await loginStatus({
      twilio: 'real',
      env: { PATH: process.env.PATH, ...realTwilio, PUBLIC_API_URL: 'http://localhost:3000' },
    });
    expect(result.status).toBe(404);
  });

  it('the simulator with PUBLIC_API_URL set to a tunnel: none', async () => {
    const result = await loginStatus({ env: { PATH: process.env.PATH, PUBLIC_API_URL: tunnel } });
    expect(result.status).toBe(404);
  });

  it('the simulator on loopback: served', async () => {
    for (const url of ['', 'http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']) {
      const result = await loginStatus({ env: { PATH: process.env.PATH, PUBLIC_API_URL: url } });
      expect({ url, status: result.status }).toEqual({ url, status: 200 });
      expect(result.login).toMatch(/\/local\/login$/);
    }
  });
});

describe('startLocalStack: schedules survive a restart, and the sweep runs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stack-scheduler-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a schedule created before a restart fires into the scheduler target after it', async () => {
    const schedulerStateFile = join(dir, 'schedules.json');
    const start = (target: (event: unknown) => void) =>
      startLocalStack({
        port: 0,
        routes,
        dynamoEndpoint: inject('dynamoEndpoint'),
        schedulerStateFile,
        schedulerTarget: async () => async (event: unknown) => target(event),
      });
    const first = await start(() => {});
    try {
      const scheduler = new SchedulerClient({});
      try {
        const at = new Date(Date.now() + 2500).toISOString().slice(0, 19);
        await scheduler.send(
          new CreateScheduleCommand({
            Name: 'slot-y-batch-2',
            ScheduleExpression: `at(${at})`,
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
            Target: {
              Arn: process.env.SCHEDULER_TARGET_ARN ?? '',
              RoleArn: process.env.SCHEDULER_ROLE_ARN ?? '',
              Input: JSON.stringify({ kind: 'START_BATCH', slotId: 'y', batch: 2 }),
            },
          }),
        );
      } finally {
        scheduler.destroy();
      }
    } finally {
      await first.stop();
    }
    const received: unknown[] = [];
    const second = await start((event) => received.push(event));
    try {
      await waitFor(() => received.length === 1);
      expect(received[0]).toEqual({ kind: 'START_BATCH', slotId: 'y', batch: 2 });
    } finally {
      await second.stop();
    }
  });

  it('sends the scheduler target the SWEEP event the AWS recurring schedule sends', async () => {
    const received: unknown[] = [];
    const stack = await startLocalStack({
      port: 0,
      routes,
      dynamoEndpoint: inject('dynamoEndpoint'),
      sweepIntervalMs: 200,
      schedulerTarget: async () => async (event: unknown) => {
        received.push(event);
      },
    });
    try {
      await waitFor(() => received.length >= 1);
      expect(received[0]).toEqual({
        kind: 'SWEEP',
        scheduledTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      });
    } finally {
      await stack.stop();
    }
  });
});
