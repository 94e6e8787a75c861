import { DateTime } from 'luxon';
import { ulid } from 'ulid';
import type { AdminStore, EntryItem, Key } from '../adapters/dynamo/admin-store.js';
import type { InboxStore } from '../adapters/dynamo/inbox-store.js';
import type { WaitlistStore } from '../adapters/dynamo/waitlist-store.js';
import type { OfferPolicy } from '../config.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { Patient, Provider, SlotStatus, WaitlistEntry, WaitlistPreferences } from '../domain/model.js';
import { isWithinPatientWindow } from '../domain/quiet-hours/patient-window.js';
import { scoreEntry } from '../domain/ranking.js';
import { CascadeBackfill } from '../engine/cascade.js';
import { forEachLimited } from '../engine/concurrency.js';
import type { OfferEngine } from '../engine/offer-engine.js';
import type { OfferStore } from '../engine/offer-store.js';
import {
  type AdminResponses,
  type AuditRecord,
  type ConfigResponse,
  type EntryView,
  type MetricsDay,
  type Role,
  type RouteId,
  type RouteInput,
  SLOT_STATUSES,
} from './contract.js';
import { type ExportRow, type ImportRow, parseWaitlistCsv, waitlistCsv } from './csv-import.js';
import { type CursorRule, decodeCursor, encodeCursor, KEY_PART, keyPattern } from './cursor.js';
import { CsvRowsError, type RowError } from './errors.js';
import { inboxUseCases } from './inbox-service.js';
import { messageView, offerView, patientSummary, percentile, slotTimeline } from './views.js';
import { visitTypeUseCases } from './visit-types-service.js';
import { welcomeText } from './welcome.js';

/**
 * The admin use cases, one method per route, pure of HTTP: each takes the validated input and the staff
 * member acting, calls the engine or the stores, writes an audit record for every change, and returns
 * the response body. The handler maps errors (domain errors) to statuses in one place.
 */

export interface Actor {
  sub: string;
  email?: string;
  name?: string;
  roles: Role[];
}

export interface AdminDeps {
  engine: OfferEngine;
  store: OfferStore;
  waitlist: WaitlistStore;
  admin: AdminStore;
  inbox: InboxStore;
  policy: OfferPolicy;
  /** The effective settings shown on GET /admin/config (built from config by the caller: no secrets). */
  settings: ConfigResponse;
  clock: () => Date;
  /** Ids, counts and masked phones only. */
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export type RouteHandlers = {
  [K in RouteId]: (input: RouteInput<K>, actor: Actor) => Promise<AdminResponses[K]>;
};

const gsi1Shape = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;

/** The shape of each list's key attributes (shared/adapters/dynamo/keys.ts), for its cursors. */
const { id: ID, instant: INSTANT } = KEY_PART;
const SLOT_KEY = { pk: keyPattern('SLOT#', ID), sk: /^SLOT$/, gsi1sk: keyPattern(INSTANT, '#', ID) };
const ENTRY_KEY = {
  pk: keyPattern('PATIENT#', ID),
  sk: keyPattern('ENTRY#', ID),
  // rankKey(): 999 - score, zero-padded, then the join instant and the entry id.
  gsi1sk: keyPattern('-?\\d{1,4}(?:\\.\\d+)?#', INSTANT, '#', ID),
};
const MESSAGE_KEY = { pk: keyPattern('MSG#', ID), sk: /^MSG$/, gsi1sk: keyPattern(INSTANT, '#', ID) };
const AUDIT_KEY = { sk: keyPattern(INSTANT, '#', ID) };
const METRICS_MAX_DAYS = 92;

/** Rows written at once by a CSV import: fast enough for 1,000 rows well inside the Lambda timeout. */
const IMPORT_PARALLELISM = 8;

/** Cancellations further ahead than this are almost certainly a typo (a year in the wrong field). */
const MAX_SLOT_LEAD_DAYS = 366;

export class AdminService {
  private readonly cascade: CascadeBackfill;

  constructor(private readonly deps: AdminDeps) {
    this.cascade = new CascadeBackfill({
      engine: deps.engine,
      store: deps.store,
      clock: deps.clock,
      mode: deps.policy.cascadeMode,
      maxDepth: deps.policy.maxCascadeDepth,
    });
  }

  private now(): string {
    return this.deps.clock().toISOString();
  }

  private get zone(): string {
    return this.deps.policy.clinicTimeZone;
  }

  private today(): string {
    return DateTime.fromJSDate(this.deps.clock()).setZone(this.zone).toISODate() as string;
  }

  private auditAs(actor: Actor) {
    return (...rest: [string, AuditRecord['recordType'], string, AuditRecord['detail']?]) =>
      this.audit(actor, ...rest);
  }

  private async audit(
    actor: Actor,
    action: string,
    recordType: AuditRecord['recordType'],
    recordId: string,
    detail?: AuditRecord['detail'],
  ): Promise<void> {
    const at = this.now();
    const record: AuditRecord = {
      auditId: ulid(),
      at,
      actor: { sub: actor.sub, ...(actor.email ? { email: actor.email } : {}) },
      action,
      recordType,
      recordId,
      ...(detail ? { detail } : {}),
    };
    const day = DateTime.fromISO(at).setZone(this.zone).toISODate() as string;
    await this.deps.admin.putAudit(day, record);
  }

