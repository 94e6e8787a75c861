import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { monotonicFactory } from 'ulid';
import { deliveryStatusRank } from '../../domain/delivery-status.js';
import { pruneOfferTimes } from '../../domain/eligibility.js';
import type {
  ConsentChange,
  ConsentState,
  ConsentWrite,
  InboxItem,
  Location,
  MessageRecord,
  Offer,
  OfferState,
  Patient,
  Provider,
  SelectionSummary,
  Slot,
  SlotNextStep,
  WaitlistEntry,
} from '../../domain/model.js';
import { nextScoreChangeAt, rankKey, scoreEntry } from '../../domain/ranking.js';
import type {
  BeginBatchResult,
  ClaimResult,
  CreateOfferResult,
  InboundReservation,
  OfferStore,
  OfferTextedResult,
  RankedPage,
} from '../../engine/offer-store.js';
import { indexKeys, keys, stripKeys } from './keys.js';

type Item = Record<string, unknown>;

/** How long a first delivery of an inbound SMS owns it before a retry may handle it instead. */
const INBOUND_LEASE_MS = 30_000;

/** Monotonic ids keep records written in the same millisecond in the order they were written. */
const nextId = monotonicFactory();

function strip<T>(item: Item | undefined): T | undefined {
  return item ? stripKeys<T>(item) : undefined;
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

function epochSecondsAfterDays(iso: string, days: number): number {
  return Math.floor(new Date(iso).getTime() / 1000) + days * 86_400;
}

/** Slot items keep `offered` as a string set and `claimable` as a map; the domain sees arrays. */
function toSlot(item: Item | undefined): Slot | undefined {
  if (!item) return undefined;
  const { offered, claimable: _claimable, ...rest } = strip<Item>(item) ?? {};
  const offeredIds = offered instanceof Set ? [...(offered as Set<string>)] : [];
  return { ...(rest as unknown as Slot), offeredPatientIds: offeredIds.sort() };
}

function toPatient(item: Item | undefined): Patient | undefined {
  const patient = strip<Patient>(item);
  if (patient) patient.recentOfferTimes ??= [];
  return patient;
}

export interface EntryIndexKeys {
  gsi1pk?: string;
  gsi1sk?: string;
  gsi2pk?: string;
  gsi2sk?: string;
  score?: number;
}

export function entryIndexKeys(
  entry: WaitlistEntry,
  patient: Pick<Patient, 'consent'>,
  now: string,
  zone: string,
): EntryIndexKeys {
  // Only active entries of opted-in patients are in the ranked index, so batch selection never pages
  // through people it could not text.
  if (!entry.active || patient.consent !== 'OPTED_IN') return {};
  const score = scoreEntry(entry, now, zone);
  const changeAt = nextScoreChangeAt(entry, now, zone);
  return {
    ...indexKeys.waitlistRank(rankKey(score.total, entry.joinedAt, entry.entryId)),
    ...(changeAt ? indexKeys.rescoreDue(changeAt, entry.entryId) : {}),
    score: score.total,
  };
}

/** An entry as stored: its keys, its place in the ranked index (if it has one) and its attributes. */
export function entryItem(
  entry: WaitlistEntry,
  patient: Pick<Patient, 'consent'>,
  now: string,
  zone: string,
): Item {
  return {
    ...keys.entry(entry.patientId, entry.entryId),
    ...entryIndexKeys(entry, patient, now, zone),
    entity: 'ENTRY',
    ...entry,
  };
}

/**
 * DynamoDB implementation of the engine's store. The table design and every access pattern are in
 * docs/data-model.md. `calls` counts requests so benchmarks can report DynamoDB calls per operation.
 */
export class DynamoOfferStore implements OfferStore {
  calls = 0;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private send<T>(command: object): Promise<T> {
    this.calls++;
    // The document client's overloads do not accept a union of command types; the results are typed
    // at each call site instead.
    return (this.doc.send as (c: object) => Promise<T>).call(this.doc, command);
  }

  /**
   * An UpdateItem whose condition may legitimately fail (someone else got there first, the item is
   * gone): true when it applied, false when the condition said no. Every other error propagates.
   */
  private async updateIfStill(
    input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>,
  ): Promise<boolean> {
    try {
      await this.send(new UpdateCommand({ ...input, TableName: this.tableName }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const out = await this.send<{ Item?: Item }>(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  async getSlot(slotId: string): Promise<Slot | undefined> {
    return toSlot(await this.get(keys.slot(slotId)));
  }

  async listOpenSlots(): Promise<Slot[]> {
    const slots: Slot[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const out = await this.send<{ Items?: Item[]; LastEvaluatedKey?: Record<string, unknown> }>(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :open',
          ExpressionAttributeValues: { ':open': 'SLOTS#OPEN' },
          ExclusiveStartKey: cursor,
        }),
      );
      for (const item of out.Items ?? []) slots.push(toSlot(item) as Slot);
      cursor = out.LastEvaluatedKey;
    } while (cursor);
    return slots;
  }

  async putNewSlot(slot: Slot): Promise<void> {
    const { offeredPatientIds: _o, ...fields } = slot;
    await this.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.slot(slot.slotId),
          ...indexKeys.slotByStatus(slot.status, slot.startAt, slot.slotId),
          entity: 'SLOT',
          ...fields,
          claimable: {},
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getPatient(patientId: string): Promise<Patient | undefined> {
    return toPatient(await this.get(keys.patient(patientId)));
  }

  async findPatientIdByPhone(e164: string): Promise<string | undefined> {
    const item = await this.get(keys.phone(e164));
    return item?.patientId as string | undefined;
  }

  async getProvider(providerId: string): Promise<Provider | undefined> {
    return strip<Provider>(await this.get(keys.provider(providerId)));
  }

  async getLocation(locationId: string): Promise<Location | undefined> {
    return strip<Location>(await this.get(keys.location(locationId)));
  }

  async rescoreDueEntries(now: string, zone: string, limit: number): Promise<number> {
    const out = await this.send<{ Items?: Item[] }>(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :p AND gsi2sk <= :now',
        ExpressionAttributeValues: { ':p': 'RESCORE', ':now': `${now}#~` },
        Limit: limit,
      }),
    );
    let count = 0;
    for (const item of out.Items ?? []) {
      const entry = strip<WaitlistEntry>(item);
      if (!entry) continue;
      const score = scoreEntry(entry, now, zone);
      const changeAt = nextScoreChangeAt(entry, now, zone);
      const applied = await this.updateIfStill({
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: changeAt
          ? 'SET gsi1sk = :rank, score = :score, gsi2sk = :due'
          : 'SET gsi1sk = :rank, score = :score REMOVE gsi2pk, gsi2sk',
        // Only re-rank what is still indexed: a deactivated entry must not re-enter the index.
        ConditionExpression: 'attribute_exists(gsi1pk) AND gsi2sk = :seen',
        ExpressionAttributeValues: {
          ':rank': rankKey(score.total, entry.joinedAt, entry.entryId),
          ':score': score.total,
          ':seen': item.gsi2sk,
          ...(changeAt ? { ':due': indexKeys.rescoreDue(changeAt, entry.entryId).gsi2sk } : {}),
        },
      });
      if (applied) count++;
    }
    return count;
  }

  async rankedWaitlistPage(pageSize: number, cursor?: Record<string, unknown>): Promise<RankedPage> {
    const out = await this.send<{ Items?: Item[]; LastEvaluatedKey?: Record<string, unknown> }>(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'WAITLIST' },
        Limit: pageSize,
        ExclusiveStartKey: cursor,
      }),
    );
    const entries = (out.Items ?? []).map((i) => strip<WaitlistEntry>(i) as WaitlistEntry);
    const patientIds = [...new Set(entries.map((e) => e.patientId))];
    const patients = new Map<string, Patient>();
    if (patientIds.length > 0) {
      let request: Record<string, { Keys: Item[]; ConsistentRead: boolean }> | undefined = {
        [this.tableName]: { Keys: patientIds.map((id) => keys.patient(id)), ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const got: {
          Responses?: Record<string, Item[]>;
          UnprocessedKeys?: Record<string, { Keys: Item[]; ConsistentRead: boolean }>;
        } = await this.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of got.Responses?.[this.tableName] ?? []) {
          const p = toPatient(item);
          if (p) patients.set(p.patientId, p);
        }
        request = got.UnprocessedKeys;
      }
    }
    return {
      rows: entries.map((entry) => ({ entry, patient: patients.get(entry.patientId) })),
      itemsRead: entries.length + patients.size,
      cursor: out.LastEvaluatedKey,
    };
  }

  async beginBatch(input: {
    slotId: string;
    batch: number;
    now: string;
    leaseUntil: string;
    holdExpiresAt: string;
  }): Promise<BeginBatchResult> {
    const { slotId, batch, now, leaseUntil, holdExpiresAt } = input;
    try {
      // Batch n starts only from batch n-1 (never twice, never out of order) and only while OPEN.
      const out = await this.send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.slot(slotId),
          UpdateExpression:
            'SET currentBatch = :batch, phase = :sending, leaseUntil = :lease, holdExpiresAt = :hold REMOVE nextStep',
          ConditionExpression: '#status = :open AND currentBatch = :previous AND phase <> :sending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':batch': batch,
            ':previous': batch - 1,
            ':sending': 'SENDING',
            ':open': 'OPEN',
            ':lease': leaseUntil,
            ':hold': holdExpiresAt,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'STARTED', slot: toSlot(out.Attributes) as Slot };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = (error as ConditionalCheckFailedException).Item;
      const old = current ? unmarshall(current) : undefined;
      // A batch left in SENDING by an attempt that died may be taken over once its lease has run out.
      if (
        old &&
        old.status === 'OPEN' &&
        old.currentBatch === batch &&
        old.phase === 'SENDING' &&
        typeof old.leaseUntil === 'string' &&
        old.leaseUntil < now
      ) {
        try {
          const out = await this.send<{ Attributes?: Item }>(
            new UpdateCommand({
              TableName: this.tableName,
              Key: keys.slot(slotId),
              // The resumed batch gets a fresh hold: its last patients are only being texted now.
              UpdateExpression: 'SET leaseUntil = :lease, holdExpiresAt = :hold',
              ConditionExpression: '#status = :open AND currentBatch = :batch AND leaseUntil = :oldLease',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':open': 'OPEN',
                ':batch': batch,
                ':oldLease': old.leaseUntil,
                ':lease': leaseUntil,
                ':hold': holdExpiresAt,
              },
              ReturnValues: 'ALL_NEW',
            }),
          );
          return { kind: 'RESUMED', slot: toSlot(out.Attributes) as Slot };
        } catch (inner) {
          if (!isConditionFailure(inner)) throw inner;
        }
      }
      return { kind: 'SKIPPED', slot: toSlot(old) };
    }
  }

  async recordSelection(slotId: string, summary: SelectionSummary): Promise<void> {
    await this.updateIfStill({
      Key: keys.slot(slotId),
      UpdateExpression: 'SET lastSelection = :summary',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':summary': summary },
    });
  }

  async finishBatchSending(slotId: string, batch: number): Promise<void> {
    await this.updateIfStill({
      Key: keys.slot(slotId),
      UpdateExpression: 'SET phase = :holding REMOVE leaseUntil, nextStep',
      ConditionExpression: '#status = :open AND currentBatch = :batch AND phase = :sending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':holding': 'HOLDING',
        ':sending': 'SENDING',
        ':open': 'OPEN',
        ':batch': batch,
      },
    });
  }

  async createOffer(input: {
    slot: Slot;
    patient: Patient;
    batch: number;
    now: string;
    holdExpiresAt: string;
  }): Promise<CreateOfferResult> {
    const { slot, patient, batch, now, holdExpiresAt } = input;
    const names = { '#p': patient.patientId };
    // The older offer the patient may still claim keeps that right until this offer's text has been
    // accepted by the provider (recordOfferTexted): a YES means the slot whose text they last received.
    try {
      await this.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.slot(slot.slotId),
          UpdateExpression: 'SET claimable.#p = :batch ADD offered :patientSet',
          ConditionExpression:
            '#status = :open AND currentBatch = :batch AND phase = :sending AND NOT contains(offered, :patientId)',
          ExpressionAttributeNames: { ...names, '#status': 'status' },
          ExpressionAttributeValues: {
            ':batch': batch,
            ':patientSet': new Set([patient.patientId]),
            ':patientId': patient.patientId,
            ':open': 'OPEN',
            ':sending': 'SENDING',
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return 'SLOT_CHANGED';
      throw error;
    }
    const offer: Offer & { notifiedAt?: string } = {
      slotId: slot.slotId,
      patientId: patient.patientId,
      batch,
      state: 'PENDING',
      sentAt: now,
      holdExpiresAt,
    };
    try {
      await this.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: keys.patient(patient.patientId),
                UpdateExpression: 'SET liveOfferSlotId = :s, recentOfferTimes = :times, offerRev = :nextRev',
                // At most one live offer per patient, so a YES is never ambiguous; never an opted-out one;
                // and only from the profile the caps were checked against (another slot's offer in between
                // would make this one over the cap, and its time would be lost from the list).
                ConditionExpression:
                  'consent = :in AND attribute_not_exists(liveOfferSlotId) AND (attribute_not_exists(offerRev) OR offerRev = :rev)',
                ExpressionAttributeValues: {
                  ':s': slot.slotId,
                  ':in': 'OPTED_IN',
                  ':times': [...pruneOfferTimes(patient.recentOfferTimes, now), now],
                  ':rev': patient.offerRev ?? 0,
                  ':nextRev': (patient.offerRev ?? 0) + 1,
                },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.offer(slot.slotId, patient.patientId),
                  ...indexKeys.offerByPatient(patient.patientId, now, slot.slotId),
                  entity: 'OFFER',
                  ...offer,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return 'CREATED';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      await this.removeClaimable(slot.slotId, patient.patientId);
      return 'PATIENT_UNAVAILABLE';
    }
  }

  async revokeClaim(slotId: string, patientId: string): Promise<void> {
    await this.removeClaimable(slotId, patientId);
  }

  private async removeClaimable(slotId: string, patientId: string): Promise<void> {
    await this.updateIfStill({
      Key: keys.slot(slotId),
      UpdateExpression: 'REMOVE claimable.#p',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#p': patientId },
    });
  }

  async recordOfferTexted(input: {
    slotId: string;
    patientId: string;
    at: string;
    bookedSince: string;
  }): Promise<OfferTextedResult> {
    const { slotId, patientId, at, bookedSince } = input;
    await this.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.offer(slotId, patientId),
        UpdateExpression: 'SET notifiedAt = if_not_exists(notifiedAt, :at)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
    // Transaction conflicts (a claim on the older slot at the same instant) are retried: the claim
    // either landed first (and the condition says so) or finds its right gone.
    for (let attempt = 0; attempt < 5; attempt++) {
      const patient = await this.get(keys.patient(patientId));
      if (!patient) return 'POINTED';
      const previous = typeof patient.lastOfferSlotId === 'string' ? patient.lastOfferSlotId : undefined;
      if (previous === slotId) return 'POINTED';
      const pointer = {
        Update: {
          TableName: this.tableName,
          Key: keys.patient(patientId),
          UpdateExpression: 'SET lastOfferSlotId = :s',
          // Someone else moved the pointer since we read it: read again.
          ConditionExpression: previous ? 'lastOfferSlotId = :prev' : 'attribute_not_exists(lastOfferSlotId)',
          ExpressionAttributeValues: { ':s': slotId, ...(previous ? { ':prev': previous } : {}) },
        },
      };
      const olderSlot = previous
        ? {
            Update: {
              TableName: this.tableName,
              Key: keys.slot(previous),
              UpdateExpression: 'REMOVE claimable.#p',
              // The decision: either the patient's YES for the older slot already won it (and this
              // newer offer must go), or from now on it cannot.
              ConditionExpression:
                'attribute_exists(pk) AND NOT (filledByPatientId = :p AND filledAt >= :since)',
              ExpressionAttributeNames: { '#p': patientId },
              ExpressionAttributeValues: { ':p': patientId, ':since': bookedSince },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
            },
          }
        : undefined;
      try {
        await this.send(
          new TransactWriteCommand({ TransactItems: olderSlot ? [pointer, olderSlot] : [pointer] }),
        );
        return 'POINTED';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const older = reasons[1];
        if (older?.Code === 'ConditionalCheckFailed') {
          if (older.Item) return 'BOOKED_ELSEWHERE';
          // The older slot item is gone: nothing to revoke there; just move the pointer.
          await this.updateIfStill({
            Key: keys.patient(patientId),
            UpdateExpression: 'SET lastOfferSlotId = :s',
            ConditionExpression: 'lastOfferSlotId = :prev',
            ExpressionAttributeValues: { ':s': slotId, ':prev': previous },
          });
          return 'POINTED';
        }
      }
    }
    throw new Error(`could not record the offer text for slot ${slotId}: too many conflicting writes`);
  }

  async giveBackOfferTime(patientId: string, sentAt: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const patient = toPatient(await this.get(keys.patient(patientId)));
      if (!patient) return;
      const at = patient.recentOfferTimes.indexOf(sentAt);
      if (at < 0) return;
      const times = patient.recentOfferTimes.filter((_, i) => i !== at);
      // The same revision the offer transaction checks: a concurrent offer's time is never lost.
      const applied = await this.updateIfStill({
        Key: keys.patient(patientId),
        UpdateExpression: 'SET recentOfferTimes = :times, offerRev = :next',
        ConditionExpression: 'attribute_not_exists(offerRev) OR offerRev = :rev',
        ExpressionAttributeValues: {
          ':times': times,
          ':rev': patient.offerRev ?? 0,
          ':next': (patient.offerRev ?? 0) + 1,
        },
      });
      if (applied) return;
    }
  }

  async renewUnsentOfferHold(slotId: string, patientId: string, holdExpiresAt: string): Promise<boolean> {
    return this.updateIfStill({
      Key: keys.offer(slotId, patientId),
      UpdateExpression: 'SET holdExpiresAt = :hold',
      // A text already on the patient's phone keeps the time it showed.
      ConditionExpression: '#state = :pending AND attribute_not_exists(notifiedAt)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':hold': holdExpiresAt, ':pending': 'PENDING' },
    });
  }

  async listOffers(slotId: string): Promise<Array<Offer & { notifiedAt?: string }>> {
    const offers: Array<Offer & { notifiedAt?: string }> = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const out = await this.send<{ Items?: Item[]; LastEvaluatedKey?: Record<string, unknown> }>(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :offer)',
          ExpressionAttributeValues: { ':pk': keys.slot(slotId).pk, ':offer': 'OFFER#' },
          ConsistentRead: true,
          ExclusiveStartKey: cursor,
        }),
      );
      for (const item of out.Items ?? []) offers.push(strip<Offer>(item) as Offer);
      cursor = out.LastEvaluatedKey;
    } while (cursor);
    return offers;
  }

  async closeOffer(input: {
    slotId: string;
    patientId: string;
    from: OfferState[];
    to: OfferState;
    now: string;
    reason: string;
  }): Promise<boolean> {
    const { slotId, patientId, from, to, now, reason } = input;
    // Free the patient first: if we crash after this, the offer is still in `from` and a retry finishes.
    await this.updateIfStill({
      Key: keys.patient(patientId),
      UpdateExpression: 'REMOVE liveOfferSlotId',
      ConditionExpression: 'liveOfferSlotId = :s',
      ExpressionAttributeValues: { ':s': slotId },
    });
    if (to !== 'EXPIRED' && to !== 'ACCEPTED') await this.removeClaimable(slotId, patientId);
    const fromValues = Object.fromEntries(from.map((state, i) => [`:from${i}`, state]));
    return this.updateIfStill({
      Key: keys.offer(slotId, patientId),
      UpdateExpression: 'SET #state = :to, respondedAt = :now, closedReason = :reason',
      ConditionExpression: `#state IN (${Object.keys(fromValues).join(', ')})`,
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ...fromValues, ':to': to, ':now': now, ':reason': reason },
    });
  }

  async flagWinnerChangedMind(
    slotId: string,
    patientId: string,
    how: 'DECLINED' | 'OPTED_OUT',
    at: string,
  ): Promise<boolean> {
    return this.updateIfStill({
      Key: keys.slot(slotId),
      UpdateExpression: 'SET winnerChangedMind = :change',
      ConditionExpression: 'filledByPatientId = :p AND attribute_not_exists(winnerChangedMind)',
      ExpressionAttributeValues: { ':p': patientId, ':change': { at, how } },
    });
  }

  async claimSlot(slotId: string, patientId: string, now: string): Promise<ClaimResult> {
    try {
      const out = await this.send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.slot(slotId),
          UpdateExpression:
            'SET #status = :filled, filledByPatientId = :p, filledAt = :now, phase = :done, gsi1pk = :g1pk',
          // The whole race is decided here: only an OPEN slot, only by a patient still allowed to claim it.
          ConditionExpression: '#status = :open AND attribute_exists(claimable.#p)',
          ExpressionAttributeNames: { '#status': 'status', '#p': patientId },
          ExpressionAttributeValues: {
            ':filled': 'FILLED',
            ':open': 'OPEN',
            ':p': patientId,
            ':now': now,
            ':done': 'DONE',
            ':g1pk': 'SLOTS#FILLED',
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { won: true, slot: toSlot(out.Attributes) as Slot };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = (error as ConditionalCheckFailedException).Item;
      return { won: false, slot: toSlot(current ? unmarshall(current) : undefined) };
    }
  }

  async closeSlot(input: {
    slotId: string;
    to: 'EXPIRED' | 'WITHDRAWN';
    now: string;
    reason: string;
  }): Promise<Slot | undefined> {
    try {
      const out = await this.send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.slot(input.slotId),
          UpdateExpression:
            'SET #status = :to, phase = :done, closedAt = :now, closedReason = :reason, gsi1pk = :g1pk',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':to': input.to,
            ':open': 'OPEN',
            ':done': 'DONE',
            ':now': input.now,
            ':reason': input.reason,
            ':g1pk': `SLOTS#${input.to}`,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toSlot(out.Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** A patient's waitlist entry items, raw (keys included), read consistently. */
  private async entryItemsOf(patientId: string): Promise<Item[]> {
    const out = await this.send<{ Items?: Item[] }>(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
        ExpressionAttributeValues: { ':pk': keys.patient(patientId).pk, ':entry': 'ENTRY#' },
        ConsistentRead: true,
      }),
    );
    return out.Items ?? [];
  }

  async deactivatePatientEntries(
    patientId: string,
    now: string,
    reason: string,
    ttlDays: number,
  ): Promise<void> {
    for (const item of await this.entryItemsOf(patientId)) {
      if (item.active !== true) continue;
      await this.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression:
            'SET active = :false, deactivatedAt = :now, deactivatedReason = :reason, expiresAt = :ttl REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk',
          ExpressionAttributeValues: {
            ':false': false,
            ':now': now,
            ':reason': reason,
            ':ttl': epochSecondsAfterDays(now, ttlDays),
          },
        }),
      );
    }
  }

  async recordConsentChange(patientId: string, change: ConsentChange): Promise<ConsentWrite> {
    const order = change.order ?? `${change.at}#${nextId()}`;
    const later = '(attribute_not_exists(consentOrder) OR consentOrder < :order)';
    // Conflicting transactions (two words from one phone at once) are retried; each attempt reads
    // nothing beforehand, so a stale profile can never decide.
    for (let attempt = 0; attempt < 8; attempt++) {
      try {
        await this.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: keys.patient(patientId),
                  UpdateExpression: 'SET consent = :state, consentUpdatedAt = :at, consentOrder = :order',
                  // Two STOPs at once (or a STOP and a 21610) change consent once: one confirmation.
                  ConditionExpression: `attribute_exists(pk) AND consent <> :state AND ${later}`,
                  ExpressionAttributeValues: { ':state': change.state, ':at': change.at, ':order': order },
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: {
                    ...keys.consentChange(patientId, change.at, nextId()),
                    entity: 'CONSENT',
                    patientId,
                    ...change,
                    order,
                  },
                },
              },
            ],
          }),
        );
        return 'CHANGED';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reason = error.CancellationReasons?.[0];
        if (reason?.Code !== 'ConditionalCheckFailed') continue; // a conflict: try again
        const old = reason.Item ? unmarshall(reason.Item) : undefined;
        if (!old) return 'SUPERSEDED';
        if (typeof old.consentOrder === 'string' && old.consentOrder >= order) return 'SUPERSEDED';
        // Already in that state: record that this word came later, so an earlier one cannot undo it.
        const advanced = await this.updateIfStill({
          Key: keys.patient(patientId),
          UpdateExpression: 'SET consentOrder = :order',
          ConditionExpression: `consent = :state AND ${later}`,
          ExpressionAttributeValues: { ':state': change.state, ':order': order },
        });
        if (advanced) return 'UNCHANGED';
      }
    }
    throw new Error(`consent change for patient ${patientId} kept conflicting`);
  }

  async reindexPatientEntries(
    patientId: string,
    consent: ConsentState,
    now: string,
    zone: string,
  ): Promise<void> {
    for (const item of await this.entryItemsOf(patientId)) {
      const entry = strip<WaitlistEntry>(item) as WaitlistEntry;
      if (!entry.active) continue;
      const index = entryIndexKeys(entry, { consent }, now, zone);
      if (index.gsi1pk) {
        await this.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: `SET gsi1pk = :g1pk, gsi1sk = :g1sk, score = :score${index.gsi2pk ? ', gsi2pk = :g2pk, gsi2sk = :g2sk' : ''}`,
            ConditionExpression: 'active = :true',
            ExpressionAttributeValues: {
              ':g1pk': index.gsi1pk,
              ':g1sk': index.gsi1sk,
              ':score': index.score,
              ':true': true,
              ...(index.gsi2pk ? { ':g2pk': index.gsi2pk, ':g2sk': index.gsi2sk } : {}),
            },
          }),
        );
      } else {
        await this.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: 'REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk',
          }),
        );
      }
    }
  }

  async markUnknownReplyHelped(slotId: string, patientId: string): Promise<boolean> {
    return this.updateIfStill({
      Key: keys.offer(slotId, patientId),
      UpdateExpression: 'SET unknownReplyHelped = :true',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(unknownReplyHelped)',
      ExpressionAttributeValues: { ':true': true },
    });
  }

  async reserveInbound(messageSid: string, now: string): Promise<InboundReservation> {
    try {
      await this.send(
        new PutCommand({
          TableName: this.tableName,
          // Kept for good (no TTL): an exact replay must never act twice, however late it arrives.
          // The item is a few bytes and holds no PHI.
          Item: { ...keys.inbound(messageSid), entity: 'INBOUND', receivedAt: now, attemptAt: now },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { receivedAt: now };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.get(keys.inbound(messageSid));
    const receivedAt = typeof existing?.receivedAt === 'string' ? existing.receivedAt : now;
    if (typeof existing?.reply === 'string') return { previousReply: existing.reply, receivedAt };
    // Not answered yet. A failed attempt gave the message back (released); an attempt that died without
    // saying so is presumed dead once its lease has run out. Either way exactly one retry takes it over.
    const staleBefore = new Date(Date.parse(now) - INBOUND_LEASE_MS).toISOString();
    const taken = await this.updateIfStill({
      Key: keys.inbound(messageSid),
      UpdateExpression: 'SET attemptAt = :now REMOVE released',
      ConditionExpression:
        'attribute_not_exists(reply) AND (released = :true OR attemptAt < :stale OR (attribute_not_exists(attemptAt) AND receivedAt < :stale))',
      ExpressionAttributeValues: { ':now': now, ':true': true, ':stale': staleBefore },
    });
    // Still being handled by another attempt: answer this copy with nothing rather than act twice.
    return taken ? { receivedAt } : { inFlight: true, receivedAt };
  }

  async releaseInbound(messageSid: string): Promise<void> {
    await this.updateIfStill({
      Key: keys.inbound(messageSid),
      UpdateExpression: 'SET released = :true',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(reply)',
      ExpressionAttributeValues: { ':true': true },
    });
  }

  async completeInbound(messageSid: string, reply: string): Promise<void> {
    await this.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.inbound(messageSid),
        UpdateExpression: 'SET reply = if_not_exists(reply, :reply) REMOVE released',
        ExpressionAttributeValues: { ':reply': reply },
      }),
    );
  }

  async markInboundAnsweredByApi(messageSid: string, at: string): Promise<boolean> {
    return this.updateIfStill({
      Key: keys.inbound(messageSid),
      UpdateExpression: 'SET apiAnsweredAt = :at',
      ConditionExpression: 'attribute_exists(reply) AND attribute_not_exists(apiAnsweredAt)',
      ExpressionAttributeValues: { ':at': at },
    });
  }

  async fulfilledEntryOf(patientId: string): Promise<WaitlistEntry | undefined> {
    const fulfilled = (await this.entryItemsOf(patientId))
      .filter((item) => item.active !== true && item.deactivatedReason === 'FILLED')
      .sort((a, b) => String(b.deactivatedAt ?? '').localeCompare(String(a.deactivatedAt ?? '')));
    const withAppointment = fulfilled.find((item) => item.currentAppointment && item.currentAppointmentAt);
    return withAppointment ? strip<WaitlistEntry>(withAppointment) : undefined;
  }

  async reserveFreedSlot(parentSlotId: string, childSlotId: string): Promise<boolean> {
    return this.updateIfStill({
      Key: keys.slot(parentSlotId),
      UpdateExpression: 'SET freedSlotId = :child REMOVE freedAppointment',
      // Once per parent: a retried "booked", or two staff clicking "log the freed slot", log one slot.
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(freedSlotId)',
      ExpressionAttributeValues: { ':child': childSlotId },
    });
  }

  async suggestFreedAppointment(
    parentSlotId: string,
    freed: NonNullable<Slot['freedAppointment']>,
  ): Promise<void> {
    await this.updateIfStill({
      Key: keys.slot(parentSlotId),
      UpdateExpression: 'SET freedAppointment = :freed',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(freedSlotId)',
      ExpressionAttributeValues: { ':freed': freed },
    });
  }

  async updateWaitingSlot(
    slotId: string,
    changes: Parameters<OfferStore['updateWaitingSlot']>[1],
  ): Promise<Slot | undefined> {
    const fields = Object.entries(changes).filter(([, value]) => value !== undefined);
    if (fields.length === 0) return this.getSlot(slotId);
    const names = Object.fromEntries(fields.map(([field]) => [`#${field}`, field]));
    const values = Object.fromEntries(fields.map(([field, value]) => [`:${field}`, value]));
    const sets = fields.map(([field]) => `#${field} = :${field}`);
    // The board lists open slots by start time (gsi1): a new start moves the slot there too.
    if (changes.startAt) {
      sets.push('gsi1sk = :g1sk');
      values[':g1sk'] = indexKeys.slotByStatus('OPEN', changes.startAt, slotId).gsi1sk;
    }
    try {
      const out = await this.send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.slot(slotId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: '#status = :open AND currentBatch = :zero AND phase = :waiting',
          ExpressionAttributeNames: { ...names, '#status': 'status' },
          ExpressionAttributeValues: { ...values, ':open': 'OPEN', ':zero': 0, ':waiting': 'WAITING' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toSlot(out.Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async setNextStep(slotId: string, step: SlotNextStep): Promise<void> {
    await this.updateIfStill({
      Key: keys.slot(slotId),
      UpdateExpression: 'SET nextStep = :step',
      ConditionExpression: '#status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':step': step, ':open': 'OPEN' },
    });
  }

  async setPausedUntil(patientId: string, until: string | undefined): Promise<void> {
    await this.updateIfStill({
      Key: keys.patient(patientId),
      UpdateExpression: until ? 'SET pausedUntil = :until' : 'REMOVE pausedUntil',
      ConditionExpression: 'attribute_exists(pk)',
      ...(until ? { ExpressionAttributeValues: { ':until': until } } : {}),
    });
  }

  async hasActiveEntry(patientId: string): Promise<boolean> {
    return (await this.entryItemsOf(patientId)).some((item) => item.active === true);
  }

  async markOptOutTold(patientId: string, at: string): Promise<void> {
    await this.updateIfStill({
      Key: keys.patient(patientId),
      UpdateExpression: 'SET optOutToldAt = :at',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(optOutToldAt) OR optOutToldAt < :at)',
      ExpressionAttributeValues: { ':at': at },
    });
  }

  async flagNumberMayBeReassigned(patientId: string, at: string): Promise<void> {
    await this.updateIfStill({
      Key: keys.patient(patientId),
      UpdateExpression: 'SET numberMayBeReassigned = if_not_exists(numberMayBeReassigned, :flag)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':flag': { at } },
    });
  }

  async addInboxItem(item: Omit<InboxItem, 'status'>): Promise<void> {
    try {
      await this.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.inbox(item.messageId),
            ...indexKeys.inboxByStatus('OPEN', item.receivedAt, item.messageId),
            entity: 'INBOX',
            ...item,
            status: 'OPEN',
          },
          // A retried webhook must not reopen an item staff already handled.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async recordMessage(message: MessageRecord, ttlDays: number): Promise<boolean> {
    try {
      await this.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.message(message.messageId),
            ...indexKeys.messageByDay(message.createdAt, message.messageId),
            ...indexKeys.messageByThread(message, message.createdAt, message.messageId),
            entity: 'MESSAGE',
            ...message,
            statusRank: deliveryStatusRank(message.deliveryStatus),
            phoneLast4: message.phone.slice(-4),
            // Bodies are PHI: the item (and its body) goes away after the retention period.
            expiresAt: epochSecondsAfterDays(message.createdAt, ttlDays),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async getMessage(messageId: string): Promise<MessageRecord | undefined> {
    return strip<MessageRecord>(await this.get(keys.message(messageId)));
  }

  async updateMessageDelivery(
    messageId: string,
    update: { providerSid?: string; deliveryStatus: string; errorCode?: string; at: string },
  ): Promise<MessageRecord | undefined> {
    const sid = update.providerSid ? ', providerSid = if_not_exists(providerSid, :sid)' : '';
    const sidValue = update.providerSid ? { ':sid': update.providerSid } : {};
    try {
      const out = await this.send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.message(messageId),
          UpdateExpression: `SET deliveryStatus = :status, statusRank = :rank, updatedAt = :at${update.errorCode ? ', errorCode = :code' : ''}${sid}`,
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(statusRank) OR statusRank < :rank)',
          ExpressionAttributeValues: {
            ':status': update.deliveryStatus,
            ':rank': deliveryStatusRank(update.deliveryStatus),
            ':at': update.at,
            ...(update.errorCode ? { ':code': update.errorCode } : {}),
            ...sidValue,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return strip<MessageRecord>(out.Attributes);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const old = (error as ConditionalCheckFailedException).Item;
      // A stale status (a callback overtook the send's own answer) still carries the sid, which is a
      // fact, not a state: record it if the message has none yet.
      if (old && update.providerSid && !unmarshall(old).providerSid) {
        await this.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.message(messageId),
            UpdateExpression: 'SET providerSid = if_not_exists(providerSid, :sid)',
            ExpressionAttributeValues: sidValue,
          }),
        );
      }
      return undefined;
    }
  }
}
