import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Delivery,
  parseAtExpression,
  type RunningSchedulerEmulator,
  startSchedulerEmulator,
} from '../../local/scheduler-emulator.js';
import { SWEEP_SCHEDULE } from '../../shared/runtime/scheduled-work.js';
import { statusWithHost } from './host-check.js';

const deliveries: { input: unknown; delivery: Delivery }[] = [];
let emulator: RunningSchedulerEmulator;
let client: SchedulerClient;

beforeAll(async () => {
  emulator = await startSchedulerEmulator({
    tickMs: 100,
    deliver: async (input, delivery) => {
      deliveries.push({ input, delivery });
    },
  });
  // The real client, configured as the AWS adapter will be in local mode (endpoint override).
  client = new SchedulerClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await emulator.close();
});

/** `at()` wants wall-clock seconds with no zone; UTC unless a timezone is given. */
function atUtc(date: Date): string {
  return `at(${date.toISOString().slice(0, 19)})`;
}

function createInput(name: string, fireAt: Date, input: unknown): CreateScheduleCommandInput {
  return {
    Name: name,
    GroupName: 'default',
    ScheduleExpression: atUtc(fireAt),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: 'arn:aws:lambda:us-east-1:000000000000:function:scheduler-target',
      RoleArn: 'arn:aws:iam::000000000000:role/scheduler-invoke',
      Input: JSON.stringify(input),
    },
  };
}

