import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formEvent, inboundSmsParams, TEST_AUTH_TOKEN, TEST_PUBLIC_URL } from './support/apigw-events.js';
import { bundleAsShipped } from './support/bundle.js';
import { freshTable } from './support/table.js';

/**
 * The bundles as they ship, not the TypeScript: each function is built with the stack's esbuild
 * settings into a folder with no node_modules anywhere above it, as in /var/task, and run in a fresh
 * Node with only the environment Lambda gives a function. This is what catches a package left out of
 * the bundle by mistake, or an ES-module build of a dependency (MAIN_FIELDS prefers them) that does not
 * run on Node.
 */

const FUNCTIONS = readdirSync(resolve('functions')).sort();
let outDir = '';
let table: Awaited<ReturnType<typeof freshTable>>;

function lambdaEnvironment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    // What Lambda sets for every function: credentials in the environment, and the region.
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    AWS_LAMBDA_FUNCTION_NAME: 'bundle-test',
    // What the stack sets (the token comes from Secrets Manager in AWS; the config reads either).
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    TABLE_NAME: table.tableName,
    PUBLIC_API_URL: TEST_PUBLIC_URL,
    // The fallback's queue (never contacted while loading; the fallback test talks to a fake SQS).
    INBOUND_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bundle-test-inbound',
    TWILIO_ACCOUNT_SID: inboundSmsParams().AccountSid as string,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    TWILIO_FROM_NUMBER: '+13125550100',
    CONTACT_HOURS_START: '00:00',
    CONTACT_HOURS_END: '24:00',
    // ...and leave out federal/state quiet hours (never off in a deployment).
    LEGAL_QUIET_HOURS: 'false',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
  };
}

/** Runs `script` (an ES module body with `bundle` bound to the imported bundle) in a fresh Node. */
function runWithBundle(
  name: string,
  script: string,
): { status: number | null; stdout: string; stderr: string } {
  const url = pathToFileURL(join(outDir, `${name}.mjs`)).href;
  const run = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `const bundle = await import(${JSON.stringify(url)});\n${script}`],
    { encoding: 'utf8', cwd: outDir, env: lambdaEnvironment(), timeout: 60_000 },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  table = await freshTable('bundles');
  outDir = mkdtempSync(join(tmpdir(), 'shipped-bundles-'));
  await Promise.all(
    FUNCTIONS.map((name) =>
      bundleAsShipped(resolve('functions', name, 'handler.ts'), join(outDir, `${name}.mjs`)),
    ),
  );
}, 120_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('functions as they ship', () => {
  it.each(FUNCTIONS)('%s loads from its bundle alone and exports its handler', (name) => {
    const run = runWithBundle(name, 'console.log(typeof bundle.handler);');
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('function');
  });

  it('the sms-inbound bundle answers a signed text and records it in DynamoDB (credentials from the environment)', async () => {
    const event = formEvent({
      path: '/sms/inbound',
      params: inboundSmsParams({
        From: '+13125550199',
        Body: 'HELP',
        MessageSid: 'SM0b000000000000000000000000000001',
        SmsMessageSid: 'SM0b000000000000000000000000000001',
        SmsSid: 'SM0b000000000000000000000000000001',
      }),
    });
    const run = runWithBundle(
      'sms-inbound',
      `const context = { awsRequestId: 'bundle-test', functionName: 'sms-inbound', getRemainingTimeInMillis: () => 10000 };
       const result = await bundle.handler(${JSON.stringify(event)}, context);
       console.log(JSON.stringify(result));`,
    );
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout.trim()) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(result.statusCode).toBe(200);
    expect(result.headers['Content-Type'] ?? result.headers['content-type']).toMatch(/xml/);
    expect(result.body).toMatch(/<Message>.*Reply STOP to opt out/s);
    const { Items = [] } = await table.doc.send(new ScanCommand({ TableName: table.tableName }));
    expect(Items.some((item) => item.providerSid === 'SM0b000000000000000000000000000001')).toBe(true);
  });

  it('the sms-status bundle refuses an unsigned callback with 403', () => {
    const event = formEvent({
      path: '/sms/status',
      params: { MessageSid: 'SM0b000000000000000000000000000002', MessageStatus: 'delivered' },
      query: 'm=01JBVNDE000000000000000000',
      sign: false,
    });
    const run = runWithBundle(
      'sms-status',
      `const result = await bundle.handler(${JSON.stringify(event)}, { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 10000 });
       console.log(result.statusCode);`,
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('403');
  });

  it('the sms-inbound-fallback bundle refuses an unsigned text with 403 and queues nothing', () => {
    const event = formEvent({
      path: '/sms/inbound-fallback',
      params: inboundSmsParams({ From: '+13125550199', Body: 'YES' }),
      sign: false,
    });
    const run = runWithBundle(
      'sms-inbound-fallback',
      `const result = await bundle.handler(${JSON.stringify(event)}, { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 10000 });
       console.log(result.statusCode);`,
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('403');
  });
});
