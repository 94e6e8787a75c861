import type { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AuditRecord } from '../../admin/contract.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type {
  ConsentChange,
  Location,
  MessageRecord,
  Offer,
  Patient,
  Provider,
  Slot,
  WaitlistEntry,
} from '../../domain/model.js';
import type { VisitType } from '../../domain/visit-type.js';
import { entryItem, isConditionFailure } from './dynamo-offer-store.js';
import { keys, stripKeys } from './keys.js';

/**
 * The admin API's reads and writes that the engine does not need: lists for the dashboard (slots by
 * status, the message log, the audit log), a slot's or a patient's whole item collection, reference data
 * edits and waitlist entry edits. Every access pattern is listed in docs/data-model.md.
 */

type Item = Record<string, unknown>;
export type Key = Record<string, unknown>;

export type SlotItem = Slot & { closedAt?: string };

/** Slots keep `offered` as a string set and `claimable` as a map internally; callers see plain data. */
export function slotFromItem(item: Item): SlotItem {
  const { offered, claimable: _claimable, leaseUntil: _lease, ...rest } = stripKeys<Item>(item);
  const offeredIds = offered instanceof Set ? [...(offered as Set<string>)].sort() : [];
  return { ...(rest as unknown as SlotItem), offeredPatientIds: offeredIds };
}

export type OfferItem = Offer & { notifiedAt?: string };
export type EntryItem = WaitlistEntry & {
  deactivatedAt?: string;
  deactivatedReason?: string;
  score?: number;
};

export interface PageOut<T> {
  items: T[];
  lastKey?: Key;
}

/** One dashboard day spans two UTC partitions of the message log (it is keyed by the UTC day). */
export interface DayRange {
  partitions: string[];
  startIso: string;
  endIso: string;
}

