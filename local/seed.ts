import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { ulid } from 'ulid';
import { WaitlistStore } from '../shared/adapters/dynamo/waitlist-store.js';
import type {
  Location,
  Patient,
  Provider,
  ProviderType,
  Slot,
  WaitlistEntry,
  WaitlistPreferences,
} from '../shared/domain/model.js';
import type { NewCancellation } from '../shared/engine/offer-engine.js';

/**
 * Sample data for local mode (`npm start` on an empty table, or `npm run seed`): a few providers and
 * locations, 30 waitlisted patients with varied urgency, boosts, preferences and time zones, and two
 * cancellations logged through the engine (so their batches run on the local scheduler). Phone numbers
 * are in the 555-01xx range, reserved for fiction. Idempotent-ish: a table that already has providers is
 * left alone.
 */

export interface SeedOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clinicTimeZone: string;
  /** The seed's "now" (ISO); joined dates and appointments are placed relative to it. */
  now: string;
  /** When given, the cancellations are logged through it (their first batch is scheduled). */
  engine?: { logCancellation(input: NewCancellation): Promise<Slot> };
  /** Progress lines for the console. */
  log?: (line: string) => void;
}

export interface SeedResult {
  skipped: boolean;
  providers: number;
  locations: number;
  patients: number;
  slots: string[];
}

export const SAMPLE_LOCATIONS: Location[] = [
  { locationId: 'loc-main', displayName: 'Main St' },
  { locationId: 'loc-north', displayName: 'North' },
  { locationId: 'loc-lakeview', displayName: 'Lakeview' },
];

export const SAMPLE_PROVIDERS: Provider[] = [
  {
    providerId: 'prov-lee',
    displayName: 'Dr. Lee',
    providerType: 'MD/DO',
    locationIds: ['loc-main', 'loc-north'],
  },
  { providerId: 'prov-patel', displayName: 'Dr. Patel', providerType: 'MD/DO', locationIds: ['loc-main'] },
  { providerId: 'prov-ortiz', displayName: 'Sam Ortiz PA', providerType: 'APP', locationIds: ['loc-north'] },
  {
    providerId: 'prov-reyes',
    displayName: 'J. Reyes NP',
    providerType: 'APP',
    locationIds: ['loc-lakeview'],
  },
];

const FIRST_NAMES = [
  'Ana',
  'Ben',
  'Chloe',
  'Dev',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Iris',
  'Jamal',
  'Kate',
  'Luis',
  'Maya',
  'Noah',
  'Olga',
  'Priya',
  'Quinn',
  'Rosa',
  'Sam',
  'Tariq',
  'Uma',
  'Victor',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zoe',
  'Amir',
  'Bea',
  'Cole',
  'Dana',
];
const FAMILY_NAMES = [
  'Alvarez',
  'Brown',
  'Chen',
  'Diaz',
  'Evans',
  'Fischer',
  'Garcia',
  'Hughes',
  'Ito',
  'Jones',
  'Kowalski',
  'Lopez',
  'Miller',
  'Nguyen',
  "O'Brien",
  'Park',
  'Quist',
  'Rossi',
  'Smith',
  'Thomas',
];
// Most patients live in the clinic's zone; a few travel or moved, which is what contact hours must respect.
const ZONES = [
  undefined,
  undefined,
  undefined,
  'America/New_York',
  undefined,
  'America/Denver',
  undefined,
  'America/Los_Angeles',
];
const VISIT_TYPES = ['follow-up', 'new-patient', 'procedure'];

function preferencesFor(i: number): WaitlistPreferences {
  const types: ProviderType[][] = [[], [], ['MD/DO'], ['APP'], []];
  return {
    providerIds: i % 9 === 4 ? ['prov-lee'] : [],
    providerTypes: types[i % types.length] ?? [],
    locationIds: i % 6 === 1 ? ['loc-north'] : i % 7 === 2 ? ['loc-main', 'loc-lakeview'] : [],
    visitTypes: i % 5 === 3 ? ['follow-up'] : [],
  };
}

async function hasProviders(doc: DynamoDBDocumentClient, tableName: string): Promise<boolean> {
  const out = await doc.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'PROVIDERS' },
      Limit: 1,
    }),
  );
  return (out.Items ?? []).length > 0;
}

