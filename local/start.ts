import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DEFAULT_PORT,
  type LocalStackContext,
  LocalStackError,
  type RunningLocalStack,
  startLocalStack,
} from './stack.js';

/**
 * `npm start`: the whole system on this machine. A thin wrapper around startLocalStack that reads
 * .env, picks ports and folders, prints what it serves, and stops everything on Ctrl-C.
 *
 *   npm start               data kept in .local-data/ (DynamoDB, schedules) between runs
 *   npm start -- --fresh    wipe that data first
 *
 * Environment: PORT (3000; the SMS simulator, Scheduler emulator and DynamoDB Local take the next three
 * ports unless SMS_SIMULATOR_PORT, SCHEDULER_EMULATOR_PORT, DYNAMODB_PORT say otherwise),
 * AWS_ENDPOINT_URL_DYNAMODB (use an existing DynamoDB instead of starting one), and TWILIO_ACCOUNT_SID
 * with its friends to send real texts instead of simulating them.
 */

export { type LocalStackOptions, type RunningLocalStack, startLocalStack } from './stack.js';

const DATA_PATH = '.local-data/dynamodb';
/** The Scheduler emulator's schedules and retries, so a restart resumes holds and deferred batches. */
const SCHEDULER_PATH = '.local-data/scheduler';

/**
 * Sample providers, locations, ~30 waitlisted patients and two cancellations, logged through the real
 * engine so their first batches are scheduled like any other. Runs after every emulator is up, with the
 * handlers' environment in place.
 */
async function seedOnFirstStart(ctx: LocalStackContext): Promise<void> {
  const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const { seedSampleData } = await import('./seed.js');
  const { buildEngine } = await import('../shared/runtime/composition.js');
  const { buildSmsSender } = await import('../shared/runtime/sms-sender.js');
  const { engine, config } = buildEngine({ sms: await buildSmsSender(), advanceMode: 'inline' });
  await seedSampleData({
    doc: DynamoDBDocumentClient.from(ctx.dynamo, { marshallOptions: { removeUndefinedValues: true } }),
    tableName: ctx.tableName,
    clinicTimeZone: config.CLINIC_TIME_ZONE,
    now: new Date().toISOString(),
    engine,
    log: ctx.log,
  });
}

/** OIDC_ISSUER + OIDC_CLIENT_ID + OIDC_DOMAIN: sign in through a Cognito user pool instead of locally. */
function oidcFromEnv():
  | { oidc: { issuer: string; clientId: string; domain: string } }
  | Record<string, never> {
  const issuer = process.env.OIDC_ISSUER?.trim();
  const clientId = process.env.OIDC_CLIENT_ID?.trim();
  const domain = process.env.OIDC_DOMAIN?.trim();
  if (!issuer && !clientId && !domain) return {};
  if (!issuer || !clientId || !domain) {
    throw new LocalStackError('Set all of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_DOMAIN in .env, or none.');
  }
  return { oidc: { issuer, clientId, domain } };
}

function numberFrom(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new LocalStackError(`${name}=${raw} is not a port number (0-65535).`);
  }
  return value;
}

function printTunnelHelp(publicApi: string): void {
  const port = process.env.PORT || DEFAULT_PORT;
  console.log(`
Real Twilio mode: texts go out through your Twilio account.
For replies and delivery receipts, Twilio must reach /sms/* on this machine. Expose it with a tunnel:
  cloudflared tunnel --url http://localhost:${port}     (or: ngrok http ${port})
The gateway answers a tunnel (any non-loopback Host, any proxied request) on /sms/* only, 403 elsewhere;
a named cloudflared tunnel with an ingress rule "path: ^/sms/" keeps the rest off the internet entirely.
Then set PUBLIC_API_URL to the tunnel's https URL in .env, restart, and set the number's (or Messaging
Service's) incoming-message webhook to <PUBLIC_API_URL>/sms/inbound (HTTP POST).
The local login is off in this mode (it would hand an admin token to anyone): sign in through Cognito
(OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_DOMAIN in .env).
Current PUBLIC_API_URL: ${publicApi}`);
}

