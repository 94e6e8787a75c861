import type { OutboundSms, SmsPort, SmsReceipt } from '../../shared/ports.js';

/** Records every send (the engine's SMS port for engine tests). `failFor` makes chosen numbers fail. */
export class RecordingSms implements SmsPort {
  readonly sent: OutboundSms[] = [];
  failFor = new Map<string, Error>();
  /** Sends to these numbers never return, like a function that dies mid-batch. */
  hangFor = new Set<string>();
  private counter = 0;

  async send(message: OutboundSms): Promise<SmsReceipt> {
    if (this.hangFor.has(message.to)) return new Promise<SmsReceipt>(() => {});
    const failure = this.failFor.get(message.to);
    if (failure) throw failure;
    this.sent.push(message);
    this.counter++;
    return { providerSid: `SM${String(this.counter).padStart(32, '0')}`, status: 'queued' };
  }

  to(phone: string): OutboundSms[] {
    return this.sent.filter((m) => m.to === phone);
  }
}