  /** Clinic-day bounds of a YYYY-MM-DD as UTC ISO instants. */
  private dayBounds(date: string): { start: string; end: string } {
    const start = DateTime.fromISO(date, { zone: this.zone }).startOf('day');
    return { start: start.toUTC().toISO() as string, end: start.plus({ days: 1 }).toUTC().toISO() as string };
  }

  /** Checks that referenced providers and locations exist, naming each unknown id's field. */
  private async checkReferences(
    refs: { providerIds?: string[]; locationIds?: string[] },
    fieldPrefix: string,
  ): Promise<Record<string, string>> {
    const fields: Record<string, string> = {};
    if (refs.providerIds?.length) {
      const known = new Set((await this.deps.admin.listProviders()).map((p) => p.providerId));
      refs.providerIds.forEach((id, i) => {
        if (!known.has(id)) fields[`${fieldPrefix}providerIds.${i}`] = `unknown provider ${id}`;
      });
    }
    if (refs.locationIds?.length) {
      const known = new Set((await this.deps.admin.listLocations()).map((l) => l.locationId));
      refs.locationIds.forEach((id, i) => {
        if (!known.has(id)) fields[`${fieldPrefix}locationIds.${i}`] = `unknown location ${id}`;
      });
    }
    return fields;
  }

  private entryView(entry: EntryItem | WaitlistEntry): EntryView {
    const { score: _stored, ...rest } = entry as EntryItem;
    return {
      ...rest,
      ...(entry.active ? { score: scoreEntry(entry, this.now(), this.zone) } : {}),
    };
  }

  private get inbox() {
    return inboxUseCases(this.deps);
  }

  private get visitTypes() {
    return visitTypeUseCases(this.deps.admin);
  }

