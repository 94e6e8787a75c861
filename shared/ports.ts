/**
 * The engine's ports: what it needs from the outside world, named in its own terms. Adapters live in
 * shared/adapters/ (AWS, Twilio) and test/ or local/ (in-process versions).
 */

/** What a one-shot schedule delivers to the scheduler-target function. */
export interface StartBatchEvent {
  kind: 'START_BATCH';
  slotId: string;
  /** The batch to start: 1 for the first, n+1 when batch n's hold runs out. */
  batch: number;
  /**
   * Set on a hold's own schedule: the end of the hold it was made for. A resumed batch gets a fresh
   * hold, and the first hold's schedule (which EventBridge may still fire) then changes nothing.
   */
  holdEndsAt?: string;
  /** Filled in by EventBridge Scheduler (`<aws.scheduler.scheduled-time>`); for logs only. */
  scheduledTime?: string;
}

/**
 * A recurring safety net (every few minutes): restarts any OPEN slot whose next step is overdue, in case
 * a one-shot schedule was lost. Every step it triggers is idempotent, so a healthy slot is untouched.
 */
export interface SweepEvent {
  kind: 'SWEEP';
}

/**
 * A text that is not an answer (a withdrawal or "slot closed" notice) held for the patient's contact
 * window: sent when it fires, unless the slot's start has passed by then.
 */
export interface SendNoticeEvent {
  kind: 'SEND_NOTICE';
  patientId: string;
  slotId: string;
  template: NoticeTemplate;
  scheduledTime?: string;
}

export type NoticeTemplate = 'WITHDRAWN';

export type ScheduledEvent = StartBatchEvent | SendNoticeEvent;

export interface SchedulerPort {
  /**
   * Creates a one-shot schedule. Names are deterministic, so creating the same schedule twice is a no-op
   * (at-least-once callers retry freely).
   */
  scheduleOnce(input: { name: string; at: string; event: ScheduledEvent }): Promise<void>;
  /** Deletes a schedule; a schedule that already fired or never existed is fine. */
  cancel(name: string): Promise<void>;
}

export interface OutboundSms {
  to: string;
  body: string;
  /** For the audit trail and logs; never rendered. */
  patientId?: string;
  slotId?: string;
  /** Id of our message record, echoed in the status callback URL so callbacks find it without a scan. */
  messageId: string;
}

export interface SmsReceipt {
  providerSid: string;
  status: string;
}

/** A send that the provider refused. `permanent` errors are not retried (21610 opted out, 30006 landline). */
export class SmsSendError extends Error {
  override readonly name = 'SmsSendError';
  constructor(
    message: string,
    readonly code: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface SmsPort {
  send(message: OutboundSms): Promise<SmsReceipt>;
}

/**
 * Tells staff that a slot filled (an SNS topic in AWS, with an optional email subscription). Carries ids
 * and times only: a notification email is not the place for a patient's name.
 */
export interface StaffAlerts {
  slotFilled(alert: {
    slotId: string;
    startAt: string;
    providerId: string;
    batch: number;
    loggedAt: string;
    filledAt: string;
  }): Promise<void>;
  /** The winner of a slot said they cannot come, or opted out: staff should call them. */
  winnerChangedMind(alert: {
    slotId: string;
    startAt: string;
    providerId: string;
    how: 'DECLINED' | 'OPTED_OUT';
    at: string;
  }): Promise<void>;
}

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
