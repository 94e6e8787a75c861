import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXTERNAL_MODULES, MAIN_FIELDS, NODE_TARGET } from '../../lib/constructs/function-bundling.js';
import { resourcesOfType, type Synthesized, synthBackfill } from './synth.js';

/**
 * Least privilege on the table, per function: each role may call only the DynamoDB actions its own
 * code paths reach. Two checks: the granted actions are pinned here by hand (a change to a grant is a
 * reviewed change to this file), and they are compared with what the code each handler bundles actually
 * calls, so a new DeleteCommand in a store fails here until its function is granted DeleteItem.
 */

const FUNCTIONS = [
  'scheduler-target',
  'sms-inbound',
  'sms-status',
  'admin-api',
  'sms-inbound-queue',
  'sms-inbound-fallback',
] as const;
type Name = (typeof FUNCTIONS)[number];

/** What the engine's store needs: reads, and the writes of offers, claims, messages and consent. */
const ENGINE = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];
const PINNED: Record<Name, string[]> = {
  'scheduler-target': ENGINE,
  'sms-inbound': ENGINE,
  'sms-status': ENGINE,
  // Staff remove a patient from the waitlist (WaitlistStore deletes the entry's rows in a transaction).
  'admin-api': [...ENGINE, 'dynamodb:DeleteItem'].sort(),
  // The inbound fallback: its queue's consumer runs the conversation; the receiver never touches the
  // table (it must work while DynamoDB is down).
  'sms-inbound-queue': ENGINE,
  'sms-inbound-fallback': [],
};

let synth: Synthesized;
let stateless: Template;

// A whole-app synth; on two shared cores next to DynamoDB Local it can take over the 60 s default.
beforeAll(() => {
  synth = synthBackfill();
  stateless = synth.template('stateless');
}, 180_000);

type Statement = { Action: string | string[] };

/** Every dynamodb:* action any policy attached to the function's role allows. */
function grantedTableActions(name: Name): string[] {
  const fallback = synth.stateless.inboundFallback;
  const fn =
    name === 'sms-inbound-queue'
      ? fallback?.consumer
      : name === 'sms-inbound-fallback'
        ? fallback?.receiver
        : synth.stateless.functions[name];
  if (!fn) throw new Error(`no ${name} function in the stateless stack`);
  const stack = Stack.of(fn);
  const roleId = stack.getLogicalId(fn.role?.node.defaultChild as never);
  const actions = new Set<string>();
  for (const [, policy] of resourcesOfType(stateless, 'AWS::IAM::Policy')) {
    const roles = (policy.Properties?.Roles as { Ref?: string }[] | undefined) ?? [];
    if (!roles.some((r) => r.Ref === roleId)) continue;
    const document = policy.Properties?.PolicyDocument as { Statement: Statement[] } | undefined;
    const statements = document?.Statement ?? [];
    for (const s of statements) {
      for (const action of Array.isArray(s.Action) ? s.Action : [s.Action]) {
        if (action.startsWith('dynamodb:')) actions.add(action);
      }
    }
  }
  return [...actions].sort();
}

/** Document-client and low-level commands as IAM authorises them. */
const COMMAND_ACTIONS: Record<string, string[]> = {
  GetCommand: ['dynamodb:GetItem'],
  GetItemCommand: ['dynamodb:GetItem'],
  BatchGetCommand: ['dynamodb:BatchGetItem'],
  BatchGetItemCommand: ['dynamodb:BatchGetItem'],
  QueryCommand: ['dynamodb:Query'],
  ScanCommand: ['dynamodb:Scan'],
  PutCommand: ['dynamodb:PutItem'],
  PutItemCommand: ['dynamodb:PutItem'],
  UpdateCommand: ['dynamodb:UpdateItem'],
  UpdateItemCommand: ['dynamodb:UpdateItem'],
  DeleteCommand: ['dynamodb:DeleteItem'],
  DeleteItemCommand: ['dynamodb:DeleteItem'],
  BatchWriteCommand: ['dynamodb:BatchWriteItem'],
  BatchWriteItemCommand: ['dynamodb:BatchWriteItem'],
  DescribeTableCommand: ['dynamodb:DescribeTable'],
  // Transactions have no action of their own: each item is authorised as its kind (below).
  TransactWriteCommand: [],
  TransactWriteItemsCommand: [],
  TransactGetCommand: ['dynamodb:GetItem'],
  TransactGetItemsCommand: ['dynamodb:GetItem'],
};
const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

/**
 * The DynamoDB actions the project's own source in a handler's bundle can call: the commands it imports
 * from the SDK, and the item kinds of its transactions. Only files esbuild kept (bytes in the output)
 * count, so a store the function never imports adds nothing.
 */
async function usedTableActions(name: Name): Promise<string[]> {
  const result = await build({
    entryPoints: [resolve('functions', name, 'handler.ts')],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    mainFields: MAIN_FIELDS,
    external: EXTERNAL_MODULES,
    logLevel: 'error',
  });
  const output = Object.values(result.metafile.outputs)[0];
  const ownFiles = Object.entries(output?.inputs ?? {})
    .filter(([path, info]) => info.bytesInOutput > 0 && /^(shared|functions)\//.test(relative('.', path)))
    .map(([path]) => path);
  expect(ownFiles.length, name).toBeGreaterThan(0);
  const actions = new Set<string>();
  for (const file of ownFiles) {
    const source = readFileSync(file, 'utf8');
    const imports = [
      ...source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(?:lib-dynamodb|client-dynamodb)'/g),
    ];
    const commands = imports
      .flatMap((m) => (m[1] ?? '').split(','))
      .map((n) => n.replace(/^\s*type\s+/, '').trim())
      .filter((n) => n.endsWith('Command'));
    for (const command of commands) {
      const mapped = COMMAND_ACTIONS[command];
      expect(mapped, `${file} imports ${command}: map it to its IAM actions in this test`).toBeDefined();
      for (const action of mapped ?? []) actions.add(action);
    }
    if (commands.some((c) => c.startsWith('TransactWrite'))) {
      for (const m of source.matchAll(/\b(Put|Update|Delete|ConditionCheck)\s*:\s*\{/g)) {
        actions.add(TRANSACT_ITEM_ACTIONS[m[1] ?? ''] ?? '');
      }
    }
  }
  return [...actions].sort();
}

describe('table grants: each function may call only the DynamoDB actions it uses', () => {
  it.each(FUNCTIONS)('%s is granted exactly its pinned actions', (name) => {
    expect(grantedTableActions(name)).toEqual(PINNED[name]);
  });

  it('no function may Scan, BatchWriteItem or DescribeTable; only admin-api may DeleteItem', () => {
    for (const name of FUNCTIONS) {
      const granted = grantedTableActions(name);
      for (const never of ['dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:DescribeTable']) {
        expect(granted, `${name} ${never}`).not.toContain(never);
      }
      expect(granted.includes('dynamodb:DeleteItem'), name).toBe(name === 'admin-api');
    }
  });

  it.each(FUNCTIONS)('%s is granted what its bundled code calls, no more and no less', async (name) => {
    expect(await usedTableActions(name)).toEqual(grantedTableActions(name));
  });
});
