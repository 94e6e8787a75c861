import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger for every function. Log ids, counts and masked phones only: never a phone
 * number, a patient name or a message body (they are PHI).
 */
export const logger = new Logger({ serviceName: 'clinic-backfill' });

/** "+13125550123" → "***0123". */
export function maskPhone(phone: string | undefined): string {
  if (!phone) return '(none)';
  return `***${phone.replace(/\D/g, '').slice(-4)}`;
}

export function engineLog(event: string, fields: Record<string, unknown>): void {
  logger.info(event, fields);
}
