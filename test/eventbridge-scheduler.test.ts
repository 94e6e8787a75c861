import { GetScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Delivery,
  type RunningSchedulerEmulator,
  startSchedulerEmulator,
} from '../local/scheduler-emulator.js';
import { EventBridgeScheduler } from '../shared/adapters/scheduler/eventbridge-scheduler.js';

/** The engine's AWS scheduler adapter, through the real @aws-sdk/client-scheduler, against the emulator. */
const deliveries: { input: unknown; delivery: Delivery }[] = [];
let emulator: RunningSchedulerEmulator;
let client: SchedulerClient;
let adapter: EventBridgeScheduler;
const NOW = new Date('2026-11-24T16:00:00Z');

beforeAll(async () => {
  emulator = await startSchedulerEmulator({
    // The emulator's clock is the test's: on the real clock these moments are long past and would fire
    // (and delete themselves) before the test could read them back.
    now: () => NOW,
    tickMs: 50,
    deliver: async (input, delivery) => void deliveries.push({ input, delivery }),
  });
  client = new SchedulerClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  adapter = new EventBridgeScheduler(client, {
    groupName: 'clinic-offers',
    targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:clinic-backfill-scheduler-target',
    roleArn: 'arn:aws:iam::123456789012:role/clinic-backfill-scheduler-invoke',
    deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:clinic-backfill-schedule-dlq',
    timeZone: 'America/Chicago',
    now: () => NOW,
  });
});

afterAll(async () => {
  client.destroy();
  await emulator.close();
});

describe('EventBridge Scheduler adapter', () => {
  it('creates a one-shot at() schedule in the clinic zone that deletes itself, with retries and a DLQ', async () => {
    await adapter.scheduleOnce({
      name: 'slot-01JABC-b2',
      at: '2026-11-24T16:07:00.000Z',
      event: { kind: 'START_BATCH', slotId: '01JABC', batch: 2 },
    });
    const schedule = await client.send(
      new GetScheduleCommand({ Name: 'slot-01JABC-b2', GroupName: 'clinic-offers' }),
    );
    expect(schedule.ScheduleExpression).toBe('at(2026-11-24T10:07:00)');
    expect(schedule.ScheduleExpressionTimezone).toBe('America/Chicago');
    expect(schedule.ActionAfterCompletion).toBe('DELETE');
    expect(schedule.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(schedule.Target?.RetryPolicy).toEqual({
      MaximumEventAgeInSeconds: 3600,
      MaximumRetryAttempts: 20,
    });
    expect(schedule.Target?.DeadLetterConfig?.Arn).toContain('schedule-dlq');
    expect(JSON.parse(schedule.Target?.Input ?? '{}')).toEqual({
      kind: 'START_BATCH',
      slotId: '01JABC',
      batch: 2,
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
  });

  it('treats creating the same schedule twice and deleting a missing one as no-ops', async () => {
    const input = {
      name: 'slot-01JDUP-b1',
      at: '2026-11-24T16:03:00.000Z',
      event: { kind: 'START_BATCH' as const, slotId: '01JDUP', batch: 1 },
    };
    await adapter.scheduleOnce(input);
    await expect(adapter.scheduleOnce(input)).resolves.toBeUndefined();
    await adapter.cancel('slot-01JDUP-b1');
    await expect(
      client.send(new GetScheduleCommand({ Name: 'slot-01JDUP-b1', GroupName: 'clinic-offers' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(adapter.cancel('slot-01JDUP-b1')).resolves.toBeUndefined();
  });

  it('aims a moment already past a few seconds ahead, so it still fires', async () => {
    await adapter.scheduleOnce({
      name: 'slot-01JPAST-b3',
      at: '2026-11-24T15:00:00.000Z',
      event: { kind: 'START_BATCH', slotId: '01JPAST', batch: 3 },
    });
    const schedule = await client.send(
      new GetScheduleCommand({ Name: 'slot-01JPAST-b3', GroupName: 'clinic-offers' }),
    );
    expect(schedule.ScheduleExpression).toBe('at(2026-11-24T10:00:05)');
  });

  it('refuses a name EventBridge would reject', async () => {
    await expect(
      adapter.scheduleOnce({
        name: 'has spaces/and#marks',
        at: '2026-11-24T16:03:00.000Z',
        event: { kind: 'START_BATCH', slotId: 'x', batch: 1 },
      }),
    ).rejects.toThrow(/invalid schedule name/);
  });
});
