import type { ProviderType } from './model.js';

/**
 * A visit type of the clinic's catalogue (admins keep it under /admin/visit-types). A slot or entry may
 * still name a type that is not in the catalogue (free text from before it existed): such a type has
 * no duration, notice or provider rule and behaves as it always did.
 */
export interface VisitType {
  /** Stored id (a slug); slots and entries name the type by `name`. */
  visitTypeId: string;
  name: string;
  durationMinutes: number;
  /** Overrides the clinic-wide MIN_NOTICE_MINUTES for slots of this type; absent = the clinic's. */
  minNoticeHours?: number;
  /** Who may see it; empty = any provider type. */
  providerTypes: ProviderType[];
  /** No new cancellation or entry may name it; kept for the slots and entries that do. */
  retired?: boolean;
}

/** What eligibility needs of the catalogue: each type's rules, by name (case-insensitive). */
export type VisitTypeRules = ReadonlyMap<string, Pick<VisitType, 'durationMinutes' | 'minNoticeHours'>>;

export function visitTypeRules(catalogue: VisitType[]): VisitTypeRules {
  return new Map(catalogue.map((t) => [t.name.toLowerCase(), t]));
}

/**
 * The minutes a waitlisted patient's visit needs: the entry's own figure, else the shortest catalogue
 * type among those they want (they can take any of them); undefined when nothing says.
 */
export function requiredMinutes(
  entry: { requiredMinutes?: number; preferences: { visitTypes: string[] } },
  rules: VisitTypeRules | undefined,
): number | undefined {
  if (entry.requiredMinutes !== undefined) return entry.requiredMinutes;
  const known = entry.preferences.visitTypes
    .map((name) => rules?.get(name.toLowerCase())?.durationMinutes)
    .filter((m): m is number => m !== undefined);
  return known.length > 0 ? Math.min(...known) : undefined;
}