  // The handlers, keyed by route id: the router calls exactly these.
  readonly handlers: RouteHandlers = {
    health: async () => ({ ok: true, time: this.now() }),

    me: async (_input, actor) => ({
      sub: actor.sub,
      ...(actor.name ? { name: actor.name } : {}),
      ...(actor.email ? { email: actor.email } : {}),
      roles: actor.roles,
      clinic: {
        name: this.deps.settings.clinicName,
        timeZone: this.deps.settings.clinicTimeZone,
        contactHours: { ...this.deps.settings.contactHours },
        batchSize: this.deps.settings.batchSize,
        holdMinutes: this.deps.settings.holdMinutes,
        maxSlotBatchSize: this.deps.settings.maxSlotBatchSize,
      },
    }),

    'slots.create': async ({ body }, actor) => {
      // A typo here texts patients about a visit that does not exist: check the references first.
      const [provider, location] = await Promise.all([
        this.deps.store.getProvider(body.providerId),
        this.deps.store.getLocation(body.locationId),
      ]);
      const fields: Record<string, string> = {};
      if (!provider) fields.providerId = 'is not a known provider';
      else if (provider.retired) fields.providerId = `${provider.displayName} is retired`;
      if (!location) fields.locationId = 'is not a known location';
      else if (location.retired) fields.locationId = `${location.displayName} is retired`;
      else if (
        provider &&
        provider.locationIds.length > 0 &&
        !provider.locationIds.includes(body.locationId)
      ) {
        fields.locationId = `${provider.displayName} does not work at ${location.displayName}`;
      }
      const typeRefusal = await this.visitTypes.refusal(body.visitType, provider);
      if (typeRefusal) fields.visitType = typeRefusal;
      if (Date.parse(body.startAt) > Date.parse(this.now()) + MAX_SLOT_LEAD_DAYS * 86_400_000) {
        fields.startAt = `must be within ${MAX_SLOT_LEAD_DAYS} days`;
      }
      if (Object.keys(fields).length > 0)
        throw new ValidationError('the cancellation cannot be logged', fields);
      const slot = await this.deps.engine.logCancellation({ ...body, loggedBy: actor.email ?? actor.sub });
      // A slot's own batch size and hold cost money and pace patients: who chose them is on the record.
      await this.audit(actor, 'slot.create', 'SLOT', slot.slotId, {
        ...(slot.batchSize !== undefined ? { batchSize: slot.batchSize } : {}),
        ...(slot.holdMinutes !== undefined ? { holdMinutes: slot.holdMinutes } : {}),
      });
      return slot;
    },

    'slots.list': async ({ query }) => {
      const from = query.from ? this.instant(query.from, 'start') : undefined;
      const to = query.to ? this.instant(query.to, 'end') : undefined;
      if (from && to && from >= to) {
        throw new ValidationError('from must be before to', { to: 'must be after from' });
      }
      const rule: CursorRule = {
        shapes: [gsi1Shape],
        partition: { attribute: 'gsi1pk', allowed: [`SLOTS#${query.status}`] },
        attributes: SLOT_KEY,
        within: { attribute: 'gsi1sk', from, to },
      };
      const page = await this.deps.admin.listSlots({
        status: query.status,
        from,
        to,
        limit: query.limit,
        cursor: decodeCursor(query.cursor, rule),
      });
      return { items: page.items, ...this.cursorOf(page.lastKey) };
    },

    'slots.get': async ({ params }) => {
      const { slot, offers } = await this.deps.admin.slotCollection(params.slotId);
      if (!slot) throw new NotFoundError('slot', params.slotId);
      const [provider, location, messages, patients] = await Promise.all([
        this.deps.store.getProvider(slot.providerId),
        this.deps.store.getLocation(slot.locationId),
        this.deps.admin.slotMessages(slot.slotId),
        this.deps.admin.patientsById(offers.map((o) => o.patientId)),
      ]);
      offers.sort((a, b) => a.batch - b.batch || (a.sentAt < b.sentAt ? -1 : a.sentAt > b.sentAt ? 1 : 0));
      return {
        slot,
        ...(provider
          ? {
              provider: {
                providerId: provider.providerId,
                displayName: provider.displayName,
                providerType: provider.providerType,
              },
            }
          : {}),
        ...(location ? { location } : {}),
        offers: offers.map((o) => offerView(o, patients.get(o.patientId))),
        messages: messages.map(messageView),
        timeline: slotTimeline(slot, offers, messages),
      };
    },

    'slots.withdraw': async ({ params }, actor) => {
      const slot = await this.deps.engine.withdraw(params.slotId, actor.sub);
      await this.audit(actor, 'slot.withdraw', 'SLOT', slot.slotId);
      return slot;
    },

    'slots.update': async ({ params, body }, actor) => {
      const slot = await this.deps.engine.editWaitingSlot(params.slotId, body);
      // Which fields changed, not their values (a start time and provider are not PHI, but stay terse).
      await this.audit(actor, 'slot.update', 'SLOT', slot.slotId, {
        fields: Object.keys(body).sort().join(','),
      });
      return slot;
    },

    'slots.nextBatch': async ({ params, body }, actor) => {
      const slot = await this.deps.engine.sendNextBatchNow(params.slotId, body.afterBatch);
      await this.audit(actor, 'slot.next-batch', 'SLOT', slot.slotId, { batch: slot.currentBatch });
      return slot;
    },

    'slots.booked': async ({ params }, actor) => {
      const by = actor.email ?? actor.sub;
      const slot = await this.deps.admin.markBooked(params.slotId, by, this.now());
      await this.audit(actor, 'slot.booked-in-ehr', 'SLOT', slot.slotId);
      // The patient has really moved now: the appointment they held is free (per the clinic's mode).
      const cascade = await this.cascade.onBooked(slot.slotId, by);
      if (cascade.kind === 'LOGGED') {
        await this.audit(actor, 'slot.freed-logged', 'SLOT', cascade.slotId, { parentSlotId: slot.slotId });
      }
      return cascade.kind === 'LOGGED' || cascade.kind === 'SUGGESTED'
        ? ((await this.deps.store.getSlot(slot.slotId)) ?? slot)
        : slot;
    },

    'slots.logFreed': async ({ params }, actor) => {
      if (!(await this.deps.store.getSlot(params.slotId))) throw new NotFoundError('slot', params.slotId);
      const result = await this.cascade.logFreed(params.slotId, actor.email ?? actor.sub);
      if (result.kind === 'LOGGED') {
        await this.audit(actor, 'slot.freed-logged', 'SLOT', result.slotId, { parentSlotId: params.slotId });
        const child = await this.deps.store.getSlot(result.slotId);
        if (child) return child;
      }
      const refusal: Partial<Record<typeof result.kind, string>> = {
        ALREADY_LOGGED: 'the freed appointment has already been logged',
        NOTHING_FREED: "this slot's winner has no recorded later appointment to free",
        DEPTH_CAPPED: 'this chain of freed appointments is as long as the clinic allows',
      };
      throw new ConflictError(refusal[result.kind] ?? 'nothing to log');
    },

    'waitlist.list': async ({ query }) => {
      const rule: CursorRule = {
        shapes: [gsi1Shape],
        partition: { attribute: 'gsi1pk', allowed: ['WAITLIST'] },
        attributes: ENTRY_KEY,
      };
      const cursor = decodeCursor(query.cursor, rule);
      // Keep the index order exact for the first page; scores only change at the clinic's midnight, so
      // this is normally a no-op (the engine does the same before choosing a batch).
      if (!cursor) await this.deps.store.rescoreDueEntries(this.now(), this.zone, 200);
      const page = await this.deps.admin.rankedEntries({
        limit: query.limit,
        cursor,
        filter: { providerType: query.providerType, locationId: query.locationId, urgent: query.urgent },
      });
      const patients = await this.deps.admin.patientsById(page.items.map((e) => e.patientId));
      const now = this.now();
      return {
        items: page.items.map((entry) => {
          const patient = patients.get(entry.patientId);
          return {
            entryId: entry.entryId,
            patientId: entry.patientId,
            ...(patient ? { patient: patientSummary(patient) } : {}),
            urgent: entry.urgent,
            boost: entry.boost,
            ...(entry.boostReason ? { boostReason: entry.boostReason } : {}),
            preferences: entry.preferences,
            ...(entry.currentAppointmentAt ? { currentAppointmentAt: entry.currentAppointmentAt } : {}),
            ...(entry.availability?.length ? { availability: entry.availability } : {}),
            joinedAt: entry.joinedAt,
            ...(entry.notes ? { notes: entry.notes } : {}),
            score: scoreEntry(entry, now, this.zone),
          };
        }),
        ...this.cursorOf(page.lastKey),
      };
    },

    'waitlist.create': async ({ body }, actor) => {
      const refFields = await this.checkReferences(body.entry.preferences, 'entry.preferences.');
      if (Object.keys(refFields).length > 0)
        throw new ValidationError('unknown provider or location', refFields);
      const now = this.now();
      const patient: Patient = {
        patientId: ulid(),
        phone: body.patient.phone,
        displayName: body.patient.displayName,
        ...(body.patient.familyName ? { familyName: body.patient.familyName } : {}),
        ...(body.patient.timeZone ? { timeZone: body.patient.timeZone } : {}),
        ...(body.patient.state ? { state: body.patient.state } : {}),
        ...(body.patient.language ? { language: body.patient.language } : {}),
        consent: 'OPTED_IN',
        recentOfferTimes: [],
        createdAt: now,
      };
      const entry = this.newEntry(patient.patientId, body.entry, now);
      await this.deps.waitlist.enrollPatient({
        patient,
        consent: {
          at: now,
          state: 'OPTED_IN',
          source: 'SIGNUP',
          actor: actor.sub,
          evidence: `${body.patient.consentSource} consent taken by staff`,
        },
        entry,
        now,
      });
      let welcome: AdminResponses['waitlist.create']['welcome'] = 'NOT_REQUESTED';
      if (body.patient.sendWelcome) {
        // The patient's own window: the clinic's hours within federal and state quiet hours.
        if (!isWithinPatientWindow(now, patient, this.deps.policy)) welcome = 'SKIPPED_QUIET_HOURS';
        else {
          const brand = {
            clinicName: this.deps.policy.clinicName,
            contactPhone: this.deps.policy.clinicContactPhone,
          };
          const sent = await this.deps.engine.sendSms(
            patient,
            welcomeText(brand, patient.language),
            'WELCOME',
          );
          welcome = sent === 'SENT' ? 'SENT' : 'FAILED';
        }
      }
      await this.audit(actor, 'waitlist.add', 'PATIENT', patient.patientId, {
        entryId: entry.entryId,
        consentSource: body.patient.consentSource,
        welcome,
      });
      return { patient: patientSummary(patient), entry: this.entryView(entry), welcome };
    },

    'waitlist.import': async ({ body }, actor) => {
      const rows = parseWaitlistCsv(body);
      const errors: RowError[] = [];
      const seen = new Map<string, number>();
      for (const row of rows) {
        const first = seen.get(row.phone);
        if (first !== undefined)
          errors.push({ row: row.row, field: 'phone', message: `same phone as row ${first}` });
        else seen.set(row.phone, row.row);
      }
      const taken = await this.deps.admin.registeredPhones(rows.map((r) => r.phone));
      for (const row of rows) {
        if (taken.has(row.phone))
          errors.push({
            row: row.row,
            field: 'phone',
            message: 'a patient with this phone is already registered',
          });
      }
      const locations = new Set((await this.deps.admin.listLocations()).map((l) => l.locationId));
      for (const row of rows) {
        for (const id of row.location_ids) {
          if (!locations.has(id))
            errors.push({ row: row.row, field: 'location_ids', message: `unknown location ${id}` });
        }
      }
      if (errors.length > 0) {
        errors.sort((a, b) => a.row - b.row);
        throw new CsvRowsError(
          `${new Set(errors.map((e) => e.row)).size} row(s) are not valid; nothing was imported`,
          errors,
        );
      }
      // All or nothing: rows are written a few at a time; if any write fails (a throttle, a phone
      // registered a moment ago by someone else), every patient this file created is removed again.
      const written: Array<{ patientId: string; phone: string }> = [];
      let failure: unknown;
      let next = 0;
      const worker = async () => {
        while (failure === undefined && next < rows.length) {
          const row = rows[next++] as ImportRow;
          try {
            written.push(await this.importRow(row, actor));
          } catch (error) {
            failure ??= error;
          }
        }
      };
      await Promise.all(Array.from({ length: IMPORT_PARALLELISM }, worker));
      if (failure !== undefined) {
        for (const { patientId, phone } of written)
          await this.deps.waitlist.removeEnrollment(patientId, phone);
        await this.audit(actor, 'waitlist.import.rolled-back', 'WAITLIST', 'csv', { undone: written.length });
        throw failure;
      }
      await this.audit(actor, 'waitlist.import', 'WAITLIST', 'csv', { imported: written.length });
      return { imported: written.length };
    },

    'waitlist.export': async (_input, actor) => {
      await this.deps.store.rescoreDueEntries(this.now(), this.zone, 200);
      const rows: ExportRow[] = [];
      let cursor: Key | undefined;
      do {
        const page = await this.deps.admin.rankedEntries({ limit: 100, cursor, filter: {} });
        const patients = await this.deps.admin.patientsById(page.items.map((e) => e.patientId));
        for (const entry of page.items) {
          const patient = patients.get(entry.patientId);
          if (!patient) continue;
          rows.push({
            phone: patient.phone,
            displayName: patient.displayName,
            familyName: patient.familyName,
            timeZone: patient.timeZone,
            urgent: entry.urgent,
            boost: entry.boost,
            boostReason: entry.boostReason,
            providerTypes: entry.preferences.providerTypes,
            locationIds: entry.preferences.locationIds,
            visitTypes: entry.preferences.visitTypes,
            availability: entry.availability,
            currentAppointmentAt: entry.currentAppointmentAt,
            notes: entry.notes,
            language: patient.language,
            state: patient.state,
            patientId: patient.patientId,
            entryId: entry.entryId,
            score: scoreEntry(entry, this.now(), this.zone).total,
            joinedAt: entry.joinedAt,
            consent: patient.consent,
          });
        }
        cursor = page.lastKey;
      } while (cursor);
      // Full phone numbers leave the system here: who took them, and how many, is on the record.
      await this.audit(actor, 'waitlist.export', 'WAITLIST', 'csv', { rows: rows.length });
      return waitlistCsv(rows);
    },

    'waitlist.update': async ({ params, body }, actor) => {
      const { patient, entry } = await this.activeEntry(params.patientId, params.entryId);
      if (body.preferences) {
        const refFields = await this.checkReferences(body.preferences, 'preferences.');
        if (Object.keys(refFields).length > 0)
          throw new ValidationError('unknown provider or location', refFields);
      }
      const next: WaitlistEntry = { ...this.domainEntry(entry) };
      if (body.urgent !== undefined) next.urgent = body.urgent;
      if (body.preferences) next.preferences = body.preferences;
      if (body.currentAppointmentAt === null) delete next.currentAppointmentAt;
      else if (body.currentAppointmentAt !== undefined) next.currentAppointmentAt = body.currentAppointmentAt;
      if (body.currentAppointment === null) delete next.currentAppointment;
      else if (body.currentAppointment !== undefined) next.currentAppointment = body.currentAppointment;
      if (body.notes === null) delete next.notes;
      else if (body.notes !== undefined) next.notes = body.notes;
      if (body.availability === null || body.availability?.length === 0) delete next.availability;
      else if (body.availability !== undefined) next.availability = body.availability;
      await this.deps.admin.replaceActiveEntry(next, patient, this.now(), this.zone);
      await this.audit(actor, 'entry.update', 'ENTRY', entry.entryId, {
        patientId: patient.patientId,
        fields: Object.keys(body).sort().join(','),
      });
      return this.entryView(next);
    },

    'waitlist.boost': async ({ params, body }, actor) => {
      const { patient, entry } = await this.activeEntry(params.patientId, params.entryId);
      const next: WaitlistEntry = { ...this.domainEntry(entry), boost: body.boost, boostReason: body.reason };
      await this.deps.admin.replaceActiveEntry(next, patient, this.now(), this.zone);
      await this.audit(actor, 'entry.boost', 'ENTRY', entry.entryId, {
        patientId: patient.patientId,
        from: entry.boost,
        to: body.boost,
      });
      return this.entryView(next);
    },

    'waitlist.deactivate': async ({ params, body }, actor) => {
      const patient = await this.deps.store.getPatient(params.patientId);
      if (!patient) throw new NotFoundError('patient', params.patientId);
      const entry = await this.deps.admin.deactivateEntry({
        patientId: params.patientId,
        entryId: params.entryId,
        reason: `STAFF: ${body.reason}`,
        now: this.now(),
        ttlDays: this.deps.policy.inactiveEntryTtlDays,
      });
      await this.audit(actor, 'entry.deactivate', 'ENTRY', params.entryId, { patientId: patient.patientId });
      return this.entryView(entry);
    },

    'patients.get': async ({ params, query }, actor) => {
      const { patient, consents, entries } = await this.deps.admin.patientCollection(params.patientId);
      if (!patient) throw new NotFoundError('patient', params.patientId);
      const offers = await this.deps.admin.patientOffers(patient.patientId);
      if (query.reveal) {
        // Seeing a full number is a deliberate act with a name on it.
        await this.audit(actor, 'patient.reveal-phone', 'PATIENT', patient.patientId);
      }
      return {
        patient: {
          ...patientSummary(patient),
          ...(query.reveal ? { phone: patient.phone } : {}),
          createdAt: patient.createdAt,
          ...(patient.liveOfferSlotId ? { liveOfferSlotId: patient.liveOfferSlotId } : {}),
        },
        consentHistory: consents,
        entries: entries.map((e) => this.entryView(e)),
        offers: offers.map((o) => offerView(o)),
      };
    },

    'patients.update': async ({ params, body }, actor) => {
      const current = (await this.deps.admin.patientsById([params.patientId])).get(params.patientId);
      if (!current) throw new NotFoundError('patient', params.patientId);
      // Only what really differs is written and audited: a form sends every field it shows.
      const changes = Object.fromEntries(
        Object.entries(body).filter(([field, value]) => (current[field as keyof Patient] ?? null) !== value),
      );
      if (Object.keys(changes).length === 0) return patientSummary(current);
      const patient = await this.deps.admin.updatePatient(params.patientId, changes);
      if (!patient) throw new NotFoundError('patient', params.patientId);
      // Which fields changed, never their values: names are PHI.
      await this.audit(actor, 'patient.update', 'PATIENT', params.patientId, {
        fields: Object.keys(changes).sort().join(','),
      });
      return patientSummary(patient);
    },

    'patients.consent': async ({ params, body }, actor) => {
      const result = await this.deps.engine.changeConsent(params.patientId, {
        at: this.now(),
        state: body.state,
        source: 'STAFF',
        actor: actor.sub,
        evidence: body.note,
      });
      if (result.changed) {
        await this.audit(actor, 'patient.consent', 'PATIENT', params.patientId, { state: body.state });
      }
      return { changed: result.changed, consent: body.state };
    },

    'providers.list': async () => ({
      items: (await this.deps.admin.listProviders()).sort((a, b) =>
        a.displayName.localeCompare(b.displayName),
      ),
    }),

    'providers.create': async ({ body }, actor) => {
      await this.requireLocations(body.locationIds);
      const provider: Provider = {
        providerId: body.providerId ?? `prov-${ulid().toLowerCase()}`,
        displayName: body.displayName,
        providerType: body.providerType,
        locationIds: body.locationIds,
      };
      await this.deps.admin.putProvider(provider, 'create');
      await this.audit(actor, 'provider.create', 'PROVIDER', provider.providerId);
      return provider;
    },

    'providers.update': async ({ params, body }, actor) => {
      await this.requireLocations(body.locationIds);
      const { retired, ...fields } = body;
      const before = await this.deps.store.getProvider(params.providerId);
      const nowRetired = retired ?? before?.retired ?? false;
      const provider: Provider = {
        providerId: params.providerId,
        ...fields,
        ...(nowRetired ? { retired: true } : {}),
      };
      await this.deps.admin.putProvider(provider, 'replace');
      await this.audit(actor, 'provider.update', 'PROVIDER', provider.providerId, {
        ...retirementChange(before?.retired, nowRetired),
      });
      return provider;
    },

    'visitTypes.list': (input, actor) => this.visitTypes.list(input, this.auditAs(actor)),
    'visitTypes.create': (input, actor) => this.visitTypes.create(input, this.auditAs(actor)),
    'visitTypes.update': (input, actor) => this.visitTypes.update(input, this.auditAs(actor)),
    'inbox.list': (input, actor) => this.inbox.list(input, actor, this.auditAs(actor)),
    'inbox.count': (input, actor) => this.inbox.count(input, actor, this.auditAs(actor)),
    'inbox.reply': (input, actor) => this.inbox.reply(input, actor, this.auditAs(actor)),
    'inbox.handled': (input, actor) => this.inbox.handled(input, actor, this.auditAs(actor)),
    'patients.messages': (input, actor) => this.inbox.patientMessages(input, actor, this.auditAs(actor)),

    'locations.list': async () => ({
      items: (await this.deps.admin.listLocations()).sort((a, b) =>
        a.displayName.localeCompare(b.displayName),
      ),
    }),

    'locations.create': async ({ body }, actor) => {
      const location = {
        locationId: body.locationId ?? `loc-${ulid().toLowerCase()}`,
        displayName: body.displayName,
      };
      await this.deps.admin.putLocation(location, 'create');
      await this.audit(actor, 'location.create', 'LOCATION', location.locationId);
      return location;
    },

    'locations.update': async ({ params, body }, actor) => {
      const before = await this.deps.store.getLocation(params.locationId);
      const nowRetired = body.retired ?? before?.retired ?? false;
      const location = {
        locationId: params.locationId,
        displayName: body.displayName,
        ...(nowRetired ? { retired: true } : {}),
      };
      await this.deps.admin.putLocation(location, 'replace');
      await this.audit(actor, 'location.update', 'LOCATION', location.locationId, {
        ...retirementChange(before?.retired, nowRetired),
      });
      return location;
    },

    'messages.list': async ({ query }) => {
      const date = query.date ?? this.today();
      const { start, end } = this.dayBounds(date);
      // Newest first: the later UTC day's partition is read first, each backwards.
      const partitions = [...new Set([end.slice(0, 10), start.slice(0, 10)])].map((d) => `MSGLOG#${d}`);
      const rule: CursorRule = {
        shapes: [gsi1Shape, ['gsi1pk']],
        partition: { attribute: 'gsi1pk', allowed: partitions },
        attributes: MESSAGE_KEY,
        within: { attribute: 'gsi1sk', from: start, to: end },
      };
      const page = await this.deps.admin.listMessages({
        day: { partitions, startIso: start, endIso: end },
        limit: query.limit,
        cursor: decodeCursor(query.cursor, rule),
        filter: { direction: query.direction, status: query.status, last4: query.last4 },
      });
      const patients = await this.deps.admin.patientsById(
        page.items.flatMap((m) => (m.patientId ? [m.patientId] : [])),
      );
      const items = page.items.map((m) => {
        const name = m.patientId ? patients.get(m.patientId)?.displayName : undefined;
        return { ...messageView(m), ...(name ? { patientName: name } : {}) };
      });
      return { items, ...this.cursorOf(page.lastKey) };
    },

    'audit.list': async ({ query }) => {
      const date = query.date ?? this.today();
      const rule: CursorRule = {
        shapes: [['pk', 'sk']],
        partition: { attribute: 'pk', allowed: [`AUDIT#${date}`] },
        attributes: AUDIT_KEY,
      };
      const page = await this.deps.admin.listAudit(date, query.limit, decodeCursor(query.cursor, rule));
      return { items: page.items, ...this.cursorOf(page.lastKey) };
    },

    metrics: async ({ query }) => {
      const to = query.to ?? this.today();
      const from =
        query.from ?? (DateTime.fromISO(to, { zone: this.zone }).minus({ days: 29 }).toISODate() as string);
      const days = DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days + 1;
      if (days < 1) throw new ValidationError('from must not be after to', { from: 'must not be after to' });
      if (days > METRICS_MAX_DAYS) {
        throw new ValidationError(`the range is ${days} days; ask for at most ${METRICS_MAX_DAYS}`, {
          from: `at most ${METRICS_MAX_DAYS} days before to`,
        });
      }
      // The clinic days of the range and where each begins: every item read below is put in its clinic day
      // by comparing its instant with these bounds (ISO UTC strings of one format sort as instants).
      const clinicDays: string[] = [];
      for (let d = DateTime.fromISO(from); d <= DateTime.fromISO(to); d = d.plus({ days: 1 }))
        clinicDays.push(d.toISODate() as string);
      const dayStarts = clinicDays.map((day) => this.dayBounds(day).start);
      const start = dayStarts[0] as string;
      const end = this.dayBounds(to).end;
      const dayIndexOf = (at: string): number | undefined => {
        const instant = new Date(at).toISOString();
        if (!(instant >= start && instant < end)) return undefined;
        let lo = 0;
        let hi = dayStarts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if ((dayStarts[mid] as string) <= instant) lo = mid;
          else hi = mid - 1;
        }
        return lo;
      };
      const byDay: MetricsDay[] = clinicDays.map((date) => ({
        date,
        slots: { OPEN: 0, FILLED: 0, EXPIRED: 0, WITHDRAWN: 0 },
        filled: 0,
        smsSent: 0,
        optOuts: 0,
        timeToFillMinutes: [],
      }));

      const slotsByStatus = await Promise.all(
        SLOT_STATUSES.map(
          async (status) => [status, await this.deps.admin.slotsInRange(status, start, end)] as const,
        ),
      );
      const counts: Record<SlotStatus, number> = { OPEN: 0, FILLED: 0, EXPIRED: 0, WITHDRAWN: 0 };
      const fillMinutes: number[] = [];
      for (const [status, list] of slotsByStatus) {
        for (const slot of list) {
          const day = byDay[dayIndexOf(slot.startAt) ?? -1];
          if (!day) continue;
          counts[status]++;
          day.slots[status]++;
          if (status !== 'FILLED') continue;
          day.filled++;
          if (!slot.filledAt) continue;
          const minutes = (Date.parse(slot.filledAt) - Date.parse(slot.loggedAt)) / 60_000;
          fillMinutes.push(minutes);
          day.timeToFillMinutes.push(minutes);
        }
      }
      fillMinutes.sort((a, b) => a - b);
      for (const day of byDay) day.timeToFillMinutes.sort((a, b) => a - b);

      // The message log is keyed by UTC day: read every UTC day the clinic range touches, bounded by instant.
      const utcDays: string[] = [];
      for (
        let d = DateTime.fromISO(start, { zone: 'utc' }).startOf('day');
        (d.toISO() as string) < end;
        d = d.plus({ days: 1 })
      ) {
        utcDays.push(d.toISODate() as string);
      }
      const dateOf = (at: string) => byDay[dayIndexOf(at) ?? -1]?.date;
      const messageCounts = await forEachLimited(utcDays, 8, (day) =>
        this.deps.admin.messageCountsForUtcDay(day, start, end, dateOf),
      );
      const dayByDate = new Map(byDay.map((day) => [day.date, day]));
      let smsSent = 0;
      let optOuts = 0;
      for (const perDay of messageCounts) {
        for (const [date, c] of perDay) {
          const day = dayByDate.get(date);
          if (!day) continue;
          day.smsSent += c.sent;
          day.optOuts += c.optOuts;
          smsSent += c.sent;
          optOuts += c.optOuts;
        }
      }
      // The audit log is keyed by clinic day already.
      const audits = await forEachLimited(clinicDays, 8, (day) => this.deps.admin.auditActionsForDay(day));
      audits.forEach((records, i) => {
        const staffOptOuts = records.filter(
          (a) => a.action === 'patient.consent' && a.detail?.state === 'OPTED_OUT',
        ).length;
        (byDay[i] as MetricsDay).optOuts += staffOptOuts;
        optOuts += staffOptOuts;
      });
      const filled = counts.FILLED;
      const decided = counts.FILLED + counts.EXPIRED;
      return {
        from,
        to,
        slots: counts,
        fillRate: decided > 0 ? filled / decided : null,
        timeToFillMinutes: { median: percentile(fillMinutes, 50), p90: percentile(fillMinutes, 90) },
        smsSent,
        smsPerFill: filled > 0 ? smsSent / filled : null,
        optOuts,
        byDay,
      };
    },

