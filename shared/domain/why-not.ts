import type { Exclusion } from './eligibility.js';

/**
 * Why patients were left out of a slot, in the words staff use. The engine counts every exclusion of
 * every patient it read (one patient can have several); this groups them by what staff could act on.
 */

/** Counts from one batch selection: each eligibility exclusion plus the engine's own two. */
export type ExclusionCounts = Partial<Record<Exclusion | 'OUTSIDE_CONTACT_HOURS' | 'NO_PROFILE', number>>;

export type WhyNotReason =
  | 'CAP'
  | 'CONTACT_WINDOW'
  | 'PREFERENCE'
  | 'AVAILABILITY'
  | 'VISIT_TYPE'
  | 'NOTICE'
  | 'LIVE_OFFER'
  | 'PAUSED'
  | 'ALREADY_OFFERED'
  | 'NOT_EARLIER'
  | 'OTHER';

const GROUP: Record<keyof ExclusionCounts, WhyNotReason> = {
  DAILY_CAP: 'CAP',
  WEEKLY_CAP: 'CAP',
  OUTSIDE_CONTACT_HOURS: 'CONTACT_WINDOW',
  PROVIDER_MISMATCH: 'PREFERENCE',
  PROVIDER_TYPE_MISMATCH: 'PREFERENCE',
  LOCATION_MISMATCH: 'PREFERENCE',
  AVAILABILITY: 'AVAILABILITY',
  VISIT_TYPE_MISMATCH: 'VISIT_TYPE',
  DURATION_TOO_SHORT: 'VISIT_TYPE',
  TOO_LITTLE_NOTICE: 'NOTICE',
  HAS_LIVE_OFFER: 'LIVE_OFFER',
  PAUSED: 'PAUSED',
  ALREADY_OFFERED: 'ALREADY_OFFERED',
  NOT_EARLIER_THAN_CURRENT: 'NOT_EARLIER',
  INACTIVE: 'OTHER',
  OPTED_OUT: 'OTHER',
  IN_CHAIN: 'OTHER',
  NO_PROFILE: 'OTHER',
};

/** How a reason reads in a sentence: "<n> <phrase>". */
export const WHY_NOT_PHRASES: Record<WhyNotReason, string> = {
  CAP: 'at their offer cap',
  CONTACT_WINDOW: 'outside their contact hours',
  PREFERENCE: 'wanting another provider, provider type or location',
  AVAILABILITY: 'not available at that day or time',
  VISIT_TYPE: 'needing another visit type or a longer visit',
  NOTICE: 'with too little notice',
  LIVE_OFFER: 'holding a live offer',
  PAUSED: 'paused',
  ALREADY_OFFERED: 'already offered this slot',
  NOT_EARLIER: 'not moved earlier by it',
  OTHER: 'unavailable for another reason',
};

export interface WhyNotCount {
  reason: WhyNotReason;
  count: number;
}

/**
 * Reasons by count, largest first. A patient counted twice under one group (daily and weekly cap)
 * counts once per exclusion, so a group's count is at most the exclusions behind it.
 */
export function whyNot(excluded: ExclusionCounts): WhyNotCount[] {
  const totals = new Map<WhyNotReason, number>();
  for (const [exclusion, count] of Object.entries(excluded) as Array<[keyof ExclusionCounts, number]>) {
    const reason = GROUP[exclusion] ?? 'OTHER';
    // Daily and weekly caps usually hit the same patients: the larger of the two is the better count.
    totals.set(
      reason,
      reason === 'CAP' ? Math.max(totals.get(reason) ?? 0, count) : (totals.get(reason) ?? 0) + count,
    );
  }
  return [...totals.entries()]
    .map(([reason, count]) => ({ reason, count }))
    .filter((r) => r.count > 0)
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** "17 at their offer cap, 1 outside their contact hours", or undefined when nobody was left out. */
export function describeWhyNot(excluded: ExclusionCounts, ignore: WhyNotReason[] = []): string | undefined {
  const parts = whyNot(excluded)
    .filter((r) => !ignore.includes(r.reason))
    .map((r) => `${r.count} ${WHY_NOT_PHRASES[r.reason]}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}
