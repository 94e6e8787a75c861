import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { InboxItem, MessageRecord } from '../../domain/model.js';
import { isConditionFailure } from './dynamo-offer-store.js';
import { indexKeys, keys, stripKeys } from './keys.js';

/**
 * The staff inbox's reads and its one write (closing an item). Items are added by the conversation
 * (OfferStore.addInboxItem); the keys are in keys.ts and the access patterns in docs/data-model.md.
 * A patient's conversation thread is spread over the slot threads they were texted about (gsi2
 * `SLOTMSG#<slotId>`, shared with other patients, hence the filter) and their own (`PATIENTMSG#<id>`).
 */

type Item = Record<string, unknown>;
export type Key = Record<string, unknown>;

export type InboxStatus = InboxItem['status'];

export class InboxStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private send<T>(command: object): Promise<T> {
    // The document client's overloads do not accept a union of command types.
    return (this.doc.send as (c: object) => Promise<T>).call(this.doc, command);
  }

  private async query(input: Item, max: number): Promise<Item[]> {
    const items: Item[] = [];
    let lastKey: Key | undefined;
    do {
      const out = await this.send<{ Items?: Item[]; LastEvaluatedKey?: Key }>(
        new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey: lastKey } as never),
      );
      items.push(...(out.Items ?? []));
      lastKey = out.LastEvaluatedKey;
    } while (lastKey && items.length < max);
    return items.slice(0, max);
  }

  /** gsi1 `INBOX#<status>`, newest first. */
  async list(
    status: InboxStatus,
    limit: number,
    cursor?: Key,
  ): Promise<{ items: InboxItem[]; lastKey?: Key }> {
    const out = await this.send<{ Items?: Item[]; LastEvaluatedKey?: Key }>(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': `INBOX#${status}` },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: cursor,
      }),
    );
    return { items: (out.Items ?? []).map((i) => stripKeys<InboxItem>(i)), lastKey: out.LastEvaluatedKey };
  }

  /** Open items in all and per slot (the nav and the board); reads only the slot ids. */
  async openCounts(): Promise<{ open: number; bySlot: Record<string, number> }> {
    const items = await this.query(
      {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'INBOX#OPEN' },
        ProjectionExpression: 'slotId',
      },
      10_000,
    );
    const bySlot: Record<string, number> = {};
    for (const item of items) {
      if (typeof item.slotId === 'string') bySlot[item.slotId] = (bySlot[item.slotId] ?? 0) + 1;
    }
    return { open: items.length, bySlot };
  }

  async get(messageId: string): Promise<InboxItem | undefined> {
    const out = await this.send<{ Item?: Item }>(
      new GetCommand({ TableName: this.tableName, Key: keys.inbox(messageId), ConsistentRead: true }),
    );
    return out.Item ? stripKeys<InboxItem>(out.Item) : undefined;
  }

  /**
   * OPEN → HANDLED, once: the item moves to the `INBOX#HANDLED` partition. Closing an item someone else
   * has just closed is a conflict that names who and when, so two staff never both believe they did it.
   */
  async markHandled(
    messageId: string,
    handled: { by: string; at: string; note?: string },
  ): Promise<InboxItem> {
    try {
      const out = await this.send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.inbox(messageId),
          UpdateExpression: `SET #status = :handled, gsi1pk = :pk, handledBy = :by, handledAt = :at${
            handled.note !== undefined ? ', note = :note' : ''
          }`,
          ConditionExpression: 'attribute_exists(pk) AND #status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':handled': 'HANDLED',
            ':open': 'OPEN',
            // The sort key (receivedAt#messageId) stays: only the partition changes.
            ':pk': indexKeys.inboxByStatus('HANDLED', '', messageId).gsi1pk,
            ':by': handled.by,
            ':at': handled.at,
            ...(handled.note !== undefined ? { ':note': handled.note } : {}),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return stripKeys<InboxItem>(out.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.get(messageId);
      if (!current) throw new NotFoundError('inbox item', messageId);
      throw new ConflictError(
        `already marked handled${current.handledBy ? ` by ${current.handledBy}` : ''}${
          current.handledAt ? ` at ${current.handledAt}` : ''
        }`,
      );
    }
  }

  /** Message records by id (BatchGet); ids whose record has expired (TTL) are absent. */
  async messages(messageIds: string[]): Promise<Map<string, MessageRecord>> {
    const found = new Map<string, MessageRecord>();
    const unique = [...new Set(messageIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: Item[] }> | undefined = {
        [this.tableName]: { Keys: unique.slice(i, i + 100).map((id) => keys.message(id)) },
      };
      while (request && Object.keys(request).length > 0) {
        const out: {
          Responses?: Record<string, Item[]>;
          UnprocessedKeys?: Record<string, { Keys: Item[] }>;
        } = await this.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const message = stripKeys<MessageRecord>(item);
          found.set(message.messageId, message);
        }
        request = out.UnprocessedKeys;
      }
    }
    return found;
  }

  /**
   * A patient's texts in both directions, oldest first, the most recent `limit`: their own thread plus
   * their messages in each slot thread named (the slots they were offered or wrote about).
   */
  async patientThread(patientId: string, slotIds: string[], limit: number): Promise<MessageRecord[]> {
    const reads = [
      this.query(
        {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :p',
          ExpressionAttributeValues: { ':p': `PATIENTMSG#${patientId}` },
          ScanIndexForward: false,
        },
        limit,
      ),
      ...[...new Set(slotIds)].map((slotId) =>
        this.query(
          {
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :p',
            FilterExpression: 'patientId = :patient',
            ExpressionAttributeValues: { ':p': `SLOTMSG#${slotId}`, ':patient': patientId },
            ScanIndexForward: false,
          },
          limit,
        ),
      ),
    ];
    return newestLast((await Promise.all(reads)).flat(), limit);
  }

  /** Texts from a number that is not a patient (gsi2 `PATIENTMSG#UNKNOWN`), oldest first. */
  async unknownSenderThread(phone: string, limit: number): Promise<MessageRecord[]> {
    const items = await this.query(
      {
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :p',
        FilterExpression: 'phone = :phone',
        ExpressionAttributeValues: { ':p': 'PATIENTMSG#UNKNOWN', ':phone': phone },
        ScanIndexForward: false,
      },
      limit,
    );
    return newestLast(items, limit);
  }
}

function newestLast(items: Item[], limit: number): MessageRecord[] {
  const byId = new Map<string, MessageRecord>();
  for (const item of items) {
    const message = stripKeys<MessageRecord>(item);
    byId.set(message.messageId, message);
  }
  return [...byId.values()]
    .sort((a, b) =>
      a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.messageId < b.messageId ? -1 : 1,
    )
    .slice(-limit);
}
