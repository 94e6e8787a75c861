import type { OfferItem, SlotItem } from '../adapters/dynamo/admin-store.js';
import type { MessageRecord, Patient } from '../domain/model.js';
import type { MessageView, OfferView, PatientSummary, TimelineEvent } from './contract.js';

/**
 * Domain records → what the dashboard sees. The one rule that matters: a phone number leaves the API
 * masked unless a route says otherwise (patient reveal, CSV export), and both of those are audited.
 */

/** "+13125550123" → "***0123" (the same mask the logs use). */
export function maskPhone(phone: string | undefined): string {
  if (!phone) return '***';
  return `***${phone.replace(/\D/g, '').slice(-4)}`;
}

export function patientSummary(patient: Patient): PatientSummary {
  return {
    patientId: patient.patientId,
    displayName: patient.displayName,
    ...(patient.familyName !== undefined ? { familyName: patient.familyName } : {}),
    phoneMasked: maskPhone(patient.phone),
    ...(patient.timeZone !== undefined ? { timeZone: patient.timeZone } : {}),
    ...(patient.state !== undefined ? { state: patient.state } : {}),
    ...(patient.language !== undefined ? { language: patient.language } : {}),
    consent: patient.consent,
    ...(patient.pausedUntil ? { pausedUntil: patient.pausedUntil } : {}),
    ...(patient.numberMayBeReassigned ? { numberMayBeReassigned: patient.numberMayBeReassigned } : {}),
  };
}

export function messageView(
  message: MessageRecord & { phoneLast4?: string; statusRank?: number },
): MessageView {
  const { phone, phoneLast4: _l4, statusRank: _rank, ...rest } = message;
  return { ...rest, phoneMasked: maskPhone(phone) };
}

export function offerView(offer: OfferItem, patient?: Patient): OfferView {
  const { unknownReplyHelped: _helped, ...rest } = offer as OfferItem & { unknownReplyHelped?: boolean };
  return { ...rest, ...(patient ? { patient: patientSummary(patient) } : {}) };
}

/** A slot's life in order: logged, each offer and its outcome, each text, filled or closed, booked. */
export function slotTimeline(
  slot: SlotItem,
  offers: OfferItem[],
  messages: MessageRecord[],
): TimelineEvent[] {
  const events: TimelineEvent[] = [{ at: slot.loggedAt, kind: 'LOGGED', summary: 'cancellation logged' }];
  for (const offer of offers) {
    events.push({
      at: offer.sentAt,
      kind: 'OFFER_SENT',
      summary: `batch ${offer.batch} offer created`,
      patientId: offer.patientId,
    });
    if (offer.respondedAt && offer.state !== 'PENDING') {
      events.push({
        at: offer.respondedAt,
        kind: 'OFFER_CLOSED',
        summary: `batch ${offer.batch} offer ${offer.state}${offer.closedReason ? ` (${offer.closedReason})` : ''}`,
        patientId: offer.patientId,
      });
    }
  }
  for (const message of messages) {
    events.push({
      at: message.createdAt,
      kind: 'MESSAGE',
      summary: `${message.direction === 'INBOUND' ? 'reply received' : `${message.purpose} text`}: ${message.deliveryStatus}${message.errorCode ? ` (${message.errorCode})` : ''}`,
      messageId: message.messageId,
      ...(message.patientId ? { patientId: message.patientId } : {}),
    });
  }
  if (slot.filledAt) {
    events.push({
      at: slot.filledAt,
      kind: 'FILLED',
      summary: 'slot filled',
      ...(slot.filledByPatientId ? { patientId: slot.filledByPatientId } : {}),
    });
  }
  if (slot.closedAt) {
    events.push({
      at: slot.closedAt,
      kind: 'CLOSED',
      // The engine records who withdrew in the reason; keep the timeline to the status and the cause.
      summary: `slot ${slot.status}${slot.closedReason ? ` (${slot.closedReason.split(':')[0]})` : ''}`,
    });
  }
  if (slot.bookedInEhr) {
    events.push({ at: slot.bookedInEhr.at, kind: 'BOOKED_IN_EHR', summary: 'booked in the EHR' });
  }
  if (slot.winnerChangedMind) {
    events.push({
      at: slot.winnerChangedMind.at,
      kind: 'WINNER_CHANGED_MIND',
      summary:
        slot.winnerChangedMind.how === 'DECLINED'
          ? 'the patient who booked it said they cannot come: call them'
          : 'the patient who booked it opted out of texts: call them',
      ...(slot.filledByPatientId ? { patientId: slot.filledByPatientId } : {}),
    });
  }
  // Stable: events at the same instant keep the order above (logged before offers before texts).
  return events
    .map((event, i) => ({ event, i }))
    .sort((a, b) => (a.event.at < b.event.at ? -1 : a.event.at > b.event.at ? 1 : a.i - b.i))
    .map(({ event }) => event);
}

/** Nearest-rank percentile of a non-empty sorted list. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}
