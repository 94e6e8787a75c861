import type { OfferPolicy } from '../config.js';
import { isFailedDelivery, isKnownDeliveryStatus } from '../domain/delivery-status.js';
import type { InboxReason, Language, Patient, Slot } from '../domain/model.js';
import { SAYS_HOW_TO_OPT_OUT } from '../domain/opt-out-notice.js';
import { classifyReply, type ReplyIntent, type UnknownReason } from '../domain/reply-intent.js';
import { type Brand, templatesFor } from '../domain/templates.js';
import type { Clock } from '../ports.js';
import type { OfferEngine } from './offer-engine.js';
import type { OfferStore } from './offer-store.js';
import { PatientSteering } from './patient-steering.js';

/**
 * The SMS conversation: what an inbound text means and what we answer, and what a delivery callback
 * changes. Answers are returned (the webhook sends them as TwiML), never sent through the API here.
 */

export interface InboundSms {
  messageSid: string;
  from: string;
  body: string;
}

export interface InboundAnswer {
  reply?: string;
  /** For logs and tests; never includes the body. */
  intent: ReplyIntent | 'DUPLICATE' | 'UNKNOWN_SENDER';
  outcome: string;
}

/** What the conversation answers, and whether the message also waits for staff in the inbox. */
interface Answer {
  reply?: string;
  outcome: string;
  slotId?: string;
  inbox?: InboxReason;
}

export interface StatusCallback {
  /** Our message id, from the `m` query parameter of the callback URL (covered by the signature). */
  messageId?: string;
  messageSid: string;
  status: string;
  errorCode?: string;
}

export interface ConversationDeps {
  store: OfferStore;
  engine: OfferEngine;
  clock: Clock;
  policy: OfferPolicy;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

/** A queued inbound message whose first attempt is still running: the queue should deliver it again later. */
export class InboundInFlightError extends Error {
  override readonly name = 'InboundInFlightError';
  constructor(messageSid: string) {
    super(`inbound ${messageSid} is being handled by another attempt`);
  }
}

export class SmsConversation {
  private readonly brand: Brand;

  private readonly steering: PatientSteering;

  constructor(private readonly deps: ConversationDeps) {
    this.steering = new PatientSteering(deps);
    this.brand = { clinicName: deps.policy.clinicName, contactPhone: deps.policy.clinicContactPhone };
  }

  private now(): string {
    return this.deps.clock().toISOString();
  }

  /**
   * Handles one inbound SMS. The message is recorded before anything acts on it; a repeated MessageSid
   * (Twilio retrying after a timeout) gets the first answer again and changes nothing. An attempt that
   * fails gives the message back before it throws, so the retry (Twilio's fallback URL, the durable
   * queue behind it) handles it instead of finding it "in flight".
   */
  async handleInbound(sms: InboundSms): Promise<InboundAnswer> {
    const { store } = this.deps;
    const reservation = await store.reserveInbound(sms.messageSid, this.now());
    if (reservation.previousReply !== undefined) {
      return { reply: reservation.previousReply || undefined, intent: 'DUPLICATE', outcome: 'REPLAYED' };
    }
    if (reservation.inFlight) return { intent: 'DUPLICATE', outcome: 'IN_FLIGHT' };
    try {
      return await this.process(sms, reservation.receivedAt);
    } catch (error) {
      await store.releaseInbound(sms.messageSid).catch(() => undefined);
      throw error;
    }
  }

  /**
   * An inbound SMS that Twilio could not hand to the webhook (it answered 5xx or timed out, so Twilio
   * used the fallback URL) and that the fallback kept on a durable queue. Handled exactly as the webhook
   * would, but its answer cannot go back as TwiML any more: it is sent through the API, once, even when
   * the webhook's own attempt had already decided it (a winner whose TwiML confirmation was lost).
   * Throws while another attempt holds the message, so the queue delivers it again later.
   */
  async handleQueuedInbound(sms: InboundSms): Promise<InboundAnswer> {
    const { store, engine } = this.deps;
    const answer = await this.handleInbound(sms);
    if (answer.outcome === 'IN_FLIGHT') throw new InboundInFlightError(sms.messageSid);
    if (!answer.reply) return answer;
    const patientId = await store.findPatientIdByPhone(sms.from);
    const patient = patientId ? await store.getPatient(patientId) : undefined;
    if (patient && (await store.markInboundAnsweredByApi(sms.messageSid, this.now()))) {
      await engine.sendSms(patient, answer.reply, 'ANSWER_VIA_API');
    }
    return answer;
  }