describe('EventBridge Scheduler emulator with the real @aws-sdk/client-scheduler', () => {
  it('creates a schedule, refuses the same name with ConflictException, deletes it, then 404s', async () => {
    const later = new Date(Date.now() + 3600_000);
    const created = await client.send(
      new CreateScheduleCommand(
        createInput('slot-a-batch-2', later, { kind: 'START_BATCH', slotId: 'a', batch: 2 }),
      ),
    );
    expect(created.ScheduleArn).toBe(
      'arn:aws:scheduler:us-east-1:000000000000:schedule/default/slot-a-batch-2',
    );

    const again = client.send(new CreateScheduleCommand(createInput('slot-a-batch-2', later, {})));
    await expect(again).rejects.toBeInstanceOf(ConflictException);
    await expect(again).rejects.toMatchObject({ $metadata: { httpStatusCode: 409 } });

    const got = await client.send(new GetScheduleCommand({ Name: 'slot-a-batch-2', GroupName: 'default' }));
    expect(got.ScheduleExpression).toBe(atUtc(later));
    expect(got.Target?.RoleArn).toBe('arn:aws:iam::000000000000:role/scheduler-invoke');
    expect(got.CreationDate).toBeInstanceOf(Date);
    expect(got.ActionAfterCompletion).toBe('DELETE');

    const listed = await client.send(new ListSchedulesCommand({ NamePrefix: 'slot-a-' }));
    expect(listed.Schedules?.map((s) => s.Name)).toEqual(['slot-a-batch-2']);

    await client.send(new DeleteScheduleCommand({ Name: 'slot-a-batch-2', GroupName: 'default' }));
    const gone = client.send(new DeleteScheduleCommand({ Name: 'slot-a-batch-2', GroupName: 'default' }));
    await expect(gone).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client.send(new GetScheduleCommand({ Name: 'slot-a-batch-2', GroupName: 'default' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('rejects an expression it cannot fire and a bad name with ValidationException', async () => {
    const bad = { ...createInput('bad-expr', new Date(), {}), ScheduleExpression: 'rate(5 minutes)' };
    await expect(client.send(new CreateScheduleCommand(bad))).rejects.toBeInstanceOf(ValidationException);
    const badName = createInput('has space', new Date(), {});
    await expect(client.send(new CreateScheduleCommand(badName))).rejects.toThrow();
  });

  it('fires at the at() time with placeholders replaced, once, and deletes the schedule', async () => {
    deliveries.length = 0;
    const fireAt = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    await client.send(
      new CreateScheduleCommand(
        createInput('slot-b-batch-1', fireAt, {
          kind: 'START_BATCH',
          slotId: 'b',
          batch: 1,
          scheduledTime: '<aws.scheduler.scheduled-time>',
          executionId: '<aws.scheduler.execution-id>',
        }),
      ),
    );
    expect(emulator.pending().map((s) => s.Name)).toEqual(['slot-b-batch-1']);
    // Not before its time.
    await new Promise((r) => setTimeout(r, Math.max(0, fireAt.getTime() - Date.now() - 400)));
    expect(deliveries).toHaveLength(0);
    const deadline = Date.now() + 5000;
    while (deliveries.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(deliveries).toHaveLength(1);
    const [first] = deliveries;
    expect(first?.input).toMatchObject({
      kind: 'START_BATCH',
      slotId: 'b',
      batch: 1,
      scheduledTime: `${fireAt.toISOString().slice(0, 19)}Z`,
    });
    expect((first?.input as { executionId?: string } | undefined)?.executionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first?.delivery.name).toBe('slot-b-batch-1');
    expect(Date.now()).toBeGreaterThanOrEqual(fireAt.getTime());
    await emulator.tick();
    expect(deliveries).toHaveLength(1);
    await expect(
      client.send(new GetScheduleCommand({ Name: 'slot-b-batch-1', GroupName: 'default' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('reads at() in ScheduleExpressionTimezone', () => {
    expect(parseAtExpression('at(2026-07-01T09:30:00)', 'America/Chicago').toISOString()).toBe(
      '2026-07-01T14:30:00.000Z',
    );
    expect(parseAtExpression('at(2026-01-15T09:30:00)').toISOString()).toBe('2026-01-15T09:30:00.000Z');
  });
});

describe('Scheduler emulator: persisted schedules, retries and the recurring sweep', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'scheduler-state-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const clientFor = (running: RunningSchedulerEmulator) =>
    new SchedulerClient({
      endpoint: running.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });

  async function waitUntil(predicate: () => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(predicate()).toBe(true);
  }

  it('a restart reads the persisted file and resumes every schedule, deletions included', async () => {
    const stateFile = join(dir, 'restart', 'schedules.json');
    const fired: unknown[] = [];
    const first = await startSchedulerEmulator({ stateFile, tickMs: 50, deliver: async () => {} });
    const firstClient = clientFor(first);
    const soon = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    const later = new Date(Date.now() + 3600_000);
    try {
      await firstClient.send(
        new CreateScheduleCommand(createInput('hold-c-1', soon, { slotId: 'c', batch: 2 })),
      );
      await firstClient.send(
        new CreateScheduleCommand(createInput('hold-d-1', later, { slotId: 'd', batch: 2 })),
      );
      await firstClient.send(
        new CreateScheduleCommand(createInput('hold-e-1', later, { slotId: 'e', batch: 2 })),
      );
      await firstClient.send(new DeleteScheduleCommand({ Name: 'hold-e-1', GroupName: 'default' }));
    } finally {
      firstClient.destroy();
      // Stopped before hold-c-1 is due, as Ctrl-C on `npm start` would.
      await first.close();
    }
    expect(existsSync(stateFile)).toBe(true);

    const second = await startSchedulerEmulator({
      stateFile,
      tickMs: 50,
      deliver: async (input) => {
        fired.push(input);
      },
    });
    const secondClient = clientFor(second);
    try {
      expect(second.pending().map((s) => s.Name)).toEqual(['hold-c-1', 'hold-d-1']);
      const got = await secondClient.send(new GetScheduleCommand({ Name: 'hold-d-1', GroupName: 'default' }));
      expect(got.ScheduleExpression).toBe(atUtc(later));
      expect(got.CreationDate).toBeInstanceOf(Date);
      await waitUntil(() => fired.length === 1);
      expect(fired[0]).toEqual({ slotId: 'c', batch: 2 });
      expect(second.pending().map((s) => s.Name)).toEqual(['hold-d-1']);
    } finally {
      secondClient.destroy();
      await second.close();
    }
    // The firing (and its ActionAfterCompletion DELETE) is persisted too: a third start has only hold-d-1.
    const third = await startSchedulerEmulator({ stateFile, deliver: async () => {} });
    expect(third.pending().map((s) => s.Name)).toEqual(['hold-d-1']);
    await third.close();
  });

  it('retries a failed target invocation with backoff, numbering the attempts, then dead-letters it', async () => {
    const attempts: { input: unknown; at: number }[] = [];
    let failuresLeft = 2;
    const flaky = await startSchedulerEmulator({
      stateFile: join(dir, 'retry', 'schedules.json'),
      tickMs: 20,
      retry: { attempts: 2, firstDelayMs: 150, maxEventAgeMs: 60_000 },
      deliver: async (input) => {
        attempts.push({ input, at: Date.now() });
        if (failuresLeft-- > 0) throw new Error('DynamoDB blip');
      },
    });
    const flakyClient = clientFor(flaky);
    try {
      await flakyClient.send(
        new CreateScheduleCommand(
          createInput('hold-f-1', new Date(Date.now() - 1000), {
            slotId: 'f',
            attempt: '<aws.scheduler.attempt-number>',
          }),
        ),
      );
      await waitUntil(() => attempts.length === 3);
      expect(attempts.map((a) => (a.input as { attempt: string }).attempt)).toEqual(['1', '2', '3']);
      const [a1, a2, a3] = attempts.map((a) => a.at);
      // Backoff doubles: about 150 ms, then about 300 ms.
      expect((a2 ?? 0) - (a1 ?? 0)).toBeGreaterThanOrEqual(140);
      expect((a3 ?? 0) - (a2 ?? 0)).toBeGreaterThanOrEqual(290);
      expect(flaky.deadLetters()).toEqual([]);

      // Failing every time: the first try and two retries, then the dead-letter list, as the DLQ in AWS.
      failuresLeft = 10;
      attempts.length = 0;
      await flakyClient.send(
        new CreateScheduleCommand(createInput('hold-g-1', new Date(Date.now() - 1000), { slotId: 'g' })),
      );
      await waitUntil(() => flaky.deadLetters().length === 1);
      expect(attempts).toHaveLength(3);
      expect(flaky.deadLetters()[0]).toMatchObject({ name: 'hold-g-1', input: { slotId: 'g' }, attempts: 3 });
    } finally {
      flakyClient.destroy();
      await flaky.close();
    }
  });

  it('a retry waiting at shutdown is delivered after the restart', async () => {
    const stateFile = join(dir, 'retry-restart', 'schedules.json');
    const failing = await startSchedulerEmulator({
      stateFile,
      tickMs: 20,
      retry: { attempts: 2, firstDelayMs: 400, maxEventAgeMs: 60_000 },
      deliver: async () => {
        throw new Error('DynamoDB blip');
      },
    });
    const failingClient = clientFor(failing);
    try {
      await failingClient.send(
        new CreateScheduleCommand(createInput('hold-h-1', new Date(Date.now() - 1000), { slotId: 'h' })),
      );
      await waitUntil(() => failing.retrying().length === 1);
    } finally {
      failingClient.destroy();
      await failing.close();
    }
    const delivered: unknown[] = [];
    const healthy = await startSchedulerEmulator({
      stateFile,
      tickMs: 20,
      deliver: async (input) => {
        delivered.push(input);
      },
    });
    try {
      await waitUntil(() => delivered.length === 1);
      expect(delivered[0]).toEqual({ slotId: 'h' });
      expect(healthy.retrying()).toEqual([]);
    } finally {
      await healthy.close();
    }
  });

  it('runs the recurring sweep with the payload the AWS schedule sends, without a stored schedule', async () => {
    const sweeps: unknown[] = [];
    const running = await startSchedulerEmulator({
      tickMs: 20,
      recurring: [{ name: 'stalled-slot-sweep', everyMs: 100, input: SWEEP_SCHEDULE.input }],
      deliver: async (input) => {
        sweeps.push(input);
      },
    });
    try {
      await waitUntil(() => sweeps.length >= 2);
      expect(sweeps[0]).toEqual({
        kind: 'SWEEP',
        scheduledTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      });
      expect(running.pending()).toEqual([]);
    } finally {
      await running.close();
    }
  });
});

describe('Scheduler emulator: this machine only (DNS rebinding)', () => {
  it('refuses a non-loopback Host: a web page must not create schedules that text patients', async () => {
    expect(await statusWithHost(`${emulator.url}/schedules`, 'evil.example')).toBe(403);
    expect(await statusWithHost(`${emulator.url}/schedules/x`, 'evil.example', 'POST')).toBe(403);
    expect(await statusWithHost(`${emulator.url}/schedules`, `127.0.0.1:${emulator.port}`)).toBe(200);
  });
});
