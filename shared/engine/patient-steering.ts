import type { OfferPolicy } from '../config.js';
import type { Clock } from '../ports.js';
import type { OfferEngine } from './offer-engine.js';
import type { OfferStore } from './offer-store.js';

/**
 * What a patient can change by keyword, without calling the clinic: pause offers for a while, resume,
 * ask where they stand, leave the waitlist. None of these touches consent (STOP does that), so a
 * patient who leaves can be added again, and one who pauses keeps every place they had.
 */
export const DEFAULT_PAUSE_DAYS = 14;
export const MAX_PAUSE_DAYS = 90;

export interface SteeringDeps {
  store: OfferStore;
  engine: OfferEngine;
  clock: Clock;
  policy: OfferPolicy;
}

export class PatientSteering {
  constructor(private readonly deps: SteeringDeps) {}

  private now(): string {
    return this.deps.clock().toISOString();
  }

  /** Offers stop until `days` from now (default 14, at most 90). A live offer already sent stands. */
  async pause(patientId: string, days: number | undefined): Promise<{ until: string }> {
    const wanted = Math.min(Math.max(Math.round(days ?? DEFAULT_PAUSE_DAYS), 1), MAX_PAUSE_DAYS);
    const until = new Date(Date.parse(this.now()) + wanted * 86_400_000).toISOString();
    await this.deps.store.setPausedUntil(patientId, until);
    return { until };
  }

  async resume(patientId: string): Promise<void> {
    await this.deps.store.setPausedUntil(patientId, undefined);
  }

  async status(patientId: string): Promise<{ onList: boolean; pausedUntil?: string }> {
    const [patient, onList] = await Promise.all([
      this.deps.store.getPatient(patientId),
      this.deps.store.hasActiveEntry(patientId),
    ]);
    const paused = patient?.pausedUntil && patient.pausedUntil > this.now() ? patient.pausedUntil : undefined;
    return { onList, ...(paused ? { pausedUntil: paused } : {}) };
  }

  /** Off the waitlist: entries deactivated, a live offer closed (its batch moves on). Consent kept. */
  async leave(patientId: string): Promise<void> {
    const { store, engine, policy } = this.deps;
    const now = this.now();
    await store.deactivatePatientEntries(patientId, now, 'LEFT_BY_SMS', policy.inactiveEntryTtlDays);
    const live = (await store.getPatient(patientId))?.liveOfferSlotId;
    if (!live) return;
    const closed = await store.closeOffer({
      slotId: live,
      patientId,
      from: ['PENDING'],
      to: 'CANCELLED',
      now,
      reason: 'PATIENT_LEFT_WAITLIST',
    });
    if (closed) await engine.advanceIfBatchEmpty(live);
  }
}