  private async process(sms: InboundSms, receivedAt: string): Promise<InboundAnswer> {
    const { store, policy } = this.deps;
    const now = receivedAt;
    const patientId = await store.findPatientIdByPhone(sms.from);
    const patient = patientId ? await store.getPatient(patientId) : undefined;
    // The slot of the text they last received: what this message answers.
    const slotId = patient?.lastOfferSlotId ?? patient?.liveOfferSlotId;
    await store.recordMessage(
      {
        messageId: `in-${sms.messageSid}`,
        direction: 'INBOUND',
        patientId: patient?.patientId,
        slotId,
        phone: sms.from,
        body: sms.body,
        purpose: 'REPLY',
        providerSid: sms.messageSid,
        deliveryStatus: 'received',
        createdAt: now,
        updatedAt: now,
      },
      policy.messageTtlDays,
    );

    // The patient's first name lets "this isn't Maria" be read as a wrong number.
    const classification = classifyReply(sms.body, { names: patient ? [patient.displayName] : [] });
    const answer = patient
      ? await this.answer(
          patient,
          classification.intent,
          classification.reaction === true,
          classification.matched,
          // Consent words from one phone apply in the order they arrived here, not the order their
          // handlers finish: the message id breaks a tie within the millisecond.
          `${now}#${sms.messageSid}`,
          classification.reason,
          classification.days,
        )
      : this.answerUnknownSender(classification.intent, classification.matched);
    if (answer.reply && patient) {
      if (SAYS_HOW_TO_OPT_OUT.test(answer.reply)) await store.markOptOutTold(patient.patientId, this.now());
      await store.recordMessage(
        {
          messageId: `re-${sms.messageSid}`,
          direction: 'OUTBOUND',
          patientId: patient.patientId,
          slotId: answer.slotId ?? slotId,
          phone: patient.phone,
          body: answer.reply,
          purpose: `ANSWER_${classification.intent}`,
          // Sent inside the webhook's TwiML response: no API call, no provider sid of its own.
          deliveryStatus: 'twiml',
          createdAt: this.now(),
          updatedAt: this.now(),
        },
        policy.messageTtlDays,
      );
    }
    // Whatever the system could not fully handle itself waits for a person, with its thread.
    const inbox = patient
      ? answer.inbox
      : classification.intent === 'HELP' || classification.reaction
        ? undefined
        : ('UNKNOWN_SENDER' as const);
    if (inbox) {
      const about = answer.slotId ?? slotId;
      await store.addInboxItem({
        messageId: `in-${sms.messageSid}`,
        ...(patient ? { patientId: patient.patientId } : {}),
        ...(about ? { slotId: about } : {}),
        reason: inbox,
        receivedAt: now,
      });
    }
    await store.completeInbound(sms.messageSid, answer.reply ?? '');
    this.deps.log?.('sms.inbound', {
      messageSid: sms.messageSid,
      patientId: patient?.patientId,
      intent: classification.intent,
      reason: classification.reason,
      outcome: answer.outcome,
    });
    return {
      reply: answer.reply,
      intent: patient ? classification.intent : 'UNKNOWN_SENDER',
      outcome: answer.outcome,
    };
  }

  private answerUnknownSender(intent: ReplyIntent, matched: string | undefined): Answer {
    // Not one of our patients: HELP still gets the program's help text (carrier rules); nothing else.
    // An AYUDA gets the Spanish help text, as the sender asked in Spanish.
    if (intent === 'HELP')
      return { reply: templatesFor(helpLanguage(matched)).help(this.brand), outcome: 'HELP' };
    return { outcome: 'IGNORED_UNKNOWN_SENDER' };
  }

