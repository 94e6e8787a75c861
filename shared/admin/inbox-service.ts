import { DateTime } from 'luxon';
import { ulid } from 'ulid';
import type { AdminStore } from '../adapters/dynamo/admin-store.js';
import type { InboxStore } from '../adapters/dynamo/inbox-store.js';
import type { OfferPolicy } from '../config.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { segmentInfo } from '../domain/gsm7.js';
import type { InboxItem, MessageRecord, Patient } from '../domain/model.js';
import {
  isWithinPatientWindow,
  nextPatientWindowOpening,
  patientZone,
} from '../domain/quiet-hours/patient-window.js';
import type { OfferEngine } from '../engine/offer-engine.js';
import type { OfferStore } from '../engine/offer-store.js';
import type { AdminResponses, AuditRecord, InboxItemView, RouteInput } from './contract.js';
import { type CursorRule, decodeCursor, encodeCursor, KEY_PART, keyPattern } from './cursor.js';
import { messageView, offerView, patientSummary } from './views.js';

/**
 * The staff inbox: what the conversation could not fully answer (shared/engine/conversation.ts adds the
 * items), listed with its thread, answered by SMS through the engine's own sender, and closed.
 */

/** A reply may go during quiet hours only as a direct answer: to a message this recent. */
export const DIRECT_ANSWER_MS = 15 * 60_000;
/** Messages of the thread shown with each item; the patient page shows up to PATIENT_THREAD_LIMIT. */
const ITEM_THREAD_LIMIT = 20;
const PATIENT_THREAD_LIMIT = 500;

type Audit = (
  action: string,
  recordType: AuditRecord['recordType'],
  recordId: string,
  detail?: AuditRecord['detail'],
) => Promise<void>;

type InboxRoute = 'inbox.list' | 'inbox.count' | 'inbox.reply' | 'inbox.handled' | 'patients.messages';
type Handler<K extends InboxRoute> = (
  input: RouteInput<K>,
  actor: { sub: string; email?: string },
  audit: Audit,
) => Promise<AdminResponses[K]>;

export interface InboxDeps {
  inbox: InboxStore;
  admin: Pick<AdminStore, 'patientsById' | 'patientOffers' | 'slotCollection' | 'listProviders'>;
  store: Pick<OfferStore, 'getPatient'>;
  engine: Pick<OfferEngine, 'sendSms'>;
  policy: OfferPolicy;
  clock: () => Date;
}

const INBOX_KEY = {
  pk: keyPattern('INBOX#', KEY_PART.id),
  sk: /^INBOX$/,
  gsi1sk: keyPattern(KEY_PART.instant, '#', KEY_PART.id),
};

