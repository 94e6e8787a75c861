import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from './support/dynamodb-local.js';

/**
 * One DynamoDB Local for the whole run; each test file creates its own uniquely named table.
 * Set AWS_ENDPOINT_URL_DYNAMODB to run against LocalStack or a Docker DynamoDB Local instead.
 */
export default async function setup(project: TestProject) {
  const external = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (external) {
    project.provide('dynamoEndpoint', external);
    return;
  }
  const dynamo = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