  private async answer(
    patient: Patient,
    intent: ReplyIntent,
    reaction: boolean,
    /** The keyword or phrase that decided the intent: the consent ledger's evidence. */
    matched: string | undefined,
    arrivalOrder: string,
    reason?: UnknownReason,
    days?: number,
  ): Promise<Answer> {
    const { engine, store } = this.deps;
    const brand = this.brand;
    const t = templatesFor(patient.language);
    switch (intent) {
      case 'OPT_OUT': {
        const { changed, stillBooked } = await engine.changeConsent(patient.patientId, {
          at: this.now(),
          state: 'OPTED_OUT',
          source: 'INBOUND_KEYWORD',
          // The words that did it, not the whole text: the ledger outlives the 90-day message bodies.
          evidence: matched ?? intent,
          order: arrivalOrder,
        });
        // Exactly one confirmation: a second STOP from an opted-out number gets silence, and so does a
        // STOP that a later START (handled first) has already overruled.
        if (!changed) return { outcome: 'ALREADY_OPTED_OUT' };
        // A winner is told their visit stands (staff will call): "no further messages" must not read
        // as "your visit is gone".
        return stillBooked
          ? { reply: t.optedOutStillBooked(brand), outcome: 'OPTED_OUT', inbox: 'WINNER_CHANGED_MIND' }
          : { reply: t.optedOut(brand), outcome: 'OPTED_OUT' };
      }
      case 'WRONG_NUMBER': {
        // Consent belongs to the person, not the number: stop texting it at once, and have staff find
        // the patient's new number. One apology, then silence.
        await store.flagNumberMayBeReassigned(patient.patientId, this.now());
        const { changed } = await engine.changeConsent(patient.patientId, {
          at: this.now(),
          state: 'OPTED_OUT',
          source: 'INBOUND_KEYWORD',
          evidence: matched ?? 'wrong number',
          order: arrivalOrder,
        });
        return changed
          ? { reply: t.wrongNumber(brand), outcome: 'WRONG_NUMBER', inbox: 'WRONG_NUMBER' }
          : { outcome: 'WRONG_NUMBER', inbox: 'WRONG_NUMBER' };
      }
      case 'OPT_IN': {
        const { outcome } = await engine.changeConsent(patient.patientId, {
          at: this.now(),
          state: 'OPTED_IN',
          source: 'INBOUND_KEYWORD',
          // The words that did it, not the whole text: the ledger outlives the 90-day message bodies.
          evidence: matched ?? intent,
          order: arrivalOrder,
        });
        // A START that a later STOP already overruled gets no answer: "no further messages" stands.
        if (outcome === 'SUPERSEDED') return { outcome: 'SUPERSEDED' };
        return { reply: t.optedIn(brand), outcome: outcome === 'CHANGED' ? 'OPTED_IN' : 'ALREADY_OPTED_IN' };
      }
      case 'HELP':
        return {
          reply: templatesFor(helpLanguage(matched) ?? patient.language).help(brand),
          outcome: 'HELP',
        };
      default:
        break;
    }
    // Opted out means no further messages: no claim, no answer, until START.
    if (patient.consent !== 'OPTED_IN') return { outcome: 'IGNORED_OPTED_OUT' };
    const zone = patient.timeZone ?? this.deps.policy.clinicTimeZone;
    switch (intent) {
      case 'PAUSE': {
        const { until } = await this.steering.pause(patient.patientId, days);
        return { reply: t.paused(brand, { until, timeZone: zone }), outcome: 'PAUSED' };
      }
      case 'RESUME':
        await this.steering.resume(patient.patientId);
        return { reply: t.resumed(brand), outcome: 'RESUMED' };
      case 'STATUS': {
        const status = await this.steering.status(patient.patientId);
        return { reply: t.status(brand, { ...status, timeZone: zone }), outcome: 'STATUS' };
      }
      case 'LEAVE':
        await this.steering.leave(patient.patientId);
        return { reply: t.left(brand), outcome: 'LEFT_WAITLIST' };
      default:
        break;
    }
    if (intent === 'CLAIM') {
      const outcome = await engine.claim(patient.patientId);
      switch (outcome.kind) {
        case 'WON':
          return {
            reply: await this.confirmation(outcome.slot, patient),
            outcome: 'WON',
            slotId: outcome.slot.slotId,
          };
        case 'TAKEN':
          return { reply: t.taken(brand), outcome: 'TAKEN', slotId: outcome.slot.slotId };
        case 'CLOSED': {
          // A YES racing the same patient's STOP loses to it: after "no further messages", silence.
          const now = await store.getPatient(patient.patientId);
          if (now?.consent !== 'OPTED_IN') return { outcome: 'IGNORED_OPTED_OUT' };
          return { reply: t.closed(brand), outcome: 'CLOSED' };
        }
        case 'OPTED_OUT':
          return { outcome: 'IGNORED_OPTED_OUT' };
        default:
          return { reply: t.noOffer(brand), outcome: 'NO_OFFER' };
      }
    }
    if (intent === 'DECLINE') {
      const outcome = await engine.decline(patient.patientId);
      if (outcome.kind === 'WINNER_CHANGED_MIND') {
        return {
          reply: t.winnerChangedMind(brand),
          outcome: outcome.kind,
          slotId: outcome.slotId,
          inbox: 'WINNER_CHANGED_MIND',
        };
      }
      return outcome.kind === 'DECLINED'
        ? { reply: t.declined(brand), outcome: 'DECLINED', slotId: outcome.slotId }
        : { outcome: 'NO_OFFER' };
    }
    // A tapback quotes our own "Reply YES": it is not an answer, and it does not deserve a lecture.
    if (reaction) return { outcome: 'IGNORED_REACTION' };
    const slotId = patient.lastOfferSlotId ?? patient.liveOfferSlotId;
    // A yes with a condition books nobody: it is answered once (take it as offered, or call) and staff
    // read the condition in the inbox.
    const qualified = reason === 'QUALIFIED';
    const inbox = qualified ? ('QUALIFIED_YES' as const) : ('UNKNOWN_REPLY' as const);
    if (slotId && (await store.markUnknownReplyHelped(slotId, patient.patientId))) {
      return {
        reply: qualified ? t.qualifiedYes(brand) : t.unknown(brand),
        outcome: qualified ? 'QUALIFIED_HELPED_ONCE' : 'HELPED_ONCE',
        slotId,
        inbox,
      };
    }
    return { outcome: qualified ? 'IGNORED_QUALIFIED' : 'IGNORED_UNKNOWN', inbox };
  }

