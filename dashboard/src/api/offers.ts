import type { MessageView, OfferView, SlotDetail } from './types.js';

/** First name only: the board is on a screen the waiting room may glimpse. */
export function offerName(offer: OfferView): string {
  return offer.patient?.displayName ?? 'Patient';
}

/** "***0123" → "0123". */
export function last4(masked: string | undefined): string | undefined {
  const digits = masked?.replace(/\D/g, '');
  return digits ? digits.slice(-4) : undefined;
}

/** Every message to or from this offer's patient about this slot, oldest first: the offer's trail. */
export function offerTrail(offer: OfferView, messages: MessageView[]): MessageView[] {
  return messages
    .filter((m) => m.patientId === offer.patientId)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/**
 * The offer text's delivery state. A patient is offered a slot once, so the first outbound message to
 * them about the slot is the offer itself; later ones are confirmations or "taken" replies.
 */
export function offerDelivery(offer: OfferView, messages: MessageView[]): MessageView | undefined {
  return offerTrail(offer, messages).find((m) => m.direction === 'OUTBOUND');
}

export function filledBy(detail: SlotDetail): string | undefined {
  const id = detail.slot.filledByPatientId;
  const offer = detail.offers.find((o) => (id ? o.patientId === id : o.state === 'ACCEPTED'));
  return offer ? offerName(offer) : undefined;
}
