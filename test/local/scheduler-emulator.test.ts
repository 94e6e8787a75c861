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
