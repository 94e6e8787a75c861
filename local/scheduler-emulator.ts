import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { DateTime, IANAZone } from 'luxon';
import { TARGET_RETRY } from '../shared/runtime/scheduled-work.js';
import { closeServer, isLoopbackHost, listen } from './gateway.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './lambda-context.js';

/**
 * The part of the EventBridge Scheduler REST API our AWS adapter calls, served locally so the real
 * `@aws-sdk/client-scheduler` runs unchanged (`AWS_ENDPOINT_URL_SCHEDULER`), plus the firing AWS does:
 * a timer checks every 500 ms and hands each due schedule's Target Input to `deliver`.
 *
 * Wire format, read from the client's schemas (client-scheduler 3.1169, protocol restJson1):
 * - CreateSchedule  POST   /schedules/{Name}  JSON body (every member but Name), 200 `{ScheduleArn}`
 * - GetSchedule     GET    /schedules/{Name}?groupName=
 * - DeleteSchedule  DELETE /schedules/{Name}?groupName=&clientToken=   200 `{}`
 * - ListSchedules   GET    /schedules?ScheduleGroup=&NamePrefix=&State=&NextToken=&MaxResults=
 * - errors: status code + `x-amzn-errortype` header + `{"Message": ...}`; timestamps are epoch seconds.
 *
 * Like AWS, and unlike a plain timer: schedules survive a restart when `stateFile` is given (every
 * change is written to it, and a start reads it back), a target that throws is retried with backoff and
 * then dead-lettered (TARGET_RETRY, the stack's async-invoke policy), and `recurring` runs the
 * rate() schedules the stack creates itself (the five-minute sweep) with the same Input.
 *
 * Differences from AWS, on purpose: groups spring into existence when first used (AWS answers
 * ResourceNotFoundException for a group the stack did not create), only `at()` expressions are
 * accepted (the only kind we create), and firing is to the second rather than "within the minute".
 * The adapter to the InProcessScheduler is not reused: it keys schedules by name alone and keeps only
 * our event type, while this emulator must keep groups, the raw Target for GetSchedule, and the Input
 * text for AWS's placeholder substitution at each firing.
 */

export interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy?: { MaximumEventAgeInSeconds?: number; MaximumRetryAttempts?: number };
  DeadLetterConfig?: { Arn?: string };
}

export interface StoredSchedule {
  Name: string;
  GroupName: string;
  Arn: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  State: 'ENABLED' | 'DISABLED';
  Description?: string;
  Target: ScheduleTarget;
  FlexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  ActionAfterCompletion: 'NONE' | 'DELETE';
  CreationDate: Date;
  LastModificationDate: Date;
  /** When `at()` falls, as an instant. */
  fireAt: Date;
  /** One-time schedules fire once; with ActionAfterCompletion NONE they stay, completed. */
  fired: boolean;
}

export interface Delivery {
  name: string;
  groupName: string;
  targetArn: string;
  executionId: string;
  scheduledTime: string;
  /** 1 for the first try, then 2, 3... for retries (`<aws.scheduler.attempt-number>`). */
  attempt: number;
}

/** One event on its way to the target: the first try and every retry of one firing. */
export interface Invocation {
  executionId: string;
  name: string;
  groupName: string;
  targetArn: string;
  /** The Input with every placeholder but the attempt number already replaced. */
  text: string;
  scheduledTime: string;
  firstAttemptAt: string;
  /** The number of the next attempt. */
  attempt: number;
  nextAttemptAt: string;
}

/** An event every attempt failed for: what AWS would put on the scheduler dead-letter queue. */
export interface DeadLetter {
  name: string;
  groupName: string;
  input: unknown;
  attempts: number;
  scheduledTime: string;
  error: string;
}

export interface RetryPolicy {
  /** Retries after the first try. */
  attempts: number;
  /** Wait before the first retry; each further retry waits twice as long. */
  firstDelayMs: number;
  /** An event older than this is dead-lettered instead of retried. */
  maxEventAgeMs: number;
}

/** A rate() schedule the stack creates itself (not through the API), e.g. the stalled-slot sweep. */
export interface RecurringSchedule {
  name: string;
  everyMs: number;
  /** Target Input, with the same placeholders as a stored schedule's. */
  input: string;
}

