/**
 * Bundle-size and cold-import benchmark: `tsx bench/bundles.ts` (npm script `bench:bundles`).
 *
 * Bundles every functions/<name>/handler.ts the way the stack ships it (the esbuild settings of
 * lib/constructs/function-bundling.ts: ESM, node24, minified, AWS SDK bundled, external source map), then
 * imports each bundle in fresh Node processes and prints the median import time. Reference rows: the
 * floor under every handler (bench/floor/: a DynamoDB client alone; the AWS clients and luxon a webhook
 * needs), the Twilio signature check webhooks import, and the Twilio sender only the offer sender may.
 *
 * Goal from the SMS issue: each function <= 400 KB minified and <= 60 ms to import. `--strict` exits 1
 * when a function misses it. BENCH_RUNS changes the number of fresh processes per bundle (default 5).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleAsShipped } from '../test/support/bundle.js';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const GOAL_BYTES = 400 * 1024;
const GOAL_IMPORT_MS = 60;

interface Entry {
  name: string;
  file: string;
  /** Reference entries are not functions; the goal does not apply. */
  reference: boolean;
}

function entries(): Entry[] {
  const functionsDir = join(ROOT, 'functions');
  const functions = readdirSync(functionsDir)
    .filter((dir) => statSync(join(functionsDir, dir, 'handler.ts'), { throwIfNoEntry: false })?.isFile())
    .sort()
    .map((dir) => ({ name: dir, file: join(functionsDir, dir, 'handler.ts'), reference: false }));
  return [
    ...functions,
    {
      name: '(ref) DynamoDB client alone',
      file: join(ROOT, 'bench/floor/dynamodb-client.ts'),
      reference: true,
    },
    {
      name: '(ref) webhook AWS clients + luxon',
      file: join(ROOT, 'bench/floor/webhook-dependencies.ts'),
      reference: true,
    },
    {
      name: '(ref) twilio signature.ts',
      file: join(ROOT, 'shared/adapters/twilio/signature.ts'),
      reference: true,
    },
    {
      name: '(ref) twilio webhook-middleware.ts',
      file: join(ROOT, 'shared/adapters/twilio/webhook-middleware.ts'),
      reference: true,
    },
    {
      name: '(ref) twilio twilio-sms.ts',
      file: join(ROOT, 'shared/adapters/twilio/twilio-sms.ts'),
      reference: true,
    },
  ];
}

async function bundle(entry: Entry, outDir: string): Promise<string> {
  const outfile = join(outDir, `${entry.name.replace(/[^a-z0-9-]+/gi, '_')}.mjs`);
  await bundleAsShipped(entry.file, outfile);
  return outfile;
}

const COLD_START_ENV = {
  TABLE_NAME: 'bench-table',
  INBOUND_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-inbound',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'bench-token',
  TWILIO_FROM_NUMBER: '+15005550006',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};

/** Milliseconds to import `file` in a fresh process, measured inside it (Node's own boot excluded). */
function importMs(file: string): number {
  const url = pathToFileURL(file).href;
  const script = `const t = performance.now(); await import(${JSON.stringify(url)}); console.log(performance.now() - t);`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    // Handlers read their configuration at cold start (and fail loudly without it): give them a
    // complete one. Nothing here is contacted during import.
    env: { ...process.env, ...COLD_START_ENV },
  });
  if (run.status !== 0) throw new Error(`importing ${file} failed:\n${run.stderr.slice(-2000)}`);
  return Number(run.stdout.trim());
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function kb(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

async function main(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  const rows: string[][] = [];
  let over = 0;
  try {
    for (const entry of entries()) {
      const file = await bundle(entry, outDir);
      const code = readFileSync(file);
      const gzip = gzipSync(code).length;
      const times = Array.from({ length: RUNS }, () => importMs(file));
      const ms = median(times);
      const ok = code.length <= GOAL_BYTES && ms <= GOAL_IMPORT_MS;
      if (!entry.reference && !ok) over++;
      rows.push([
        entry.name,
        `${code.length}`,
        kb(code.length),
        `${gzip}`,
        ms.toFixed(1),
        entry.reference ? '-' : ok ? 'ok' : 'OVER',
      ]);
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  const header = ['function', 'bytes (min)', 'size', 'gzip bytes', `import ms (median of ${RUNS})`, 'goal'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log(
    `\nGoal per function: <= ${kb(GOAL_BYTES)} minified, <= ${GOAL_IMPORT_MS} ms import. Node ${process.version}.`,
  );
  if (over > 0) {
    console.log(`${over} function(s) over the goal.`);
    // Informational by default; `--strict` makes it a gate (e.g. in CI once the handlers are real).
    if (process.argv.includes('--strict')) process.exitCode = 1;
  }
}

await main();
