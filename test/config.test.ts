import { describe, expect, it } from 'vitest';
import { ConfigError, offerPolicyFrom, parseConfig } from '../shared/config.js';

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = parseConfig({ TABLE_NAME: 'backfill' });
    expect(offerPolicyFrom(config)).toMatchObject({
      clinicTimeZone: 'America/Chicago',
      batchSize: 3,
      holdMinutes: 7,
      contactHours: { start: '08:00', end: '20:00' },
      caps: { perDay: 1, perWeek: 3 },
      messageTtlDays: 90,
      inactiveEntryTtlDays: 180,
    });
    expect(config.LOCAL_MODE).toBe(false);
    expect(offerPolicyFrom(config).maxSlotBatchSize).toBe(10);
  });

  it("never lets the per-slot limit fall below the clinic's own batch size", () => {
    expect(offerPolicyFrom(parseConfig({ TABLE_NAME: 'backfill', BATCH_SIZE: '20' })).maxSlotBatchSize).toBe(
      20,
    );
    expect(
      offerPolicyFrom(parseConfig({ TABLE_NAME: 'backfill', BATCH_SIZE: '3', MAX_SLOT_BATCH_SIZE: '5' }))
        .maxSlotBatchSize,
    ).toBe(5);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      parseConfig({ BATCH_SIZE: 'three', CLINIC_TIME_ZONE: 'Mars/Olympus', CONTACT_HOURS_START: '8am' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('TABLE_NAME: is required');
    expect(message).toContain('BATCH_SIZE: must be a whole number from 1 to 50');
    expect(message).toContain('CLINIC_TIME_ZONE: must be an IANA time zone');
    expect(message).toContain('CONTACT_HOURS_START: must be HH:mm');
  });

  it('rejects an inverted contact window, caps that contradict, and a non-GSM clinic name', () => {
    expect(() =>
      parseConfig({ TABLE_NAME: 'x12', CONTACT_HOURS_START: '20:00', CONTACT_HOURS_END: '08:00' }),
    ).toThrow(/before CONTACT_HOURS_END/);
    expect(() =>
      parseConfig({
        TABLE_NAME: 'x12',
        MAX_OFFERS_PER_PATIENT_PER_DAY: '4',
        MAX_OFFERS_PER_PATIENT_PER_WEEK: '3',
      }),
    ).toThrow(/daily cap/);
    expect(() => parseConfig({ TABLE_NAME: 'x12', CLINIC_NAME: 'Clínica — Norte' })).toThrow(/GSM-7/);
  });

  it('treats blank optional variables as unset', () => {
    expect(parseConfig({ TABLE_NAME: 'backfill', BATCH_SIZE: '', TWILIO_FROM_NUMBER: '' }).BATCH_SIZE).toBe(
      3,
    );
  });
});
