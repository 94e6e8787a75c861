/**
 * The admin API's types, straight from its contract. `export type` only: the contract module also holds
 * zod schemas and phone parsing, none of which may end up in the browser bundle.
 */
export type {
  AuditRecord,
  ClinicSettings,
  EntryView,
  ErrorBody,
  ImportResponse,
  MeResponse,
  MessageView,
  MetricsResponse,
  OfferView,
  Page,
  PatientDetail,
  PatientSummary,
  ProviderView,
  RequestBody,
  Role,
  SlotDetail,
  SlotView,
  TimelineEvent,
  WaitlistRow,
} from '../../../shared/admin/contract.js';
export type {
  ConsentChange,
  ConsentState,
  Location,
  OfferState,
  ProviderType,
  SlotStatus,
} from '../../../shared/domain/model.js';