/** A first run at night would otherwise look broken: offers wait for the contact window, on purpose. */
async function explainQuietHours(env: Record<string, string | undefined>): Promise<void> {
  const { parseConfig } = await import('../shared/config.js');
  const { isWithinContactWindow, nextContactWindowOpening } = await import(
    '../shared/domain/contact-window.js'
  );
  const config = parseConfig(env);
  const window = { start: config.CONTACT_HOURS_START, end: config.CONTACT_HOURS_END };
  const now = new Date().toISOString();
  if (isWithinContactWindow(now, config.CLINIC_TIME_ZONE, window)) return;
  const opening = new Date(nextContactWindowOpening(now, config.CLINIC_TIME_ZONE, window));
  console.log(
    `\nNote: it is outside contact hours (${window.start}-${window.end} ${config.CLINIC_TIME_ZONE}), so offers wait\n` +
      `until ${opening.toLocaleString('en-US', { timeZone: config.CLINIC_TIME_ZONE })}. To try the flow now, set\n` +
      'CONTACT_HOURS_START=00:00, CONTACT_HOURS_END=24:00 and LEGAL_QUIET_HOURS=false in .env and restart.',
  );
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(
      'Usage: npm start [-- --fresh]\n  --fresh  delete the local DynamoDB data and schedules first',
    );
    return;
  }
  // A developer's settings (real Twilio credentials, clinic name...) live in .env.
  if (existsSync('.env')) process.loadEnvFile('.env');

  const fresh = argv.includes('--fresh');
  const dataPath = resolve(DATA_PATH);
  if (fresh) {
    rmSync(dataPath, { recursive: true, force: true });
    // Schedules for slots that no longer exist would only fire into nothing.
    rmSync(resolve(SCHEDULER_PATH), { recursive: true, force: true });
    console.log(`--fresh: deleted ${DATA_PATH} and ${SCHEDULER_PATH}`);
  }
  const dashboardDir = resolve('dashboard/dist');
  const externalDynamo = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const realTwilio = Boolean(process.env.TWILIO_ACCOUNT_SID);
  const port = numberFrom('PORT') ?? DEFAULT_PORT;
  const simulatorPort = numberFrom('SMS_SIMULATOR_PORT');
  const schedulerPort = numberFrom('SCHEDULER_EMULATOR_PORT');
  const dynamoPort = numberFrom('DYNAMODB_PORT');

  let stack: RunningLocalStack | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      console.log('Forced exit.');
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: stopping (Ctrl-C again to force)…`);
    try {
      await stack?.stop();
      console.log('Stopped cleanly.');
      process.exit(0);
    } catch (error) {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const started = Date.now();
  stack = await startLocalStack({
    port,
    ...(simulatorPort !== undefined ? { simulatorPort } : {}),
    ...(schedulerPort !== undefined ? { schedulerPort } : {}),
    ...(dynamoPort !== undefined ? { dynamoPort } : {}),
    ...(externalDynamo ? { dynamoEndpoint: externalDynamo } : { dataPath }),
    ...(existsSync(dashboardDir) ? { dashboardDir } : {}),
    schedulerStateFile: resolve(SCHEDULER_PATH, 'schedules.json'),
    twilio: realTwilio ? 'real' : 'simulator',
    ...oidcFromEnv(),
    log: (line) => console.log(line),
    // First start only (the seed skips a table that already has providers).
    seed: seedOnFirstStart,
  });
  if (stopping) return;

  const { urls } = stack;
  const rows: [string, string | undefined][] = [
    ['Dashboard', urls.dashboard ?? `${urls.gateway}/  (dashboard/dist not built: a page of links instead)`],
    ['API', `${urls.gateway}  (POST /sms/inbound, POST /sms/status, /admin/...)`],
    ['Local login', urls.login],
    ['Simulated phones', urls.phones],
    ['Fake Twilio API', urls.twilioApi],
    ['Scheduler emulator', urls.scheduler],
    ['DynamoDB', `${urls.dynamodb}${externalDynamo ? '  (external)' : `  (data: ${DATA_PATH})`}`],
  ];
  console.log(
    `\nClinic backfill is running locally (ready in ${((Date.now() - started) / 1000).toFixed(1)} s):`,
  );
  for (const [label, url] of rows) if (url) console.log(`  ${label.padEnd(19)} ${url}`);
  if (realTwilio) printTunnelHelp(urls.publicApi);
  // The developer's .env and shell (already in process.env) plus what the stack set for the handlers.
  await explainQuietHours({ ...process.env, ...stack.env });
  console.log('\nPress Ctrl-C to stop.');
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof LocalStackError) {
      console.error(`\nCannot start the local stack:\n${error.message}`);
    } else {
      console.error(error);
    }
    process.exit(1);
  });
}
