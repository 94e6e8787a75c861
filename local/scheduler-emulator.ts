import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DateTime, IANAZone } from 'luxon';
import { closeServer, listen } from './gateway.js';
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
}

export interface SchedulerEmulatorOptions {
  port?: number;
  /** Receives the Target Input, JSON-parsed after placeholder substitution (the raw text if not JSON). */
  deliver: (input: unknown, delivery: Delivery) => Promise<void>;
  tickMs?: number;
  now?: () => Date;
  log?: (line: string) => void;
}

export interface RunningSchedulerEmulator {
  url: string;
  port: number;
  /** Schedules not yet fired, earliest first. */
  pending(): StoredSchedule[];
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

export async function startSchedulerEmulator(
  options: SchedulerEmulatorOptions,
): Promise<RunningSchedulerEmulator> {
  const schedules = new Map<string, StoredSchedule>();
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  const key = (group: string, name: string) => `${group}/${name}`;

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

  let ticking = false;
  async function tick(): Promise<void> {
    if (ticking) return;
    ticking = true;
    try {
      for (;;) {
        const due = pending().find((s) => s.fireAt.getTime() <= now().getTime());
        if (!due) return;
        // Marked (or deleted) before delivery so a slow handler cannot make the next tick fire it again.
        due.fired = true;
        if (due.ActionAfterCompletion === 'DELETE') schedules.delete(key(due.GroupName, due.Name));
        await fire(due);
      }
    } finally {
      ticking = false;
    }
  }

  async function fire(schedule: StoredSchedule): Promise<void> {
    const executionId = randomUUID();
    // AWS writes the scheduled time as ISO 8601 UTC without milliseconds.
    const scheduledTime = `${schedule.fireAt.toISOString().slice(0, 19)}Z`;
    const text = (schedule.Target.Input ?? '{}')
      .replaceAll('<aws.scheduler.scheduled-time>', scheduledTime)
      .replaceAll('<aws.scheduler.execution-id>', executionId)
      .replaceAll('<aws.scheduler.schedule-arn>', schedule.Arn)
      .replaceAll('<aws.scheduler.attempt-number>', '1');
    let input: unknown = text;
    try {
      input = JSON.parse(text);
    } catch {
      // A non-JSON Input is delivered as the raw string, as Lambda would receive it.
    }
    try {
      await options.deliver(input, {
        name: schedule.Name,
        groupName: schedule.GroupName,
        targetArn: schedule.Target.Arn,
        executionId,
        scheduledTime,
      });
      log(`schedule ${schedule.Name} fired`);
    } catch (error) {
      // Lambda targets are invoked asynchronously: a failing handler never fails the schedule itself.
      log(
        `schedule ${schedule.Name}: target failed: ${error instanceof Error ? error.message : String(error)}`,
      );
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
    tick,
    close: async () => {
      clearInterval(timer);
      await closeServer(server);
    },
  };
}
