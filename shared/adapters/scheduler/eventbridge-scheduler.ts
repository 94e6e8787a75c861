import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { DateTime } from 'luxon';
import type { ScheduledEvent, SchedulerPort } from '../../ports.js';

export interface EventBridgeSchedulerOptions {
  groupName: string;
  targetArn: string;
  roleArn: string;
  deadLetterArn?: string;
  /** Schedules are written in the clinic's zone so they read naturally in the console. */
  timeZone: string;
  now?: () => Date;
}

const NAME_PATTERN = /^[0-9a-zA-Z-_.]{1,64}$/;

/**
 * EventBridge Scheduler adapter: one-shot `at()` schedules that delete themselves after firing.
 * Delivery is at-least-once, so the engine treats every event as possibly duplicated.
 */
export class EventBridgeScheduler implements SchedulerPort {
  constructor(
    private readonly client: SchedulerClient,
    private readonly options: EventBridgeSchedulerOptions,
  ) {}

  async scheduleOnce(input: { name: string; at: string; event: ScheduledEvent }): Promise<void> {
    if (!NAME_PATTERN.test(input.name)) throw new Error(`invalid schedule name ${input.name}`);
    const now = (this.options.now ?? (() => new Date()))();
    // A one-time schedule for a moment already past would never fire: aim a few seconds ahead instead.
    const at = DateTime.max(DateTime.fromISO(input.at), DateTime.fromJSDate(now).plus({ seconds: 5 }));
    const local = at.setZone(this.options.timeZone).toFormat("yyyy-MM-dd'T'HH:mm:ss");
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: input.name,
          GroupName: this.options.groupName,
          ScheduleExpression: `at(${local})`,
          ScheduleExpressionTimezone: this.options.timeZone,
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: this.options.targetArn,
            RoleArn: this.options.roleArn,
            Input: JSON.stringify({ ...input.event, scheduledTime: '<aws.scheduler.scheduled-time>' }),
            RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
            ...(this.options.deadLetterArn ? { DeadLetterConfig: { Arn: this.options.deadLetterArn } } : {}),
          },
        }),
      );
    } catch (error) {
      // Deterministic names make creation idempotent: the schedule we wanted already exists.
      if (!(error instanceof ConflictException)) throw error;
    }
  }

  async cancel(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.options.groupName }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
