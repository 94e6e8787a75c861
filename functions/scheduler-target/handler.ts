import * as z from 'zod/mini';
import { buildEngine } from '../../shared/runtime/composition.js';
import { logger } from '../../shared/runtime/logger.js';
import { buildSmsSender } from '../../shared/runtime/sms-sender.js';

/**
 * Target of every one-shot EventBridge schedule: the first batch after the staff delay, each hold's
 * expiry, and batches deferred to the contact window. Delivery is at-least-once (Scheduler retries and
 * Lambda's own async retries), which the engine absorbs: a replayed START_BATCH changes nothing.
 */
const scheduledEvent = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('START_BATCH'),
    slotId: z.string().check(z.minLength(1), z.maxLength(64)),
    batch: z.number().check(z.int(), z.minimum(1), z.maximum(10_000)),
    holdEndsAt: z.optional(z.iso.datetime()),
    scheduledTime: z.optional(z.string()),
  }),
  // A withdrawal notice held for the patient's quiet-hours window (sent once, or dropped if too late).
  z.object({
    kind: z.literal('SEND_NOTICE'),
    patientId: z.string().check(z.minLength(1), z.maxLength(64)),
    slotId: z.string().check(z.minLength(1), z.maxLength(64)),
    template: z.literal('WITHDRAWN'),
    scheduledTime: z.optional(z.string()),
  }),
  // The recurring safety net: restart any slot whose next step is overdue.
  z.object({ kind: z.literal('SWEEP'), scheduledTime: z.optional(z.string()) }),
]);

const { engine } = buildEngine({ sms: await buildSmsSender(), advanceMode: 'inline' });

export const handler = async (event: unknown): Promise<{ ok: boolean }> => {
  const parsed = scheduledEvent.safeParse(event);
  if (!parsed.success) {
    // Retrying a malformed payload cannot succeed; log its shape (never its values) and drop it.
    logger.error('scheduler.bad-payload', { issues: parsed.error.issues.map((i) => i.path.join('.')) });
    return { ok: false };
  }
  if (parsed.data.kind === 'SWEEP') {
    const restarted = await engine.sweepStalledSlots();
    logger.info('scheduler.sweep', { restarted: restarted.length, slotIds: restarted });
    return { ok: true };
  }
  if (parsed.data.kind === 'SEND_NOTICE') {
    const { patientId, slotId, template } = parsed.data;
    const outcome = await engine.sendNotice({ kind: 'SEND_NOTICE', patientId, slotId, template });
    logger.info('scheduler.notice', { slotId, patientId, template, outcome });
    return { ok: true };
  }
  logger.info('scheduler.fired', {
    slotId: parsed.data.slotId,
    batch: parsed.data.batch,
    scheduledTime: parsed.data.scheduledTime,
  });
  await engine.startBatch(parsed.data);
  return { ok: true };
};
