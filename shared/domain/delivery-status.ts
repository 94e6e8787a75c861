/**
 * Twilio delivery statuses in the order they can happen. Callbacks arrive in any order, so a message's
 * status only ever moves to a higher rank; the terminal ones share the top rank so the first terminal
 * status wins and a late "sent" never overwrites "delivered".
 */
const RANK: Readonly<Record<string, number>> = {
  created: 0,
  accepted: 1,
  scheduled: 1,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  canceled: 4,
  read: 5,
  received: 4,
  twiml: 4,
};

export function deliveryStatusRank(status: string): number {
  return RANK[status] ?? 0;
}

export function isKnownDeliveryStatus(status: string): boolean {
  return status in RANK;
}

export function isFailedDelivery(status: string): boolean {
  return status === 'failed' || status === 'undelivered';
}
