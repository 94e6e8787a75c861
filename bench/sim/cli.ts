import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../../test/support/dynamodb-local.js';
import { pool, type RunSummary } from './metrics.js';
import { loadModel, ModelError } from './model.js';
import { clinicSettings, policiesFor } from './policies.js';
import { type RunResult, runScenario } from './run-scenario.js';

/**
 * `npm run simulate -- --model FILE [--policy seed,fixed,adaptive] [--scenario NAME] [--seed N] [--json]`
 * (docs/simulation.md). The model is validated before DynamoDB Local starts: a bad file runs nothing.
 */

const USAGE =
  'usage: npm run simulate -- --model FILE [--policy seed,fixed,adaptive] [--scenario NAME[,NAME]] [--seed N] [--json] [--parallel N] [--slots N]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      policy: { type: 'string', default: 'seed,fixed' },
      scenario: { type: 'string' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      parallel: { type: 'string', default: '6' },
      slots: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help || !values.model) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const seed = Number(values.seed);
  const parallel = Number(values.parallel);
  if (!Number.isInteger(seed)) throw new ModelError(`--seed must be a whole number, got "${values.seed}"`);
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new ModelError('--parallel must be a whole number ≥ 1');
  const model = loadModel(values.model);
  const wanted = values.scenario?.split(',').map((s) => s.trim());
  const scenarios = model.scenarios
    .filter((s) => !wanted || wanted.includes(s.name))
    .map((s) => (values.slots ? { ...s, slots: Number(values.slots) } : s));
  const missing = wanted?.filter((w) => !model.scenarios.some((s) => s.name === w)) ?? [];
  if (missing.length > 0) {
    throw new ModelError(
      `unknown scenario ${missing.join(', ')} (the model has ${model.scenarios.map((s) => s.name).join(', ')})`,
    );
  }
  const policies = policiesFor(
    values.policy
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
    clinicSettings(),
  );

  const started = Date.now();
  const external = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const dynamo = external ? { endpoint: external, stop: async () => {} } : await startDynamoDbLocal();
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 10,
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  try {
    const jobs = scenarios.flatMap((scenario) => policies.map((policy) => ({ scenario, policy })));
    const results: RunResult[] = new Array(jobs.length);
    let next = 0;
    // Runs are independent (a table each): several at once keep DynamoDB Local and the CPU busy.
    await Promise.all(
      Array.from({ length: Math.min(parallel, jobs.length) }, async () => {
        for (let i = next++; i < jobs.length; i = next++) {
          const job = jobs[i] as (typeof jobs)[number];
          results[i] = await runScenario({ client, doc, model, seed, ...job });
        }
      }),
    );
    const lines: Array<RunSummary & { scenario: string; policy: string }> = results.map((r) => r.line);
    for (const policy of policies) {
      const mine = results.filter((r) => r.line.policy === policy.name);
      lines.push({
        scenario: 'ALL',
        policy: policy.name,
        ...pool(
          mine.map((r) => ({ outcomes: r.outcomes, sent: r.sent, summary: r.line, waitlist: r.waitlist })),
        ),
      });
    }
    const seconds = (Date.now() - started) / 1000;
    if (values.json) {
      for (const line of lines) console.log(JSON.stringify(line));
    } else {
      printTable(lines);
      console.log(
        `\n${jobs.length} runs, ${lines.filter((l) => l.scenario !== 'ALL').reduce((s, l) => s + l.slots, 0)} slots in ${seconds.toFixed(1)} s (seed ${seed})`,
      );
    }
    console.error(`simulate: ${seconds.toFixed(1)} s wall`);
    return lines.some((l) => l.errors > 0) ? 1 : 0;
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

function printTable(lines: Array<RunSummary & { scenario: string; policy: string }>): void {
  const header = [
    'scenario',
    'policy',
    'slots',
    'filled',
    '≤2h',
    'min p50',
    'min p90',
    'offers',
    'offers/fill',
    'texts',
    'optouts',
    'max7d',
    'top10%',
    'days earlier',
  ];
  const rows = lines.map((l) => [
    l.scenario,
    l.policy,
    String(l.slots),
    String(l.filled),
    String(l.filledWithin2h),
    String(l.minutesToFill.median ?? '-'),
    String(l.minutesToFill.p90 ?? '-'),
    String(l.offerTexts),
    l.filled ? (l.offerTexts / l.filled).toFixed(1) : '-',
    String(l.outboundTexts),
    String(l.optOuts),
    String(l.maxOffersPerPatient7d),
    `${(l.topDecileOfferShare * 100).toFixed(0)}%`,
    String(l.medianDaysEarlier ?? '-'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const fmt = (r: string[]) =>
    r.map((c, i) => (i < 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  console.log(fmt(header));
  let last = '';
  for (const r of rows) {
    if (r[0] !== last && last) console.log('');
    last = r[0] as string;
    console.log(fmt(r));
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof ModelError ? error.message : error);
    process.exit(error instanceof ModelError ? 2 : 1);
  },
);