export async function seedSampleData(options: SeedOptions): Promise<SeedResult> {
  const { doc, tableName, clinicTimeZone, now } = options;
  const log = options.log ?? (() => {});
  if (await hasProviders(doc, tableName)) {
    log('Sample data: the table already has providers, leaving it as it is.');
    return { skipped: true, providers: 0, locations: 0, patients: 0, slots: [] };
  }
  const store = new WaitlistStore(doc, tableName, clinicTimeZone);
  const clinicNow = DateTime.fromISO(now, { zone: 'utc' }).setZone(clinicTimeZone);

  log(`Sample data: ${SAMPLE_LOCATIONS.length} locations, ${SAMPLE_PROVIDERS.length} providers…`);
  for (const location of SAMPLE_LOCATIONS) await store.putLocation(location);
  for (const provider of SAMPLE_PROVIDERS) await store.putProvider(provider);

  log(`Sample data: ${FIRST_NAMES.length} waitlisted patients…`);
  for (const [i, displayName] of FIRST_NAMES.entries()) {
    const patient: Patient = {
      patientId: ulid(),
      phone: `+1312555${String(110 + i).padStart(4, '0')}`,
      displayName,
      familyName: FAMILY_NAMES[i % FAMILY_NAMES.length],
      ...(ZONES[i % ZONES.length] ? { timeZone: ZONES[i % ZONES.length] } : {}),
      // Every sixth patient reads Spanish, so the simulator shows both languages.
      ...(i % 6 === 4 ? { language: 'es' as const } : {}),
      consent: 'OPTED_IN',
      recentOfferTimes: [],
      createdAt: now,
    };
    const boost = [0, 0, 0, 10, 0, 25, 0, 0, 5, 40][i % 10] ?? 0;
    // Joined between today and ~10 months ago, so seniority points vary across the list.
    const joinedAt = clinicNow
      .minus({ days: (i * 37) % 310, hours: i })
      .toUTC()
      .toISO() as string;
    const appointmentDays = [null, 20, 45, 100, 200][i % 5];
    const entry: WaitlistEntry = {
      entryId: ulid(),
      patientId: patient.patientId,
      urgent: i % 7 === 0,
      boost,
      ...(boost > 0
        ? {
            boostReason: ['post-op check', 'clinician request', 'long wait', 'transport only on weekdays'][
              i % 4
            ],
          }
        : {}),
      preferences: preferencesFor(i),
      ...(appointmentDays
        ? {
            currentAppointmentAt: clinicNow
              .plus({ days: appointmentDays })
              .set({ hour: 9 + (i % 8), minute: 0 })
              .toUTC()
              .toISO() as string,
          }
        : {}),
      joinedAt,
      active: true,
      ...(i % 8 === 5 ? { notes: 'Prefers mornings.' } : {}),
    };
    await store.enrollPatient({
      patient,
      consent: { at: now, state: 'OPTED_IN', source: 'SIGNUP', actor: 'seed', evidence: 'sample data' },
      entry,
      now,
    });
  }

  const slots: string[] = [];
  if (options.engine) {
    log('Sample data: 2 cancellations (their first batch goes out after the edit delay)…');
    const tomorrow = clinicNow.plus({ days: 1 }).set({ hour: 10, minute: 30, second: 0, millisecond: 0 });
    const later = clinicNow.plus({ days: 3 }).set({ hour: 14, minute: 0, second: 0, millisecond: 0 });
    const inputs: NewCancellation[] = [
      {
        providerId: 'prov-lee',
        locationId: 'loc-main',
        startAt: tomorrow.toUTC().toISO() as string,
        durationMinutes: 30,
        visitType: VISIT_TYPES[0] as string,
        loggedBy: 'seed',
      },
      {
        providerId: 'prov-ortiz',
        locationId: 'loc-north',
        startAt: later.toUTC().toISO() as string,
        durationMinutes: 20,
        visitType: VISIT_TYPES[0] as string,
        loggedBy: 'seed',
      },
    ];
    for (const input of inputs) slots.push((await options.engine.logCancellation(input)).slotId);
  } else {
    log('Sample data: no engine given, so no cancellations were logged.');
  }
  log('Sample data: done.');
  return {
    skipped: false,
    providers: SAMPLE_PROVIDERS.length,
    locations: SAMPLE_LOCATIONS.length,
    patients: FIRST_NAMES.length,
    slots,
  };
}
