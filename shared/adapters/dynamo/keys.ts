/**
 * Every key shape in the single table, in one place. docs/data-model.md lists the access patterns each
 * one serves. Ids are ULIDs (time-ordered), so item collections sort by creation.
 */
export const keys = {
  patient: (patientId: string) => ({ pk: `PATIENT#${patientId}`, sk: 'PROFILE' }),
  /** Phone → patient pointer; also the uniqueness guard for a phone number. */
  phone: (e164: string) => ({ pk: `PHONE#${e164}`, sk: 'PHONE' }),
  consentChange: (patientId: string, at: string, id: string) => ({
    pk: `PATIENT#${patientId}`,
    sk: `CONSENT#${at}#${id}`,
  }),
  entry: (patientId: string, entryId: string) => ({ pk: `PATIENT#${patientId}`, sk: `ENTRY#${entryId}` }),
  slot: (slotId: string) => ({ pk: `SLOT#${slotId}`, sk: 'SLOT' }),
  offer: (slotId: string, patientId: string) => ({ pk: `SLOT#${slotId}`, sk: `OFFER#${patientId}` }),
  /** One item per SMS, in or out; status callbacks address it by id (`?m=` in the callback URL). */
  message: (messageId: string) => ({ pk: `MSG#${messageId}`, sk: 'MSG' }),
  /** Idempotency record of a processed inbound webhook (Twilio retries with the same MessageSid). */
  inbound: (messageSid: string) => ({ pk: `INBOUND#${messageSid}`, sk: 'INBOUND' }),
  provider: (providerId: string) => ({ pk: 'PROVIDERS', sk: `PROVIDER#${providerId}` }),
  location: (locationId: string) => ({ pk: 'LOCATIONS', sk: `LOCATION#${locationId}` }),
  /** The visit-type catalogue: one small partition, read whole. */
  visitType: (visitTypeId: string) => ({ pk: 'VISIT_TYPES', sk: `VISIT_TYPE#${visitTypeId}` }),
  /** A staff inbox item, one per inbound message that needs a person (idempotent on the message id). */
  inbox: (messageId: string) => ({ pk: `INBOX#${messageId}`, sk: 'INBOX' }),
  audit: (day: string, at: string, id: string) => ({ pk: `AUDIT#${day}`, sk: `${at}#${id}` }),
} as const;

/** GSI key values (overloaded indexes: the prefix says which entity an index row is). */
export const indexKeys = {
  /** gsi1: the ranked waitlist. Only active entries of opted-in patients carry it (a sparse index). */
  waitlistRank: (rank: string) => ({ gsi1pk: 'WAITLIST', gsi1sk: rank }),
  /** gsi2: entries whose score changes at a known instant; re-ranked when it passes. */
  rescoreDue: (at: string, entryId: string) => ({ gsi2pk: 'RESCORE', gsi2sk: `${at}#${entryId}` }),
  /** gsi1: slots by status and start time, for the board and lists. */
  slotByStatus: (status: string, startAt: string, slotId: string) => ({
    gsi1pk: `SLOTS#${status}`,
    gsi1sk: `${startAt}#${slotId}`,
  }),
  /** gsi2: a patient's offers, newest last. */
  offerByPatient: (patientId: string, sentAt: string, slotId: string) => ({
    gsi2pk: `OFFERS#${patientId}`,
    gsi2sk: `${sentAt}#${slotId}`,
  }),
  /** gsi1: the staff inbox by status, newest last (read backwards for newest first). */
  inboxByStatus: (status: 'OPEN' | 'HANDLED', receivedAt: string, messageId: string) => ({
    gsi1pk: `INBOX#${status}`,
    gsi1sk: `${receivedAt}#${messageId}`,
  }),
  /** gsi1: the message log by day. */
  messageByDay: (createdAt: string, messageId: string) => ({
    gsi1pk: `MSGLOG#${createdAt.slice(0, 10)}`,
    gsi1sk: `${createdAt}#${messageId}`,
  }),
  /** gsi2: a slot's messages (its timeline), or a patient's when no slot is involved. */
  messageByThread: (
    thread: { slotId?: string; patientId?: string },
    createdAt: string,
    messageId: string,
  ) => ({
    gsi2pk: thread.slotId ? `SLOTMSG#${thread.slotId}` : `PATIENTMSG#${thread.patientId ?? 'UNKNOWN'}`,
    gsi2sk: `${createdAt}#${messageId}`,
  }),
} as const;

/** Attributes that exist only for the table (keys, index keys, TTL, entity tag), never for the domain. */
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'expiresAt', 'entity'];

/** An item as the domain sees it: the same attributes without the table's own. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const copy = { ...item };
  for (const k of KEY_ATTRIBUTES) delete copy[k];
  return copy as T;
}
