import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { ConflictError } from '../../domain/errors.js';
import type { ConsentChange, Location, Patient, Provider, WaitlistEntry } from '../../domain/model.js';
import { entryItem } from './dynamo-offer-store.js';
import { keys } from './keys.js';

/** Monotonic, like the engine's consent ids, so a patient's ledger sorts in the order it was written. */
const nextId = monotonicFactory();

/**
 * Writes for the reference data and the waitlist itself (providers, locations, patients, entries).
 * The admin API builds on these; tests and the seed script use them to set up a clinic.
 */
export class WaitlistStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clinicTimeZone: string,
  ) {}

  async putProvider(provider: Provider): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.provider(provider.providerId), entity: 'PROVIDER', ...provider },
      }),
    );
  }

  async putLocation(location: Location): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.location(location.locationId), entity: 'LOCATION', ...location },
      }),
    );
  }

  /** The patient item and its phone pointer; the pointer makes a phone number belong to one patient. */
  private newPatientPuts(patient: Patient) {
    return [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.phone(patient.phone), entity: 'PHONE', patientId: patient.patientId },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.patient(patient.patientId), entity: 'PATIENT', ...patient },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ];
  }

  /** Creates a patient (without a waitlist entry: tests, benchmarks, seeding). */
  async createPatient(patient: Patient): Promise<void> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [...this.newPatientPuts(patient)],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        throw new ConflictError('a patient with this phone number is already registered');
      }
      throw error;
    }
  }

  /**
   * Enrols a new patient in one transaction: the phone guard, the profile, the first consent record (with
   * its source and the staff actor) and the waitlist entry, indexed. All or nothing, so a failed signup
   * or import row never leaves a patient without consent evidence or an entry without a patient.
   */
  async enrollPatient(input: {
    patient: Patient;
    consent: ConsentChange;
    entry: WaitlistEntry;
    now: string;
  }): Promise<void> {
    const { patient, consent, entry, now } = input;
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            ...this.newPatientPuts(patient),
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.consentChange(patient.patientId, consent.at, nextId()),
                  entity: 'CONSENT',
                  patientId: patient.patientId,
                  ...consent,
                },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: entryItem(entry, patient, now, this.clinicTimeZone),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        throw new ConflictError('a patient with this phone number is already registered');
      }
      throw error;
    }
  }

  /**
   * Removes everything `enrollPatient` wrote for a patient (profile, phone pointer, consent records,
   * entries). Only for undoing a failed bulk import: the patient never existed for anyone else.
   */
  async removeEnrollment(patientId: string, phone: string): Promise<void> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.patient(patientId).pk },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
      }),
    );
    const itemKeys = [...(out.Items ?? []).map((i) => ({ pk: i.pk, sk: i.sk })), keys.phone(phone)];
    for (let i = 0; i < itemKeys.length; i += 25) {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: itemKeys
            .slice(i, i + 25)
            .map((Key) => ({ Delete: { TableName: this.tableName, Key } })),
        }),
      );
    }
  }

  /** Adds (or replaces) a waitlist entry, indexed by its current score. */
  async putEntry(entry: WaitlistEntry, patient: Pick<Patient, 'consent'>, now: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: entryItem(entry, patient, now, this.clinicTimeZone),
      }),
    );
  }

  async entriesOf(patientId: string): Promise<WaitlistEntry[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': keys.patient(patientId).pk, ':e': 'ENTRY#' },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []) as WaitlistEntry[];
  }
}
