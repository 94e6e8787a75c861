import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../shared/adapters/dynamo/create-table.js';
import { startDynamoDbLocal } from '../test/support/dynamodb-local.js';

/** DynamoDB Local (or AWS_ENDPOINT_URL_DYNAMODB) plus a fresh table, for benchmark scripts. */
export async function benchTable(name: string) {
  const external = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const dynamo = external ? { endpoint: external, stop: async () => {} } : await startDynamoDbLocal();
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 10,
  });
  const tableName = `${name}-${Date.now()}`;
  await ensureTable(client, tableName);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { doc, tableName, stop: dynamo.stop };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}
