import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { ulid } from 'ulid';
import { DynamoOfferStore } from '../../shared/adapters/dynamo/dynamo-offer-store.js';
import { WaitlistStore } from '../../shared/adapters/dynamo/waitlist-store.js';
import { InProcessScheduler } from '../../shared/adapters/scheduler/in-process-scheduler.js';
import { InMemorySendBudget, withSendCap } from '../../shared/adapters/twilio/send-cap.js';
import { type OfferPolicy, offerPolicyFrom, parseConfig } from '../../shared/config.js';
import type { Patient, Provider, WaitlistEntry, WaitlistPreferences } from '../../shared/domain/model.js';
import { SmsConversation } from '../../shared/engine/conversation.js';
import { OfferEngine } from '../../shared/engine/offer-engine.js';
import { RecordingSms } from './recording-sms.js';

export const ZONE = 'America/Chicago';

/** 10:00 on a Tuesday in Chicago: inside contact hours. */
export const TUESDAY_10AM = DateTime.fromISO('2026-11-24T10:00', { zone: ZONE }).toUTC().toISO() as string;

export interface PatientSpec {
  name?: string;
  urgent?: boolean;
  boost?: number;
  currentAppointmentAt?: string;
  currentAppointment?: WaitlistEntry['currentAppointment'];
  joinedAt?: string;
  preferences?: Partial<WaitlistPreferences>;
  timeZone?: string;
  /** E.164; default a Chicago (312) number. */
  phone?: string;
  /** USPS code staff entered (quiet hours). */
  state?: string;
  language?: Patient['language'];
  consent?: Patient['consent'];
  active?: boolean;
  availability?: WaitlistEntry['availability'];
}

/**
 * A whole clinic on DynamoDB Local: its own table, the real DynamoDB store, the engine, an in-process
 * scheduler wired to the engine, a recording SMS port and a clock the test moves.
 */
export async function makeClinicOn(
  table: { doc: DynamoDBDocumentClient; tableName: string },
  overrides: Partial<Record<string, string>> = {},
) {
  let now = new Date(TUESDAY_10AM);
  const clock = () => new Date(now);
  const { ADVANCE_MODE: _mode, SEND_CAP: sendCap, ...settings } = overrides;
  const config = parseConfig({ TABLE_NAME: table.tableName, CLINIC_NAME: 'Lakeside', ...settings });
  const policy: OfferPolicy = offerPolicyFrom(config);
  const store = new DynamoOfferStore(table.doc, table.tableName);
  const waitlist = new WaitlistStore(table.doc, table.tableName, policy.clinicTimeZone);
  const scheduler = new InProcessScheduler();
  const sms = new RecordingSms();
  const advanceMode = overrides.ADVANCE_MODE === 'handoff' ? 'handoff' : 'inline';
  const alerts: Array<{ slotId: string; batch: number }> = [];
  const changeOfMindAlerts: Array<{ slotId: string; how: string }> = [];
  // SEND_CAP wraps the recording port in the clinic's hourly cap, as production wraps Twilio.
  const engineSms = sendCap ? withSendCap(sms, new InMemorySendBudget(Number(sendCap)), clock) : sms;
  const engine = new OfferEngine({
    store,
    scheduler,
    sms: engineSms,
    clock,
    policy,
    advanceMode,
    alerts: {
      slotFilled: async (alert) => void alerts.push(alert),
      winnerChangedMind: async (alert) => void changeOfMindAlerts.push(alert),
    },
  });
  const conversation = new SmsConversation({ store, engine, clock, policy });
  scheduler.onFire(async (event) => void (await engine.handleScheduled(event)));

  const provider: Provider = {
    providerId: 'prov-lee',
    displayName: 'Dr. Lee',
    providerType: 'MD/DO',
    locationIds: ['loc-main'],
  };
  await waitlist.putProvider(provider);
  await waitlist.putProvider({
    providerId: 'prov-app',
    displayName: 'Sam Ortiz PA',
    providerType: 'APP',
    locationIds: ['loc-main'],
  });
  await waitlist.putLocation({ locationId: 'loc-main', displayName: 'Main St' });
  await waitlist.putLocation({ locationId: 'loc-north', displayName: 'North' });

  let phoneCounter = 0;
  async function addPatient(spec: PatientSpec = {}): Promise<Patient & { entry: WaitlistEntry }> {
    phoneCounter++;
    const patient: Patient = {
      patientId: ulid(),
      phone: spec.phone ?? `+1312555${String(phoneCounter).padStart(4, '0')}`,
      displayName: spec.name ?? `Pat${phoneCounter}`,
      consent: spec.consent ?? 'OPTED_IN',
      timeZone: spec.timeZone,
      ...(spec.state ? { state: spec.state } : {}),
      ...(spec.language ? { language: spec.language } : {}),
      recentOfferTimes: [],
      createdAt: now.toISOString(),
    };
    await waitlist.createPatient(patient);
    const entry: WaitlistEntry = {
      entryId: ulid(),
      patientId: patient.patientId,
      urgent: spec.urgent ?? false,
      boost: spec.boost ?? 0,
      preferences: {
        providerIds: [],
        providerTypes: [],
        locationIds: [],
        visitTypes: [],
        ...spec.preferences,
      },
      currentAppointmentAt:
        spec.currentAppointmentAt ?? DateTime.fromJSDate(now).plus({ days: 60 }).toUTC().toISO() ?? undefined,
      ...(spec.currentAppointment ? { currentAppointment: spec.currentAppointment } : {}),
      ...(spec.availability ? { availability: spec.availability } : {}),
      joinedAt: spec.joinedAt ?? (DateTime.fromJSDate(now).minus({ days: 1 }).toUTC().toISO() as string),
      active: spec.active ?? true,
    };
    await waitlist.putEntry(entry, patient, now.toISOString());
    return { ...patient, entry };
  }

  function slotInput(
    hoursAhead = 48,
    extra: Partial<{ providerId: string; locationId: string; visitType: string }> = {},
  ) {
    return {
      providerId: extra.providerId ?? 'prov-lee',
      locationId: extra.locationId ?? 'loc-main',
      visitType: extra.visitType ?? 'follow-up',
      startAt: DateTime.fromJSDate(now).plus({ hours: hoursAhead }).toUTC().toISO() as string,
      durationMinutes: 30,
      loggedBy: 'staff-1',
    };
  }

  /** Moves the clock and fires every schedule now due, like EventBridge Scheduler would. */
  async function advance(minutes: number, deliveriesPerEvent = 1) {
    now = new Date(now.getTime() + minutes * 60_000);
    return scheduler.fireDue(now, deliveriesPerEvent);
  }

  return {
    store,
    waitlist,
    scheduler,
    sms,
    engine,
    alerts,
    changeOfMindAlerts,
    conversation,
    policy,
    provider,
    addPatient,
    slotInput,
    advance,
    clock,
    setNow: (iso: string) => {
      now = new Date(iso);
    },
  };
}