  private async confirmation(slot: Slot, patient: Patient): Promise<string> {
    const { store, policy } = this.deps;
    const [provider, location] = await Promise.all([
      store.getProvider(slot.providerId),
      store.getLocation(slot.locationId),
    ]);
    return templatesFor(patient.language).confirmed(this.brand, {
      startAt: slot.startAt,
      // The clinic's wall clock, where the visit happens (see the offer text).
      timeZone: policy.clinicTimeZone,
      providerName: provider?.displayName,
      locationName: location?.displayName,
    });
  }

  /**
   * A delivery callback. Status only moves forward; duplicates change nothing. A failed or undelivered
   * offer becomes FAILED (and may send the next batch at once); 21610 means the carrier has the number
   * opted out, which we record.
   */
  async handleStatus(callback: StatusCallback): Promise<{ applied: boolean }> {
    const { store, engine } = this.deps;
    if (!callback.messageId || !isKnownDeliveryStatus(callback.status)) return { applied: false };
    const updated = await store.updateMessageDelivery(callback.messageId, {
      providerSid: callback.messageSid,
      deliveryStatus: callback.status,
      errorCode: callback.errorCode || undefined,
      at: this.now(),
    });
    if (!updated) return { applied: false };
    this.deps.log?.('sms.status', {
      messageId: callback.messageId,
      status: callback.status,
      errorCode: callback.errorCode,
    });
    if (!isFailedDelivery(callback.status)) return { applied: true };
    if (callback.errorCode === '21610' && updated.patientId) {
      await engine.changeConsent(updated.patientId, {
        at: this.now(),
        state: 'OPTED_OUT',
        source: 'SEND_ERROR',
        evidence: 'Twilio error 21610',
      });
    }
    if (updated.purpose === 'OFFER' && updated.slotId && updated.patientId) {
      const closed = await store.closeOffer({
        slotId: updated.slotId,
        patientId: updated.patientId,
        from: ['PENDING'],
        to: 'FAILED',
        now: this.now(),
        reason: `DELIVERY_${callback.status.toUpperCase()}${callback.errorCode ? `_${callback.errorCode}` : ''}`,
      });
      if (closed) await engine.advanceIfBatchEmpty(updated.slotId);
    }
    return { applied: true };
  }
}

/** A HELP keyword that names a language ("ayuda") is answered in it, whatever the patient's setting. */
function helpLanguage(matched: string | undefined): Language | undefined {
  return matched === 'ayuda' ? 'es' : undefined;
}
