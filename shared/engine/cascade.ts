import { ulid } from 'ulid';
import type { Slot } from '../domain/model.js';
import type { Clock } from '../ports.js';
import type { OfferEngine } from './offer-engine.js';
import type { OfferStore } from './offer-store.js';

/**
 * Cascading backfill. A patient who moves to an earlier slot frees the appointment they held; once
 * staff mark the fill booked in the EHR (the moment the patient has really moved), that appointment is
 * an opening of its own, linked to its parent. `auto` logs it at once; `ask` keeps it on the parent for
 * a one-click "log the freed slot"; `off` does neither. A chain is capped in depth, and never offers
 * its slots to a patient it already moved.
 */
export type CascadeMode = 'auto' | 'ask' | 'off';

export interface CascadeDeps {
  engine: OfferEngine;
  store: OfferStore;
  clock: Clock;
  mode: CascadeMode;
  maxDepth: number;
}

export type CascadeResult =
  | { kind: 'LOGGED'; slotId: string }
  | { kind: 'SUGGESTED' }
  | { kind: 'ALREADY_LOGGED'; slotId: string }
  | { kind: 'NOTHING_FREED' }
  | { kind: 'DEPTH_CAPPED' }
  | { kind: 'OFF' };

interface Freed {
  parent: Slot;
  winnerId: string;
  freed: NonNullable<Slot['freedAppointment']>;
}

export class CascadeBackfill {
  constructor(private readonly deps: CascadeDeps) {}

  /** The fill of `slotId` was booked in the EHR: free the winner's old appointment, per the mode. */
  async onBooked(slotId: string, by: string): Promise<CascadeResult> {
    if (this.deps.mode === 'off') return { kind: 'OFF' };
    return this.deps.mode === 'auto' ? this.logFreed(slotId, by) : this.suggest(slotId);
  }

  /** Staff's one click (or `auto`): log the freed appointment as a new cancellation, once. */
  async logFreed(slotId: string, by: string): Promise<CascadeResult> {
    const { engine, store } = this.deps;
    const found = await this.freed(slotId);
    if (!('parent' in found)) return found;
    const { parent, freed, winnerId } = found;
    const childId = ulid();
    // Reserve the link first: a retry or a second click finds it taken and logs nothing.
    if (!(await store.reserveFreedSlot(parent.slotId, childId))) {
      const current = await store.getSlot(parent.slotId);
      return { kind: 'ALREADY_LOGGED', slotId: current?.freedSlotId ?? '' };
    }
    const child = await engine.logCancellation({
      slotId: childId,
      providerId: freed.providerId,
      locationId: freed.locationId,
      visitType: freed.visitType,
      durationMinutes: freed.durationMinutes,
      startAt: freed.startAt,
      loggedBy: `cascade:${by}`,
      chain: {
        rootSlotId: parent.chain?.rootSlotId ?? parent.slotId,
        parentSlotId: parent.slotId,
        depth: (parent.chain?.depth ?? 0) + 1,
        movedPatientIds: [...(parent.chain?.movedPatientIds ?? []), winnerId],
      },
    });
    return { kind: 'LOGGED', slotId: child.slotId };
  }

  private async suggest(slotId: string): Promise<CascadeResult> {
    const found = await this.freed(slotId);
    if (!('parent' in found)) return found;
    await this.deps.store.suggestFreedAppointment(found.parent.slotId, found.freed);
    return { kind: 'SUGGESTED' };
  }

  private async freed(slotId: string): Promise<CascadeResult | Freed> {
    const { store } = this.deps;
    const parent = await store.getSlot(slotId);
    if (parent?.status !== 'FILLED' || !parent.filledByPatientId) return { kind: 'NOTHING_FREED' };
    if (parent.freedSlotId) return { kind: 'ALREADY_LOGGED', slotId: parent.freedSlotId };
    if ((parent.chain?.depth ?? 0) >= this.deps.maxDepth) return { kind: 'DEPTH_CAPPED' };
    const entry = await store.fulfilledEntryOf(parent.filledByPatientId);
    const at = entry?.currentAppointmentAt;
    // Only an appointment still ahead, and later than the slot they took, is freed.
    if (!entry?.currentAppointment || !at || at <= this.deps.clock().toISOString() || at <= parent.startAt) {
      return { kind: 'NOTHING_FREED' };
    }
    return {
      parent,
      winnerId: parent.filledByPatientId,
      freed: { ...entry.currentAppointment, startAt: at },
    };
  }
}
