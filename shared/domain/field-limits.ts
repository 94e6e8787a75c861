/**
 * Longest values validation accepts, in GSM-7 septets; the admin API reuses these and the dashboard shows
 * them beside its fields. A module of its own so the browser bundle can import it without the templates.
 */
export const FIELD_LIMITS = {
  clinicName: 24,
  firstName: 20,
  providerName: 24,
  locationName: 24,
  contactPhone: 20,
} as const;

export type LimitedField = keyof typeof FIELD_LIMITS;
