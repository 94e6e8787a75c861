/**
 * The admin API as the dashboard reads it. TEMPORARY: these mirror the documented routes until
 * shared/admin/contract.ts lands; then this file becomes `export type { … } from
 * '../../../shared/admin/contract.js'` (type-only, so no server code is bundled) and the compiler points
 * at every place the guesses were wrong.
 */

export type Role = 'staff' | 'admin';
export type ProviderType = 'MD/DO' | 'APP';
export type SlotStatus = 'OPEN' | 'FILLED' | 'EXPIRED' | 'WITHDRAWN';
export type OfferState = 'PENDING' | 'ACCEPTED' | 'DECLINED' | 'EXPIRED' | 'CANCELLED' | 'FAILED';
export type ConsentState = 'OPTED_IN' | 'OPTED_OUT';
export type Direction = 'OUTBOUND' | 'INBOUND';

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface Me {
  sub: string;
  name?: string;
  email?: string;
  roles: Role[];
}

export interface Provider {
  providerId: string;
  displayName: string;
  providerType: ProviderType;
  locationIds: string[];
}

export interface Location {
  locationId: string;
  displayName: string;
  timeZone?: string;
}

export interface Slot {
  slotId: string;
  providerId: string;
  locationId: string;
  startAt: string;
  durationMinutes: number;
  visitType: string;
  status: SlotStatus;
  currentBatch: number;
  phase: 'WAITING' | 'SENDING' | 'HOLDING' | 'DONE';
  holdExpiresAt?: string;
  filledByPatientId?: string;
  /** First name only, for the FILLED moment. */
  filledByName?: string;
  filledAt?: string;
  loggedBy: string;
  loggedAt: string;
  bookedInEhr?: { by: string; at: string };
  closedReason?: string;
  providerName?: string;
  locationName?: string;
}

export interface OfferView {
  patientId: string;
  /** First name only. */
  displayName: string;
  phoneLast4?: string;
  batch: number;
  state: OfferState;
  sentAt: string;
  holdExpiresAt: string;
  respondedAt?: string;
  closedReason?: string;
  deliveryStatus?: string;
  errorCode?: string;
}

export interface MessageView {
  messageId: string;
  direction: Direction;
  patientId?: string;
  slotId?: string;
  /** Masked: `•••• 1234`. */
  phone: string;
  body: string;
  purpose: string;
  deliveryStatus: string;
  errorCode?: string;
  createdAt: string;
  updatedAt: string;
  /** Delivery statuses in the order they arrived. */
  trail?: { status: string; at: string; errorCode?: string }[];
}

export interface TimelineEvent {
  at: string;
  kind: string;
  detail?: string;
}

export interface SlotDetail {
  slot: Slot;
  provider?: Provider;
  location?: Location;
  offers: OfferView[];
  messages: MessageView[];
  timeline: TimelineEvent[];
}

export interface ScoreBreakdown {
  urgent: number;
  boost: number;
  appointmentDistance: number;
  seniority: number;
  total: number;
  daysUntilAppointment: number | null;
  daysOnList: number;
}

export interface WaitlistPreferences {
  providerIds: string[];
  providerTypes: ProviderType[];
  locationIds: string[];
  visitTypes: string[];
}

export interface WaitlistRow {
  rank: number;
  patientId: string;
  entryId: string;
  displayName: string;
  familyName?: string;
  /** Masked unless revealed on the patient record. */
  phone: string;
  consent: ConsentState;
  urgent: boolean;
  boost: number;
  boostReason?: string;
  preferences: WaitlistPreferences;
  currentAppointmentAt?: string;
  joinedAt: string;
  active: boolean;
  notes?: string;
  score: ScoreBreakdown;
}

export interface ConsentChange {
  at: string;
  state: ConsentState;
  source: string;
  actor?: string;
  evidence?: string;
}

export interface PatientDetail {
  patientId: string;
  displayName: string;
  familyName?: string;
  phone: string;
  revealed?: boolean;
  timeZone?: string;
  consent: ConsentState;
  consentHistory: ConsentChange[];
  entries?: WaitlistRow[];
  createdAt: string;
}

export interface AuditItem {
  at: string;
  actor: string;
  role?: string;
  action: string;
  targetType?: string;
  targetId?: string;
  detail?: string;
}

export interface Metrics {
  from: string;
  to: string;
  slotsLogged: number;
  slotsFilled: number;
  fillRate: number;
  timeToFill: { medianMinutes: number | null; p90Minutes: number | null; samplesMinutes?: number[] };
  smsSent: number;
  smsPerFill: number | null;
  optOuts: number;
  optOutsByDay?: { date: string; count: number }[];
  fillsByDay?: { date: string; logged: number; filled: number }[];
}

export interface ImportResult {
  imported: number;
  errors: { row: number; field?: string; message: string }[];
}
