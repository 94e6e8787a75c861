import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The account id LocalStack and the AWS docs use for examples; never a real account. */
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/**
 * A Lambda-like context for one invocation, so handlers (and Powertools' logger, which reads
 * `functionName`, `awsRequestId` and the memory size from it) behave as they do in AWS.
 */
export function lambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  const fail = () => {
    throw new Error('context.done/fail/succeed are not supported: return a value or throw instead');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

/** Keeps the last four digits only: logs never carry a whole phone number. */
export function maskPhone(phone: string | undefined): string {
  if (!phone) return '(none)';
  return `***${phone.slice(-4)}`;
}