export class AdminStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private send<T>(command: object): Promise<T> {
    // The document client's overloads do not accept a union of command types.
    return (this.doc.send as (c: object) => Promise<T>).call(this.doc, command);
  }

  private async queryAll(input: Record<string, unknown>, max = 5_000): Promise<Item[]> {
    const items: Item[] = [];
    let lastKey: Key | undefined;
    do {
      const out = await this.send<{ Items?: Item[]; LastEvaluatedKey?: Key }>(
        new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey: lastKey } as never),
      );
      items.push(...(out.Items ?? []));
      lastKey = out.LastEvaluatedKey;
    } while (lastKey && items.length < max);
    return items;
  }

  // --- slots ------------------------------------------------------------------------------------------

  /** gsi1 `SLOTS#<status>`, by start time; `from` inclusive, `to` exclusive (UTC ISO). */
  async listSlots(input: {
    status: string;
    from?: string;
    to?: string;
    limit: number;
    cursor?: Key;
  }): Promise<PageOut<SlotItem>> {
    const values: Item = { ':p': `SLOTS#${input.status}` };
    let range = '';
    if (input.from && input.to) {
      range = ' AND gsi1sk BETWEEN :from AND :to';
      values[':from'] = input.from;
      // "<iso>" sorts before "<iso>#<id>", so BETWEEN excludes slots starting exactly at `to`.
      values[':to'] = input.to;
    } else if (input.from) {
      range = ' AND gsi1sk >= :from';
      values[':from'] = input.from;
    } else if (input.to) {
      range = ' AND gsi1sk < :to';
      values[':to'] = input.to;
    }
    const out = await this.send<{ Items?: Item[]; LastEvaluatedKey?: Key }>(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: `gsi1pk = :p${range}`,
        ExpressionAttributeValues: values,
        Limit: input.limit,
        ExclusiveStartKey: input.cursor,
      }),
    );
    return { items: (out.Items ?? []).map(slotFromItem), lastKey: out.LastEvaluatedKey };
  }

  /** Every slot of a status starting in [from, to), for metrics. */
  async slotsInRange(status: string, from: string, to: string): Promise<SlotItem[]> {
    const items = await this.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p AND gsi1sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':p': `SLOTS#${status}`, ':from': from, ':to': to },
    });
    return items.map(slotFromItem);
  }

  /** The slot item and its offers: one partition, one Query. */
  async slotCollection(slotId: string): Promise<{ slot?: SlotItem; offers: OfferItem[] }> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.slot(slotId).pk },
      ConsistentRead: true,
    });
    let slot: SlotItem | undefined;
    const offers: OfferItem[] = [];
    for (const item of items) {
      if (item.sk === 'SLOT') slot = slotFromItem(item);
      else if (typeof item.sk === 'string' && item.sk.startsWith('OFFER#'))
        offers.push(stripKeys<OfferItem>(item));
    }
    return { slot, offers };
  }

  /** gsi2 `SLOTMSG#<slotId>`: the slot's texts, oldest first. */
  async slotMessages(slotId: string): Promise<MessageRecord[]> {
    const items = await this.queryAll(
      {
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :p',
        ExpressionAttributeValues: { ':p': `SLOTMSG#${slotId}` },
      },
      1_000,
    );
    return items.map((i) => stripKeys<MessageRecord>(i));
  }

  /** Records "booked in the EHR" once, on a filled slot. */
  async markBooked(slotId: string, by: string, at: string): Promise<SlotItem> {
    try {
      const out = await this.send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.slot(slotId),
          UpdateExpression: 'SET bookedInEhr = :booked',
          ConditionExpression: '#status = :filled AND attribute_not_exists(bookedInEhr)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':booked': { by, at }, ':filled': 'FILLED' },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return slotFromItem(out.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const raw = (error as ConditionalCheckFailedException).Item;
      if (!raw) throw new NotFoundError('slot', slotId);
      const old = unmarshall(raw);
      if (old.bookedInEhr) throw new ConflictError(`slot ${slotId} is already marked booked in the EHR`);
      throw new ConflictError(`slot ${slotId} is ${String(old.status)}: only a FILLED slot can be booked`);
    }
  }

  // --- patients and entries ---------------------------------------------------------------------------

  async patientCollection(
    patientId: string,
  ): Promise<{ patient?: Patient; consents: ConsentChange[]; entries: EntryItem[] }> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.patient(patientId).pk },
      ConsistentRead: true,
    });
    let patient: Patient | undefined;
    const consents: ConsentChange[] = [];
    const entries: EntryItem[] = [];
    for (const item of items) {
      const sk = String(item.sk);
      if (sk === 'PROFILE') {
        patient = stripKeys<Patient>(item);
        patient.recentOfferTimes ??= [];
      } else if (sk.startsWith('CONSENT#')) {
        const { patientId: _p, ...change } = stripKeys<ConsentChange & { patientId: string }>(item);
        consents.push(change);
      } else if (sk.startsWith('ENTRY#')) entries.push(stripKeys<EntryItem>(item));
    }
    return { patient, consents, entries };
  }

  /** gsi2 `OFFERS#<patientId>`, oldest first. */
  async patientOffers(patientId: string): Promise<OfferItem[]> {
    const items = await this.queryAll(
      {
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :p',
        ExpressionAttributeValues: { ':p': `OFFERS#${patientId}` },
      },
      1_000,
    );
    return items.map((i) => stripKeys<OfferItem>(i));
  }

  /** Profiles by id (BatchGet, 100 at a time); missing ids are absent from the map. */
  async patientsById(patientIds: string[]): Promise<Map<string, Patient>> {
    const found = new Map<string, Patient>();
    const unique = [...new Set(patientIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: Item[] }> | undefined = {
        [this.tableName]: { Keys: unique.slice(i, i + 100).map((id) => keys.patient(id)) },
      };
      while (request && Object.keys(request).length > 0) {
        const out: {
          Responses?: Record<string, Item[]>;
          UnprocessedKeys?: Record<string, { Keys: Item[] }>;
        } = await this.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const p = stripKeys<Patient>(item);
          found.set(p.patientId, p);
        }
        request = out.UnprocessedKeys;
      }
    }
    return found;
  }

  /**
   * Staff's corrections to a profile: each field is set, or removed when null. Only the listed fields
   * can change, so a concurrent offer or consent change to the same item is never overwritten. Returns
   * undefined when there is no such patient.
   */
  async updatePatient(
    patientId: string,
    changes: Partial<
      Record<'displayName' | 'familyName' | 'timeZone' | 'state' | 'language' | 'pausedUntil', string | null>
    >,
  ): Promise<Patient | undefined> {
    const set: string[] = [];
    const remove: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      if (value === null) remove.push(`#${field}`);
      else {
        set.push(`#${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    const expression = [
      set.length ? `SET ${set.join(', ')}` : '',
      remove.length ? `REMOVE ${remove.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    try {
      const out = await this.send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.patient(patientId),
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? stripKeys<Patient>(out.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Which of these E.164 numbers already belong to a patient (the PHONE# guard items). */
  async registeredPhones(phones: string[]): Promise<Set<string>> {
    const taken = new Set<string>();
    const unique = [...new Set(phones)];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: Item[]; ConsistentRead: boolean }> | undefined = {
        [this.tableName]: { Keys: unique.slice(i, i + 100).map((p) => keys.phone(p)), ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const out: {
          Responses?: Record<string, Item[]>;
          UnprocessedKeys?: Record<string, { Keys: Item[]; ConsistentRead: boolean }>;
        } = await this.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[this.tableName] ?? [])
          taken.add(String(item.pk).slice('PHONE#'.length));
        request = out.UnprocessedKeys;
      }
    }
    return taken;
  }

  /**
   * Replaces an active entry and re-indexes it by its new score. The condition keeps an edit from
   * resurrecting an entry that was deactivated (or filled) since the caller read it.
   */
  async replaceActiveEntry(
    entry: WaitlistEntry,
    patient: Pick<Patient, 'consent'>,
    now: string,
    zone: string,
  ) {
    try {
      await this.send(
        new PutCommand({
          TableName: this.tableName,
          Item: entryItem(entry, patient, now, zone),
          ConditionExpression: 'attribute_exists(pk) AND active = :true',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new ConflictError('the entry changed or is no longer active; reload it');
      throw error;
    }
  }

  async deactivateEntry(input: {
    patientId: string;
    entryId: string;
    reason: string;
    now: string;
    ttlDays: number;
  }): Promise<EntryItem> {
    try {
      const out = await this.send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.entry(input.patientId, input.entryId),
          UpdateExpression:
            'SET active = :false, deactivatedAt = :now, deactivatedReason = :reason, expiresAt = :ttl REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk',
          ConditionExpression: 'active = :true',
          ExpressionAttributeValues: {
            ':false': false,
            ':true': true,
            ':now': input.now,
            ':reason': input.reason,
            ':ttl': Math.floor(Date.parse(input.now) / 1000) + input.ttlDays * 86_400,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return stripKeys<EntryItem>(out.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (!(error as ConditionalCheckFailedException).Item) throw new NotFoundError('entry', input.entryId);
      throw new ConflictError(`entry ${input.entryId} is already inactive`);
    }
  }

  /**
   * One page of the ranked index (gsi1 `WAITLIST`), filtered. DynamoDB's Limit counts items read before
   * the filter, so asking each round for only as many as are still missing can never overshoot the page:
   * the cursor then always points just after the last row returned.
   */
  async rankedEntries(input: {
    limit: number;
    cursor?: Key;
    filter: { providerType?: string; locationId?: string; urgent?: boolean };
  }): Promise<PageOut<EntryItem>> {
    const clauses: string[] = [];
    const values: Item = { ':p': 'WAITLIST' };
    const names: Record<string, string> = {};
    if (input.filter.urgent !== undefined) {
      clauses.push('#urgent = :urgent');
      names['#urgent'] = 'urgent';
      values[':urgent'] = input.filter.urgent;
    }
    if (input.filter.providerType) {
      // An empty preference list means "any", so it matches every filter value.
      clauses.push('(size(#prefs.#types) = :zero OR contains(#prefs.#types, :pt))');
      Object.assign(names, { '#prefs': 'preferences', '#types': 'providerTypes' });
      values[':pt'] = input.filter.providerType;
      values[':zero'] = 0;
    }
    if (input.filter.locationId) {
      clauses.push('(size(#prefs.#locs) = :zero OR contains(#prefs.#locs, :loc))');
      Object.assign(names, { '#prefs': 'preferences', '#locs': 'locationIds' });
      values[':loc'] = input.filter.locationId;
      values[':zero'] = 0;
    }
    const items: EntryItem[] = [];
    let lastKey = input.cursor;
    for (let round = 0; round < 20; round++) {
      const out = await this.send<{ Items?: Item[]; LastEvaluatedKey?: Key }>(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ...(clauses.length > 0 ? { FilterExpression: clauses.join(' AND ') } : {}),
          ExpressionAttributeValues: values,
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          Limit: input.limit - items.length,
          ExclusiveStartKey: lastKey,
        }),
      );
      items.push(...(out.Items ?? []).map((i) => stripKeys<EntryItem>(i)));
      lastKey = out.LastEvaluatedKey;
      if (!lastKey || items.length >= input.limit) break;
    }
    return { items, lastKey };
  }

  // --- reference data -----------------------------------------------------------------------------------

  async listProviders(): Promise<Provider[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'PROVIDERS' },
    });
    return items.map((i) => stripKeys<Provider>(i));
  }

  async listLocations(): Promise<Location[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'LOCATIONS' },
    });
    return items.map((i) => stripKeys<Location>(i));
  }

  /** `mode: 'create'` fails on an existing id (409); `'replace'` on a missing one (404). */
  async putProvider(provider: Provider, mode: 'create' | 'replace'): Promise<void> {
    await this.putReference(
      { ...keys.provider(provider.providerId), entity: 'PROVIDER', ...provider },
      mode,
      'provider',
      provider.providerId,
    );
  }

  async putLocation(location: Location, mode: 'create' | 'replace'): Promise<void> {
    await this.putReference(
      { ...keys.location(location.locationId), entity: 'LOCATION', ...location },
      mode,
      'location',
      location.locationId,
    );
  }

  async listVisitTypes(): Promise<VisitType[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'VISIT_TYPES' },
    });
    return items.map((i) => stripKeys<VisitType>(i));
  }

  /** `mode: 'create'` fails on an existing id (409); `'replace'` on a missing one (404). */
  async putVisitType(visitType: VisitType, mode: 'create' | 'replace'): Promise<void> {
    await this.putReference(
      { ...keys.visitType(visitType.visitTypeId), entity: 'VISIT_TYPE', ...visitType },
      mode,
      'visit type',
      visitType.visitTypeId,
    );
  }

  private async putReference(
    item: Item,
    mode: 'create' | 'replace',
    what: string,
    id: string,
  ): Promise<void> {
    try {
      await this.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: mode === 'create' ? 'attribute_not_exists(pk)' : 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (mode === 'create') throw new ConflictError(`a ${what} with id ${id} already exists`);
      throw new NotFoundError(what, id);
    }
  }

  // --- message log ----------------------------------------------------------------------------------------

  /**
   * gsi1 `MSGLOG#<utc day>` across the partitions a clinic day spans (in the order given, each newest
   * first), filtered. The cursor is the
   * LastEvaluatedKey, or `{ gsi1pk }` alone meaning "start of that partition".
   */
  async listMessages(input: {
    day: DayRange;
    limit: number;
    cursor?: Key;
    filter: { direction?: string; status?: string; last4?: string };
  }): Promise<PageOut<MessageRecord>> {
    const clauses: string[] = [];
    const values: Item = { ':from': input.day.startIso, ':to': input.day.endIso };
    const names: Record<string, string> = {};
    if (input.filter.direction) {
      clauses.push('#direction = :direction');
      names['#direction'] = 'direction';
      values[':direction'] = input.filter.direction;
    }
    if (input.filter.status) {
      clauses.push('#deliveryStatus = :status');
      names['#deliveryStatus'] = 'deliveryStatus';
      values[':status'] = input.filter.status;
    }
    if (input.filter.last4) {
      clauses.push('#last4 = :last4');
      names['#last4'] = 'phoneLast4';
      values[':last4'] = input.filter.last4;
    }
    const items: MessageRecord[] = [];
    const startPartition = input.cursor ? String(input.cursor.gsi1pk) : input.day.partitions[0];
    let index = Math.max(0, input.day.partitions.indexOf(startPartition ?? ''));
    let lastKey: Key | undefined = input.cursor && 'gsi1sk' in input.cursor ? input.cursor : undefined;
    for (let round = 0; round < 40 && index < input.day.partitions.length; round++) {
      const out = await this.send<{ Items?: Item[]; LastEvaluatedKey?: Key }>(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p AND gsi1sk BETWEEN :from AND :to',
          ...(clauses.length > 0 ? { FilterExpression: clauses.join(' AND ') } : {}),
          ExpressionAttributeValues: { ...values, ':p': input.day.partitions[index] },
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          Limit: input.limit - items.length,
          ExclusiveStartKey: lastKey,
          ScanIndexForward: false,
        }),
      );
      items.push(...(out.Items ?? []).map((i) => stripKeys<MessageRecord>(i)));
      lastKey = out.LastEvaluatedKey;
      if (!lastKey) {
        index++;
        if (items.length >= input.limit) {
          const next = input.day.partitions[index];
          return { items, lastKey: next ? { gsi1pk: next } : undefined };
        }
      } else if (items.length >= input.limit) {
        return { items, lastKey };
      }
    }
    return { items, lastKey: index < input.day.partitions.length ? lastKey : undefined };
  }

  /**
   * Counts for metrics from one UTC day of the message log (no bodies read), bucketed by `dayOf(createdAt)`
   * (the clinic day); a message `dayOf` gives no day for is not counted.
   */
  async messageCountsForUtcDay(
    day: string,
    from: string,
    to: string,
    dayOf: (createdAt: string) => string | undefined,
  ): Promise<Map<string, { sent: number; optOuts: number }>> {
    const items = await this.queryAll(
      {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p AND gsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':p': `MSGLOG#${day}`, ':from': from, ':to': to },
        ProjectionExpression: '#d, #p, #s, #e, #c',
        ExpressionAttributeNames: {
          '#d': 'direction',
          '#p': 'purpose',
          '#s': 'deliveryStatus',
          '#e': 'errorCode',
          '#c': 'createdAt',
        },
      },
      100_000,
    );
    const counts = new Map<string, { sent: number; optOuts: number }>();
    for (const item of items) {
      if (item.direction !== 'OUTBOUND') continue;
      const clinicDay = dayOf(String(item.createdAt));
      if (clinicDay === undefined) continue;
      let c = counts.get(clinicDay);
      if (!c) {
        c = { sent: 0, optOuts: 0 };
        counts.set(clinicDay, c);
      }
      // Texts held back by the clinic's hourly cap were never sent.
      if (item.deliveryStatus !== 'canceled') c.sent++;
      if (item.purpose === 'ANSWER_OPT_OUT' || item.errorCode === '21610') c.optOuts++;
    }
    return counts;
  }

  // --- audit ----------------------------------------------------------------------------------------------

  /** `day` is the clinic day, so one audit page is one working day. */
  async putAudit(day: string, record: AuditRecord): Promise<void> {
    await this.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.audit(day, record.at, record.auditId), entity: 'AUDIT', ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async listAudit(day: string, limit: number, cursor?: Key): Promise<PageOut<AuditRecord>> {
    const out = await this.send<{ Items?: Item[]; LastEvaluatedKey?: Key }>(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.audit(day, '', '').pk },
        Limit: limit,
        ExclusiveStartKey: cursor,
      }),
    );
    return { items: (out.Items ?? []).map((i) => stripKeys<AuditRecord>(i)), lastKey: out.LastEvaluatedKey };
  }

  async auditActionsForDay(day: string): Promise<AuditRecord[]> {
    const items = await this.queryAll(
      {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.audit(day, '', '').pk },
      },
      100_000,
    );
    return items.map((i) => stripKeys<AuditRecord>(i));
  }
}
