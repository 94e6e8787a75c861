/**
 * How scheduled work reaches the scheduler-target function, shared by the CDK stack (what AWS runs) and
 * the local Scheduler emulator (what `npm start` runs), so the two cannot drift apart. Plain data: the
 * stack, the emulator and the handler's tests import it without pulling in any SDK.
 */

/** The recurring safety net: EventBridge Scheduler sends this Input every five minutes. */
export const SWEEP_SCHEDULE = {
  everyMinutes: 5,
  expression: 'rate(5 minutes)',
  input: JSON.stringify({ kind: 'SWEEP', scheduledTime: '<aws.scheduler.scheduled-time>' }),
  // The next sweep is five minutes away: retrying an old one is pointless.
  retryPolicy: { maximumEventAgeInSeconds: 240, maximumRetryAttempts: 0 },
} as const;

/**
 * What happens when the target function fails on a scheduled event. Scheduler invokes Lambda
 * asynchronously, so Scheduler's own retries only cover a refused invocation; a handler that throws is
 * retried by Lambda's async invoke config (twice, about one minute then two minutes apart), and the event
 * then goes to the dead-letter queue. A DynamoDB blip during a hold expiry is absorbed here.
 */
export const TARGET_RETRY = {
  retryAttempts: 2,
  firstDelaySeconds: 60,
  maxEventAgeSeconds: 3600,
} as const;
