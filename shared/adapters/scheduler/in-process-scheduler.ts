import type { ScheduledEvent, SchedulerPort } from '../../ports.js';

export interface PendingSchedule {
  name: string;
  at: string;
  event: ScheduledEvent;
}

/**
 * A scheduler that keeps one-shot schedules in memory and fires them when told the time. Tests drive it
 * with a controlled clock (`fireDue(now)`); local mode's Scheduler emulator wraps it with a timer. Like
 * EventBridge Scheduler it is at-least-once friendly: `deliveries` lets a test deliver an event twice.
 */
export class InProcessScheduler implements SchedulerPort {
  private readonly schedules = new Map<string, PendingSchedule>();

  constructor(private deliver: (event: ScheduledEvent) => Promise<void> = async () => {}) {}

  /** Sets where fired events go (the scheduler-target handler or the engine), after construction. */
  onFire(deliver: (event: ScheduledEvent) => Promise<void>): void {
    this.deliver = deliver;
  }

  async scheduleOnce(input: PendingSchedule): Promise<void> {
    // Same name = same schedule, as EventBridge's ConflictException makes it for the AWS adapter.
    if (!this.schedules.has(input.name)) this.schedules.set(input.name, { ...input });
  }

  async cancel(name: string): Promise<void> {
    this.schedules.delete(name);
  }

  pending(): PendingSchedule[] {
    return [...this.schedules.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  /** The earliest pending fire time, if any. */
  nextAt(): string | undefined {
    return this.pending()[0]?.at;
  }

  /**
   * Fires every schedule due at `now`, earliest first, deleting each before delivery
   * (ActionAfterCompletion: DELETE). Returns the events fired.
   */
  async fireDue(now: Date, deliveriesPerEvent = 1): Promise<ScheduledEvent[]> {
    const fired: ScheduledEvent[] = [];
    for (;;) {
      const due = this.pending().find((s) => new Date(s.at).getTime() <= now.getTime());
      if (!due) return fired;
      this.schedules.delete(due.name);
      const event = { ...due.event, scheduledTime: due.at };
      fired.push(event);
      for (let i = 0; i < deliveriesPerEvent; i++) await this.deliver(event);
    }
  }
}
