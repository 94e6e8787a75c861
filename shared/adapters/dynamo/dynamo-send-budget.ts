import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SendBudget } from '../twilio/send-cap.js';
import { isConditionFailure } from './dynamo-offer-store.js';

/**
 * The hourly send cap shared by every function instance: one counter item per UTC hour, incremented by a
 * conditional write so concurrent senders can never exceed the cap together.
 */
export class DynamoSendBudget implements SendBudget {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly perHour: number,
  ) {}

  async tryConsume(now: Date): Promise<boolean> {
    const hour = now.toISOString().slice(0, 13);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `SENDCAP#${hour}`, sk: 'SENDCAP' },
          UpdateExpression: 'ADD sent :one SET expiresAt = if_not_exists(expiresAt, :ttl)',
          ConditionExpression: 'attribute_not_exists(sent) OR sent < :cap',
          ExpressionAttributeValues: {
            ':one': 1,
            ':cap': this.perHour,
            ':ttl': Math.floor(now.getTime() / 1000) + 2 * 86_400,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
