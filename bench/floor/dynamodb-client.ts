/**
 * Reference point for `npm run bench:bundles`: the least a function on this design can ship, a DynamoDB
 * document client and nothing else. Its size and import time are the floor under every handler.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));
