import {
  type Clock,
  type OutboundSms,
  type SmsPort,
  type SmsReceipt,
  SmsSendError,
  systemClock,
} from '../../ports.js';

/**
 * A ceiling on messages per hour, so a runaway loop (a bug, a replayed schedule) costs at most one hour's
 * cap instead of the whole waitlist's goodwill and the clinic's Twilio balance. Provider-neutral: no
 * twilio import, so any function may use it.
 */
export interface SendBudget {
  /** Takes one unit for `now`'s hour; false when the hour's budget is spent. */
  tryConsume(now: Date): Promise<boolean>;
}

/**
 * Per-clock-hour counter (UTC hours), the same shape a DynamoDB counter item per hour gives, so local
 * runs and production behave alike. Process-local: use it for tests and local mode only.
 */
export class InMemorySendBudget implements SendBudget {
  private hour = '';
  private used = 0;

  constructor(readonly perHour: number) {
    if (!Number.isInteger(perHour) || perHour < 1) throw new RangeError('perHour must be a positive integer');
  }

  async tryConsume(now: Date): Promise<boolean> {
    const hour = now.toISOString().slice(0, 13);
    if (hour !== this.hour) {
      this.hour = hour;
      this.used = 0;
    }
    if (this.used >= this.perHour) return false;
    this.used++;
    return true;
  }
}

export class SendCapReachedError extends SmsSendError {
  constructor() {
    // Not permanent: the patient is reachable, the clinic is just over its own limit for this hour.
    super('hourly cap reached', 'RATE_CAP', false);
  }
}

/** An SmsPort that refuses (with SmsSendError code RATE_CAP) once the budget for the hour is spent. */
export function withSendCap(sms: SmsPort, budget: SendBudget, clock: Clock = systemClock): SmsPort {
  return {
    async send(message: OutboundSms): Promise<SmsReceipt> {
      if (!(await budget.tryConsume(clock()))) throw new SendCapReachedError();
      return sms.send(message);
    },
  };
}
