/**
 * Reference point for `npm run bench:bundles`: what a webhook function needs before any of our code,
 * the four AWS clients it uses (DynamoDB, Scheduler, SNS, Secrets Manager) and luxon for clinic time.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';

export const clients = [
  DynamoDBDocumentClient.from(new DynamoDBClient({})),
  new SchedulerClient({}),
  new SNSClient({}),
  new SecretsManagerClient({}),
];
export const startedAt = DateTime.now();