export function inboxUseCases(deps: InboxDeps) {
  const { inbox, admin, policy } = deps;
  const now = () => deps.clock().toISOString();

  /** The thread of one sender: a patient's texts across their slots, or an unknown number's own. */
  async function threadOf(item: InboxItem, message: MessageRecord | undefined): Promise<MessageRecord[]> {
    if (item.patientId) {
      const offers = await admin.patientOffers(item.patientId);
      const slotIds = [...offers.map((o) => o.slotId), ...(item.slotId ? [item.slotId] : [])];
      return inbox.patientThread(item.patientId, slotIds, ITEM_THREAD_LIMIT);
    }
    return message ? inbox.unknownSenderThread(message.phone, ITEM_THREAD_LIMIT) : [];
  }

  async function views(items: InboxItem[]): Promise<InboxItemView[]> {
    const slotIds = [...new Set(items.flatMap((i) => (i.slotId ? [i.slotId] : [])))];
    const [patients, messages, slots, providers] = await Promise.all([
      admin.patientsById(items.flatMap((i) => (i.patientId ? [i.patientId] : []))),
      inbox.messages(items.map((i) => i.messageId)),
      Promise.all(slotIds.map(async (id) => [id, await admin.slotCollection(id)] as const)).then(
        (pairs) => new Map(pairs),
      ),
      slotIds.length > 0 ? admin.listProviders() : Promise.resolve([]),
    ]);
    const threads = await Promise.all(items.map((i) => threadOf(i, messages.get(i.messageId))));
    return items.map((item, index) => {
      const patient = item.patientId ? patients.get(item.patientId) : undefined;
      const message = messages.get(item.messageId);
      const collection = item.slotId ? slots.get(item.slotId) : undefined;
      const slot = collection?.slot;
      const offer = collection?.offers.find((o) => o.patientId === item.patientId);
      const provider = slot && providers.find((p) => p.providerId === slot.providerId);
      return {
        messageId: item.messageId,
        reason: item.reason,
        status: item.status,
        receivedAt: item.receivedAt,
        ...(item.handledBy ? { handledBy: item.handledBy } : {}),
        ...(item.handledAt ? { handledAt: item.handledAt } : {}),
        ...(item.note ? { note: item.note } : {}),
        ...(patient ? { patient: patientSummary(patient) } : {}),
        ...(slot
          ? {
              slot: {
                slotId: slot.slotId,
                startAt: slot.startAt,
                status: slot.status,
                visitType: slot.visitType,
                ...(slot.winnerChangedMind ? { winnerChangedMind: slot.winnerChangedMind } : {}),
                ...(provider ? { providerName: provider.displayName } : {}),
              },
            }
          : {}),
        ...(offer ? { offer: offerView(offer) } : {}),
        ...(message ? { message: messageView(message) } : {}),
        thread: (threads[index] ?? []).map(messageView),
      };
    });
  }

  async function itemOrThrow(messageId: string): Promise<InboxItem> {
    const item = await inbox.get(messageId);
    if (!item) throw new NotFoundError('inbox item', messageId);
    return item;
  }

  /** Why staff may not text this patient now, or undefined when they may. */
  function refusal(item: InboxItem, patient: Patient | undefined, at: string): string | undefined {
    if (!patient) {
      return 'this number is not a patient on the waitlist, so it cannot be texted from here: call it back';
    }
    if (patient.consent === 'OPTED_OUT') {
      return 'the patient has opted out of texts: call them instead';
    }
    const direct = Date.parse(at) - Date.parse(item.receivedAt) <= DIRECT_ANSWER_MS;
    if (!direct && !isWithinPatientWindow(at, patient, policy)) {
      const zone = patientZone(patient, policy);
      const opens = DateTime.fromISO(nextPatientWindowOpening(at, patient, policy)).setZone(zone);
      return `it is quiet hours for the patient (${zone}); texts may go from ${opens.toFormat('ccc d LLL HH:mm')} their time, or call them`;
    }
    return undefined;
  }

  const list: Handler<'inbox.list'> = async ({ query }) => {
    const rule: CursorRule = {
      shapes: [['pk', 'sk', 'gsi1pk', 'gsi1sk']],
      partition: { attribute: 'gsi1pk', allowed: [`INBOX#${query.status}`] },
      attributes: INBOX_KEY,
    };
    const [page, counts] = await Promise.all([
      inbox.list(query.status, query.limit, decodeCursor(query.cursor, rule)),
      inbox.openCounts(),
    ]);
    const cursor = encodeCursor(page.lastKey);
    return { items: await views(page.items), ...(cursor ? { cursor } : {}), open: counts.open };
  };

  const count: Handler<'inbox.count'> = () => inbox.openCounts();

  const reply: Handler<'inbox.reply'> = async ({ params, body: { body } }, _actor, audit) => {
    const item = await itemOrThrow(params.messageId);
    const patient = item.patientId ? await deps.store.getPatient(item.patientId) : undefined;
    const at = now();
    const refused = refusal(item, patient, at);
    if (refused || !patient) throw new ConflictError(refused ?? 'not a patient');
    // A fixed (ULID) id: the reply's record is read back by it for the response.
    const replyId = ulid();
    const result = await deps.engine.sendSms(patient, body, 'STAFF_REPLY', item.slotId, {
      messageId: replyId,
    });
    const { encoding, segments } = segmentInfo(body);
    // Who and when, never the body.
    await audit('inbox.reply', 'INBOX', item.messageId, {
      patientId: patient.patientId,
      replyId,
      result,
      encoding,
      segments,
    });
    if (result === 'RATE_CAPPED') {
      throw new ConflictError("the clinic's hourly text limit is reached: try again after the hour");
    }
    if (result === 'DEFERRED') {
      throw new ConflictError('the SMS provider did not take the text: try again in a minute');
    }
    const sent = (await inbox.messages([replyId])).get(replyId);
    if (result === 'FAILED') {
      throw new ConflictError(
        `the text was not delivered${sent?.errorCode ? ` (error ${sent.errorCode})` : ''}: call the patient`,
      );
    }
    if (!sent) throw new NotFoundError('message', replyId);
    return { message: messageView(sent) };
  };

  const handled: Handler<'inbox.handled'> = async ({ params, body }, actor, audit) => {
    const item = await inbox.markHandled(params.messageId, {
      by: actor.email ?? actor.sub,
      at: now(),
      ...(body.note !== undefined ? { note: body.note } : {}),
    });
    // The note may describe the patient: it stays on the item, and the audit says only that there is one.
    await audit('inbox.handled', 'INBOX', item.messageId, {
      reason: item.reason,
      noted: body.note !== undefined,
    });
    const [view] = await views([item]);
    return view as InboxItemView;
  };

  const patientMessages: Handler<'patients.messages'> = async ({ params }) => {
    const patient = await deps.store.getPatient(params.patientId);
    if (!patient) throw new NotFoundError('patient', params.patientId);
    const offers = await admin.patientOffers(patient.patientId);
    const slotIds = [
      ...offers.map((o) => o.slotId),
      ...(patient.lastOfferSlotId ? [patient.lastOfferSlotId] : []),
      ...(patient.liveOfferSlotId ? [patient.liveOfferSlotId] : []),
    ];
    const thread = await inbox.patientThread(patient.patientId, slotIds, PATIENT_THREAD_LIMIT);
    return { items: thread.map(messageView) };
  };

  return { list, count, reply, handled, patientMessages };
}
