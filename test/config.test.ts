import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_TABLE_NAME, offerPolicyFrom, parseConfig } from '../shared/config.js';

/** Every variable .env.example names, set or commented out, each with the value the file gives it. */
function envExample(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync('.env.example', 'utf8').split('\n')) {
    const match = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1]) vars[match[1]] = (match[2] ?? '').replace(/\s+#.*$/, '').trim();
  }
  return vars;
}

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

  it('.env.example copied as is, or with every variable blank, parses to the defaults', () => {
    const example = envExample();
    expect(Object.keys(example)).toEqual(expect.arrayContaining(['TABLE_NAME', 'BATCH_SIZE', 'PORT']));
    const blank = Object.fromEntries(Object.keys(example).map((name) => [name, '']));
    const defaults = parseConfig(blank);
    expect(defaults).toMatchObject({
      TABLE_NAME: DEFAULT_TABLE_NAME,
      SCHEDULE_GROUP_NAME: 'default',
      BATCH_SIZE: 3,
      PUBLIC_API_URL: 'http://localhost:3000',
      TWILIO_ACCOUNT_SID: '',
    });
    // Whitespace is blank too: an editor that pads `TABLE_NAME= ` must not make a table named " ".
    expect(parseConfig({ TABLE_NAME: '  ', BATCH_SIZE: ' ' })).toMatchObject({
      TABLE_NAME: DEFAULT_TABLE_NAME,
      BATCH_SIZE: 3,
    });
    expect(parseConfig(example)).toMatchObject({ TABLE_NAME: DEFAULT_TABLE_NAME, HOLD_MINUTES: 7 });
  });

  it('a bad table name fails naming TABLE_NAME, before any SDK sees it', () => {
    expect(() => parseConfig({ TABLE_NAME: 'my table!' })).toThrow(/TABLE_NAME: .*letters, digits/);
    expect(() => parseConfig({ TABLE_NAME: 'ab' })).toThrow(/TABLE_NAME: must be at least 3 characters/);
    expect(() => parseConfig({ PUBLIC_API_URL: 'localhost 3000' })).toThrow(/PUBLIC_API_URL: /);
  });

  it('treats blank optional variables as unset', () => {
    expect(parseConfig({ TABLE_NAME: 'backfill', BATCH_SIZE: '', TWILIO_FROM_NUMBER: '' }).BATCH_SIZE).toBe(
      3,
    );
  });
});