    config: async () => this.deps.settings,
  };

  private cursorOf(lastKey: Key | undefined): { cursor?: string } {
    const cursor = encodeCursor(lastKey);
    return cursor ? { cursor } : {};
  }

  /** A date means the clinic's midnight (start) or the following midnight (end); a date-time is itself. */
  private instant(value: string, edge: 'start' | 'end'): string {
    if (value.length === 10) {
      const bounds = this.dayBounds(value);
      return edge === 'start' ? bounds.start : bounds.end;
    }
    return value;
  }

  private newEntry(
    patientId: string,
    input: {
      urgent: boolean;
      boost: number;
      boostReason?: string;
      preferences: WaitlistPreferences;
      currentAppointmentAt?: string;
      currentAppointment?: WaitlistEntry['currentAppointment'];
      availability?: WaitlistEntry['availability'];
      notes?: string;
    },
    now: string,
  ): WaitlistEntry {
    return {
      entryId: ulid(),
      patientId,
      urgent: input.urgent,
      boost: input.boost,
      ...(input.boostReason ? { boostReason: input.boostReason } : {}),
      preferences: input.preferences,
      ...(input.currentAppointmentAt ? { currentAppointmentAt: input.currentAppointmentAt } : {}),
      ...(input.currentAppointment ? { currentAppointment: input.currentAppointment } : {}),
      ...(input.availability?.length ? { availability: input.availability } : {}),
      joinedAt: now,
      active: true,
      ...(input.notes ? { notes: input.notes } : {}),
    };
  }

