import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoOfferStore } from '../../shared/adapters/dynamo/dynamo-offer-store.js';
import type { OfferPolicy } from '../../shared/config.js';
import type { EngineDeps } from '../../shared/engine/offer-engine.js';

/**
 * The policies the simulator compares. All share the clinic's caps, contact hours and first-batch delay
 * (the config defaults, or the clinic's own variables); only how batches are sized and held differs.
 */
export interface SimPolicy {
  name: string;
  /** Settings on top of the clinic's (parsed by the same zod schema as production). */
  env: Record<string, string>;
  /** Engine dependencies this policy adds (a batch policy, late claims). */
  engine(ctx: {
    store: DynamoOfferStore;
    doc: DynamoDBDocumentClient;
    tableName: string;
    policy: OfferPolicy;
  }): Partial<EngineDeps>;
}

/** The clinic's own settings as the simulator runs them: whatever of these the environment sets. */
const CLINIC_SETTINGS = [
  'BATCH_SIZE',
  'HOLD_MINUTES',
  'MAX_SLOT_BATCH_SIZE',
  'FIRST_BATCH_DELAY_MINUTES',
  'OFFER_CUTOFF_MINUTES',
  'MIN_NOTICE_MINUTES',
  'CONTACT_HOURS_START',
  'CONTACT_HOURS_END',
  'MAX_OFFERS_PER_PATIENT_PER_DAY',
  'MAX_OFFERS_PER_PATIENT_PER_WEEK',
  'MAX_MESSAGES_PER_HOUR',
  'FAIR_ROTATION_BAND',
];

export function clinicSettings(
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of CLINIC_SETTINGS) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') out[key] = value;
  }
  return out;
}

export function policiesFor(names: string[], clinic: Record<string, string>): SimPolicy[] {
  const known: Record<string, SimPolicy> = {
    // The earlier system: batch 3, hold 7 min, and a YES after its hold is refused.
    seed: {
      name: 'seed',
      env: { ...clinic, BATCH_SIZE: '3', HOLD_MINUTES: '7' },
      engine: () => ({ lateClaims: false }),
    },
    // The clinic's current settings, as production runs them today.
    fixed: { name: 'fixed', env: { ...clinic }, engine: () => ({}) },
  };
  return names.map((name) => {
    const policy = known[name];
    if (!policy) throw new Error(`unknown policy "${name}" (known: ${Object.keys(known).join(', ')})`);
    return policy;
  });
}