export interface SchedulerEmulatorOptions {
  port?: number;
  /** Receives the Target Input, JSON-parsed after placeholder substitution (the raw text if not JSON). */
  deliver: (input: unknown, delivery: Delivery) => Promise<void>;
  tickMs?: number;
  now?: () => Date;
  log?: (line: string) => void;
  /** Where schedules, waiting retries and dead letters are kept across restarts; memory only without. */
  stateFile?: string;
  /** Defaults to TARGET_RETRY, the policy the stack gives the target function in AWS. */
  retry?: RetryPolicy;
  recurring?: RecurringSchedule[];
}

export interface RunningSchedulerEmulator {
  url: string;
  port: number;
  /** Schedules not yet fired, earliest first. */
  pending(): StoredSchedule[];
  /** Events that failed and wait for their next attempt. */
  retrying(): Invocation[];
  /** Events every attempt failed for, oldest first. */
  deadLetters(): DeadLetter[];
  /** Fires whatever is due now; the timer calls this. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;
const AT_EXPRESSION = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;

/** Parses `at(yyyy-mm-ddThh:mm:ss)` read in the given IANA zone (UTC when none), as Scheduler does. */
export function parseAtExpression(expression: string, timezone = 'UTC'): Date {
  const match = AT_EXPRESSION.exec(expression);
  if (!match?.[1]) {
    throw new ApiError(400, 'ValidationException', `Invalid Schedule Expression ${expression}.`);
  }
  if (!IANAZone.isValidZone(timezone)) {
    throw new ApiError(400, 'ValidationException', `Invalid ScheduleExpressionTimezone ${timezone}.`);
  }
  const at = DateTime.fromISO(match[1], { zone: timezone });
  if (!at.isValid)
    throw new ApiError(400, 'ValidationException', `Invalid Schedule Expression ${expression}.`);
  return at.toJSDate();
}

const epochSeconds = (date: Date) => date.getTime() / 1000;

function describe(s: StoredSchedule) {
  return {
    Arn: s.Arn,
    Name: s.Name,
    GroupName: s.GroupName,
    ScheduleExpression: s.ScheduleExpression,
    ...(s.ScheduleExpressionTimezone ? { ScheduleExpressionTimezone: s.ScheduleExpressionTimezone } : {}),
    ...(s.Description ? { Description: s.Description } : {}),
    State: s.State,
    CreationDate: epochSeconds(s.CreationDate),
    LastModificationDate: epochSeconds(s.LastModificationDate),
    Target: s.Target,
    FlexibleTimeWindow: s.FlexibleTimeWindow,
    ActionAfterCompletion: s.ActionAfterCompletion,
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // falls through to the validation error below
  }
  throw new ApiError(400, 'ValidationException', 'Request body is not a JSON object.');
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}

interface PersistedState {
  version: 1;
  schedules: (Omit<StoredSchedule, 'CreationDate' | 'LastModificationDate' | 'fireAt'> & {
    CreationDate: string;
    LastModificationDate: string;
    fireAt: string;
  })[];
  invocations: Invocation[];
  deadLetters: DeadLetter[];
}

function readState(file: string, log: (line: string) => void): Omit<PersistedState, 'version'> {
  const empty = { schedules: [], invocations: [], deadLetters: [] };
  if (!existsSync(file)) return empty;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as PersistedState;
    if (state.version !== 1) throw new Error(`unknown version ${String(state.version)}`);
    return state;
  } catch (error) {
    // A half-written or hand-edited file must not stop `npm start`: keep it aside for a look, start empty.
    const aside = `${file}.unreadable-${Date.now()}`;
    renameSync(file, aside);
    log(
      `could not read ${file} (${error instanceof Error ? error.message : String(error)}); moved to ${aside}`,
    );
    return empty;
  }
}

function writeState(file: string, state: PersistedState): void {
  mkdirSync(dirname(file), { recursive: true });
  // Write then rename, so a crash mid-write leaves the previous file, never half of one.
  const partial = `${file}.partial`;
  writeFileSync(partial, JSON.stringify(state));
  renameSync(partial, file);
}