  private domainEntry(entry: EntryItem): WaitlistEntry {
    const { score: _score, deactivatedAt: _at, deactivatedReason: _reason, ...rest } = entry;
    return rest;
  }

  private async activeEntry(
    patientId: string,
    entryId: string,
  ): Promise<{ patient: Patient; entry: EntryItem }> {
    const { patient, entries } = await this.deps.admin.patientCollection(patientId);
    if (!patient) throw new NotFoundError('patient', patientId);
    const entry = entries.find((e) => e.entryId === entryId);
    if (!entry) throw new NotFoundError('entry', entryId);
    if (!entry.active) {
      throw new ValidationError('this entry is no longer active; add the patient again instead', {
        entryId: 'is not active',
      });
    }
    return { patient, entry };
  }

  private async requireLocations(locationIds: string[]): Promise<void> {
    const fields = await this.checkReferences({ locationIds }, '');
    if (Object.keys(fields).length > 0) throw new ValidationError('unknown location', fields);
  }

  private async importRow(row: ImportRow, actor: Actor): Promise<{ patientId: string; phone: string }> {
    const now = this.now();
    const patient: Patient = {
      patientId: ulid(),
      phone: row.phone,
      displayName: row.display_name,
      ...(row.family_name ? { familyName: row.family_name } : {}),
      ...(row.time_zone ? { timeZone: row.time_zone } : {}),
      ...(row.state ? { state: row.state } : {}),
      ...(row.language ? { language: row.language } : {}),
      consent: 'OPTED_IN',
      recentOfferTimes: [],
      createdAt: now,
    };
    const entry = this.newEntry(
      patient.patientId,
      {
        urgent: row.urgent,
        boost: row.boost,
        boostReason: row.boost_reason,
        preferences: {
          providerIds: [],
          providerTypes: row.provider_types,
          locationIds: row.location_ids,
          visitTypes: row.visit_types,
        },
        currentAppointmentAt: row.current_appointment_at,
        availability: row.availability,
        notes: row.notes,
      },
      now,
    );
    await this.deps.waitlist.enrollPatient({
      patient,
      consent: {
        at: now,
        state: 'OPTED_IN',
        source: 'IMPORT',
        actor: actor.sub,
        evidence: 'CSV import by staff',
      },
      entry,
      now,
    });
    return { patientId: patient.patientId, phone: patient.phone };
  }
}

/** The audit detail of a provider or location edit: `retired` only when this edit changed it. */
function retirementChange(before: boolean | undefined, after: boolean): { retired?: boolean } {
  return Boolean(before) === after ? {} : { retired: after };
}
