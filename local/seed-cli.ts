import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../shared/adapters/dynamo/create-table.js';
import { seedSampleData } from './seed.js';
import { DEFAULT_PORT, DEFAULT_TABLE_NAME } from './stack.js';

/**
 * `npm run seed`: adds the sample providers, locations and patients to the local stack's DynamoDB (the
 * one `npm start` runs, or AWS_ENDPOINT_URL_DYNAMODB). Cancellations are left to `npm start`'s first run
 * or the dashboard, since logging one needs the scheduler the running stack provides.
 */
if (process.env.AWS_ENDPOINT_URL_DYNAMODB === undefined && (await import('node:fs')).existsSync('.env')) {
  process.loadEnvFile('.env');
}
const port = Number(process.env.DYNAMODB_PORT || Number(process.env.PORT || DEFAULT_PORT) + 3);
const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB || `http://127.0.0.1:${port}`;
const client = new DynamoDBClient({
  endpoint,
  region: process.env.AWS_REGION || 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 2,
});
try {
  const tableName = process.env.TABLE_NAME || DEFAULT_TABLE_NAME;
  await ensureTable(client, tableName);
  const result = await seedSampleData({
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
    clinicTimeZone: process.env.CLINIC_TIME_ZONE || 'America/Chicago',
    now: new Date().toISOString(),
    log: (line) => console.log(line),
  });
  console.log(result.skipped ? 'Nothing to do.' : `Seeded ${result.patients} patients into ${tableName}.`);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED' || String(error).includes('ECONNREFUSED')) {
    console.error(
      `No DynamoDB at ${endpoint}. Start the local stack first (npm start), or set AWS_ENDPOINT_URL_DYNAMODB.`,
    );
  } else {
    console.error(error);
  }
  process.exitCode = 1;
}