export async function startSchedulerEmulator(
  options: SchedulerEmulatorOptions,
): Promise<RunningSchedulerEmulator> {
  const schedules = new Map<string, StoredSchedule>();
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  const key = (group: string, name: string) => `${group}/${name}`;
  const retry: RetryPolicy = options.retry ?? {
    attempts: TARGET_RETRY.retryAttempts,
    firstDelayMs: TARGET_RETRY.firstDelaySeconds * 1000,
    maxEventAgeMs: TARGET_RETRY.maxEventAgeSeconds * 1000,
  };
  let invocations: Invocation[] = [];
  const dead: DeadLetter[] = [];
  const { stateFile } = options;

  if (stateFile) {
    const saved = readState(stateFile, log);
    for (const s of saved.schedules) {
      schedules.set(key(s.GroupName, s.Name), {
        ...s,
        CreationDate: new Date(s.CreationDate),
        LastModificationDate: new Date(s.LastModificationDate),
        fireAt: new Date(s.fireAt),
      });
    }
    invocations = saved.invocations;
    dead.push(...saved.deadLetters);
    const waiting = [...schedules.values()].filter((s) => !s.fired).length;
    if (waiting + invocations.length > 0) {
      log(`resumed ${waiting} schedule(s) and ${invocations.length} retry(ies) from ${stateFile}`);
    }
  }

  /** Called after every change, so a restart (or a crash) loses nothing that was acknowledged. */
  function persist(): void {
    if (!stateFile) return;
    writeState(stateFile, {
      version: 1,
      schedules: [...schedules.values()].map((s) => ({
        ...s,
        CreationDate: s.CreationDate.toISOString(),
        LastModificationDate: s.LastModificationDate.toISOString(),
        fireAt: s.fireAt.toISOString(),
      })),
      invocations,
      deadLetters: dead,
    });
  }

  function create(name: string, body: Record<string, unknown>): StoredSchedule {
    const groupName = str(body.GroupName) ?? 'default';
    const expression = str(body.ScheduleExpression);
    const target = body.Target as Partial<ScheduleTarget> | undefined;
    const window = body.FlexibleTimeWindow as StoredSchedule['FlexibleTimeWindow'] | undefined;
    if (!expression) throw new ApiError(400, 'ValidationException', 'ScheduleExpression is required.');
    if (!target || typeof target.Arn !== 'string' || typeof target.RoleArn !== 'string') {
      throw new ApiError(400, 'ValidationException', 'Target.Arn and Target.RoleArn are required.');
    }
    if (target.Input !== undefined && typeof target.Input !== 'string') {
      throw new ApiError(400, 'ValidationException', 'Target.Input must be a string.');
    }
    if (!window || (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE')) {
      throw new ApiError(400, 'ValidationException', 'FlexibleTimeWindow.Mode must be OFF or FLEXIBLE.');
    }
    const timezone = str(body.ScheduleExpressionTimezone);
    const fireAt = parseAtExpression(expression, timezone);
    const after = str(body.ActionAfterCompletion) ?? 'NONE';
    if (after !== 'NONE' && after !== 'DELETE') {
      throw new ApiError(400, 'ValidationException', 'ActionAfterCompletion must be NONE or DELETE.');
    }
    const state = str(body.State) ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') {
      throw new ApiError(400, 'ValidationException', 'State must be ENABLED or DISABLED.');
    }
    const created = now();
    return {
      Name: name,
      GroupName: groupName,
      Arn: `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:schedule/${groupName}/${name}`,
      ScheduleExpression: expression,
      ...(timezone ? { ScheduleExpressionTimezone: timezone } : {}),
      ...(str(body.Description) ? { Description: str(body.Description) } : {}),
      State: state,
      Target: target as ScheduleTarget,
      FlexibleTimeWindow: window,
      ActionAfterCompletion: after,
      CreationDate: created,
      LastModificationDate: created,
      fireAt,
      fired: false,
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The SDK calls 127.0.0.1; any other Host is a browser page rebound to this port, which could
    // otherwise create schedules that start batches (real texts, in real-Twilio mode).
    if (!isLoopbackHost(req.headers.host)) {
      throw new ApiError(
        403,
        'AccessDeniedException',
        'The local Scheduler emulator answers only on localhost.',
      );
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'schedules' || parts.length > 2) {
      throw new ApiError(
        404,
        'UnknownOperationException',
        `The local Scheduler emulator does not serve ${method} ${url.pathname}.`,
      );
    }
    const name = parts[1];
    if (name === undefined) {
      if (method !== 'GET')
        throw new ApiError(405, 'UnknownOperationException', 'Only GET /schedules is served.');
      return list(url, res);
    }
    if (!NAME.test(name)) {
      throw new ApiError(400, 'ValidationException', 'Name must be 1-64 characters [0-9a-zA-Z-_.].');
    }
    if (method === 'POST') {
      const schedule = create(name, await readJson(req));
      const id = key(schedule.GroupName, name);
      if (schedules.has(id)) throw new ApiError(409, 'ConflictException', `Schedule ${name} already exists.`);
      schedules.set(id, schedule);
      persist();
      log(`schedule ${name} created, fires ${schedule.fireAt.toISOString()}`);
      return sendJson(res, 200, { ScheduleArn: schedule.Arn });
    }
    req.resume();
    const group = url.searchParams.get('groupName') ?? 'default';
    const existing = schedules.get(key(group, name));
    if (!existing) throw new ApiError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
    if (method === 'GET') return sendJson(res, 200, describe(existing));
    if (method === 'DELETE') {
      schedules.delete(key(group, name));
      persist();
      log(`schedule ${name} deleted`);
      return sendJson(res, 200, {});
    }
    throw new ApiError(405, 'UnknownOperationException', `${method} is not served on a schedule.`);
  }

  function list(url: URL, res: ServerResponse): void {
    const group = url.searchParams.get('ScheduleGroup');
    const prefix = url.searchParams.get('NamePrefix') ?? '';
    const state = url.searchParams.get('State');
    const max = Math.min(Number(url.searchParams.get('MaxResults') ?? 100) || 100, 100);
    const start = Number(url.searchParams.get('NextToken') ?? 0) || 0;
    const matching = [...schedules.values()]
      .filter(
        (s) =>
          (!group || s.GroupName === group) && s.Name.startsWith(prefix) && (!state || s.State === state),
      )
      .sort((a, b) => (a.Name < b.Name ? -1 : 1));
    const page = matching.slice(start, start + max);
    sendJson(res, 200, {
      Schedules: page.map((s) => ({
        Arn: s.Arn,
        Name: s.Name,
        GroupName: s.GroupName,
        State: s.State,
        CreationDate: epochSeconds(s.CreationDate),
        LastModificationDate: epochSeconds(s.LastModificationDate),
        Target: { Arn: s.Target.Arn },
      })),
      ...(start + max < matching.length ? { NextToken: String(start + max) } : {}),
    });
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      req.resume();
      if (error instanceof ApiError) {
        sendJson(res, error.status, { Message: error.message }, { 'x-amzn-errortype': error.type });
        return;
      }
      log(`scheduler emulator error: ${error instanceof Error ? error.message : String(error)}`);
      sendJson(res, 500, { Message: 'Internal error' }, { 'x-amzn-errortype': 'InternalServerException' });
    });
  });

  const recurring = (options.recurring ?? []).map((r) => ({ ...r, nextAt: now().getTime() + r.everyMs }));

  let ticking: Promise<void> | undefined;
  function tick(): Promise<void> {
    // One tick at a time: a slow handler must not let the next tick fire the same schedule again.
    ticking ??= runDue().finally(() => {
      ticking = undefined;
    });
    return ticking;
  }

  async function runDue(): Promise<void> {
    const at = now().getTime();
    const queued = invocations.length;
    for (const r of recurring) {
      if (r.nextAt > at) continue;
      enqueue({
        name: r.name,
        groupName: 'default',
        targetArn: 'recurring',
        Input: r.input,
        fireAt: new Date(r.nextAt),
      });
      // A tick that ran late (a long delivery) owes one sweep, not one per interval it missed.
      while (r.nextAt <= at) r.nextAt += r.everyMs;
    }
    for (;;) {
      const due = pending().find((s) => s.fireAt.getTime() <= now().getTime());
      if (!due) break;
      due.fired = true;
      if (due.ActionAfterCompletion === 'DELETE') schedules.delete(key(due.GroupName, due.Name));
      enqueue({
        name: due.Name,
        groupName: due.GroupName,
        targetArn: due.Target.Arn,
        Input: due.Target.Input ?? '{}',
        fireAt: due.fireAt,
        arn: due.Arn,
      });
    }
    // Written only when something fired: the timer ticks twice a second.
    if (invocations.length !== queued) persist();
    for (;;) {
      const next = invocations.find((i) => Date.parse(i.nextAttemptAt) <= now().getTime());
      if (!next) return;
      await attempt(next);
      persist();
    }
  }

  function enqueue(from: {
    name: string;
    groupName: string;
    targetArn: string;
    Input: string;
    fireAt: Date;
    arn?: string;
  }): void {
    const executionId = randomUUID();
    // AWS writes the scheduled time as ISO 8601 UTC without milliseconds.
    const scheduledTime = `${from.fireAt.toISOString().slice(0, 19)}Z`;
    const text = from.Input.replaceAll('<aws.scheduler.scheduled-time>', scheduledTime)
      .replaceAll('<aws.scheduler.execution-id>', executionId)
      .replaceAll('<aws.scheduler.schedule-arn>', from.arn ?? from.name);
    const at = now().toISOString();
    invocations.push({
      executionId,
      name: from.name,
      groupName: from.groupName,
      targetArn: from.targetArn,
      text,
      scheduledTime,
      firstAttemptAt: at,
      attempt: 1,
      nextAttemptAt: at,
    });
  }

  async function attempt(invocation: Invocation): Promise<void> {
    const text = invocation.text.replaceAll('<aws.scheduler.attempt-number>', String(invocation.attempt));
    let input: unknown = text;
    try {
      input = JSON.parse(text);
    } catch {
      // A non-JSON Input is delivered as the raw string, as Lambda would receive it.
    }
    try {
      await options.deliver(input, {
        name: invocation.name,
        groupName: invocation.groupName,
        targetArn: invocation.targetArn,
        executionId: invocation.executionId,
        scheduledTime: invocation.scheduledTime,
        attempt: invocation.attempt,
      });
      invocations = invocations.filter((i) => i !== invocation);
      log(
        `schedule ${invocation.name} fired${invocation.attempt > 1 ? ` (attempt ${invocation.attempt})` : ''}`,
      );
    } catch (error) {
      // Only the error's message: the payload is ids, but an error text could quote anything.
      const message = error instanceof Error ? error.message : String(error);
      const age = now().getTime() - Date.parse(invocation.firstAttemptAt);
      if (invocation.attempt > retry.attempts || age > retry.maxEventAgeMs) {
        invocations = invocations.filter((i) => i !== invocation);
        dead.push({
          name: invocation.name,
          groupName: invocation.groupName,
          input,
          attempts: invocation.attempt,
          scheduledTime: invocation.scheduledTime,
          error: message,
        });
        log(
          `schedule ${invocation.name}: target failed ${invocation.attempt} time(s), dead-lettered: ${message}`,
        );
        return;
      }
      const delay = retry.firstDelayMs * 2 ** (invocation.attempt - 1);
      invocation.nextAttemptAt = new Date(now().getTime() + delay).toISOString();
      log(
        `schedule ${invocation.name}: target failed (attempt ${invocation.attempt}), retrying in ${delay} ms: ${message}`,
      );
      invocation.attempt += 1;
    }
  }

  function pending(): StoredSchedule[] {
    return [...schedules.values()]
      .filter((s) => !s.fired && s.State === 'ENABLED')
      .sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime());
  }

  const { url, port } = await listen(server, options.port ?? 0);
  const timer = setInterval(() => void tick(), options.tickMs ?? 500);
  return {
    url,
    port,
    pending,
    retrying: () => invocations.filter((i) => i.attempt > 1),
    deadLetters: () => [...dead],
    tick,
    close: async () => {
      clearInterval(timer);
      await closeServer(server);
      // A delivery in progress finishes and is persisted before the next start reads the file.
      await ticking;
    },
  };
}
