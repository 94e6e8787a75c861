import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CLAIMS, jsonEvent } from '../support/admin-events.js';
import { type AdminApp, startAdminApp } from './support/admin-app.js';

/**
 * Values every schema shape allows but that are not what they claim to be: text with a lone UTF-16
 * surrogate (half an emoji), a current appointment in year 0, a time zone that is an offset or an old
 * alias. Each is refused with a 400 naming the field wherever the field enters: the JSON routes and the
 * CSV import. Nothing is written.
 */

let app: AdminApp;

type Fields = Record<string, string>;
const fieldsOf = (body: unknown) => (body as { error: { fields?: Fields } }).error.fields ?? {};
const rowErrorsOf = (body: unknown) =>
  (body as { error: { errors?: Array<{ row: number; field: string; message: string }> } }).error.errors ?? [];

const HALF_EMOJI = 'Jo \uD83D';
const LONE_LOW = '\uDE00 Jo';
const BROKEN = 'must not contain broken characters (half of an emoji or symbol, or text not saved as UTF-8)';

let phoneSeq = 7100;
const nextPhone = () => `312-555-${String(phoneSeq++)}`;

function addPatient(patient: Record<string, unknown>, entry: Record<string, unknown> = {}) {
  return app.call(
    jsonEvent({
      method: 'POST',
      path: '/admin/waitlist',
      body: {
        patient: { phone: nextPhone(), displayName: 'Jo', consentSource: 'VERBAL', ...patient },
        entry,
      },
    }),
  );
}

function postCsv(lines: string[]) {
  return app.call(
    jsonEvent({
      method: 'POST',
      path: '/admin/waitlist/import',
      body: lines.join('\r\n'),
      contentType: 'text/csv',
      claims: ADMIN_CLAIMS,
    }),
  );
}

beforeAll(async () => {
  app = await startAdminApp();
});

afterAll(async () => {
  await app?.close();
});

describe('lone surrogates', () => {
  it('are refused in names, notes and reasons on the JSON routes', async () => {
    const before = await app.countItems();
    for (const value of [HALF_EMOJI, LONE_LOW]) {
      const created = await addPatient(
        { displayName: value, familyName: value },
        { notes: value, boost: 5, boostReason: value },
      );
      expect(created.status, created.text).toBe(400);
      expect(fieldsOf(created.body)).toMatchObject({
        'patient.displayName': BROKEN,
        'patient.familyName': BROKEN,
        'entry.notes': BROKEN,
        'entry.boostReason': BROKEN,
      });
    }
    expect(await app.countItems()).toBe(before);

    const ok = await addPatient({ displayName: 'Jo 😀' }, { notes: 'emoji are fine: 👍' });
    expect(ok.status, ok.text).toBe(201);
    const { patient, entry } = ok.body as { patient: { patientId: string }; entry: { entryId: string } };
    const entryPath = `/admin/waitlist/${patient.patientId}/${entry.entryId}`;
    const cases: Array<{ method: string; path: string; body: unknown; field: string }> = [
      { method: 'PATCH', path: entryPath, body: { notes: HALF_EMOJI }, field: 'notes' },
      {
        method: 'PATCH',
        path: entryPath,
        body: { preferences: { visitTypes: [HALF_EMOJI] } },
        field: 'preferences.visitTypes.0',
      },
      { method: 'POST', path: `${entryPath}/boost`, body: { boost: 3, reason: HALF_EMOJI }, field: 'reason' },
      { method: 'POST', path: `${entryPath}/deactivate`, body: { reason: LONE_LOW }, field: 'reason' },
      {
        method: 'PATCH',
        path: `/admin/patients/${patient.patientId}`,
        body: { displayName: HALF_EMOJI },
        field: 'displayName',
      },
      {
        method: 'PATCH',
        path: `/admin/patients/${patient.patientId}`,
        body: { familyName: LONE_LOW },
        field: 'familyName',
      },
      {
        method: 'POST',
        path: `/admin/patients/${patient.patientId}/consent`,
        body: { state: 'OPTED_OUT', note: HALF_EMOJI },
        field: 'note',
      },
    ];
    const middle = await app.countItems();
    for (const c of cases) {
      const reply = await app.call(jsonEvent({ ...c, claims: ADMIN_CLAIMS }));
      expect(reply.status, `${c.method} ${c.path} ${reply.text}`).toBe(400);
      expect(fieldsOf(reply.body)[c.field], `${c.method} ${c.path}`).toBe(BROKEN);
    }
    for (const body of [
      { displayName: `Dr. ${HALF_EMOJI}`, providerType: 'APP' },
      { displayName: LONE_LOW, providerType: 'APP' },
    ]) {
      const reply = await app.call(
        jsonEvent({ method: 'POST', path: '/admin/providers', body, claims: ADMIN_CLAIMS }),
      );
      expect(reply.status, reply.text).toBe(400);
      expect(fieldsOf(reply.body).displayName).toBe(BROKEN);
    }
    const location = await app.call(
      jsonEvent({
        method: 'POST',
        path: '/admin/locations',
        body: { displayName: HALF_EMOJI },
        claims: ADMIN_CLAIMS,
      }),
    );
    expect(fieldsOf(location.body).displayName).toBe(BROKEN);
    expect(await app.countItems()).toBe(middle);
  });

  it('are refused in every text cell of a CSV import, which then imports nothing', async () => {
    const before = await app.countItems();
    const reply = await postCsv([
      'phone,display_name,family_name,boost,boost_reason,visit_types,notes',
      `${nextPhone()},${HALF_EMOJI},Lee,,,,`,
      `${nextPhone()},Ana,${LONE_LOW},,,,`,
      `${nextPhone()},Ben,,5,${HALF_EMOJI},,`,
      `${nextPhone()},Cal,,,,${HALF_EMOJI},`,
      `${nextPhone()},Dee,,,,,"two lines\nthen ${LONE_LOW}"`,
      `${nextPhone()},Eve,,,,,fine`,
    ]);
    expect(reply.status, reply.text).toBe(400);
    expect(rowErrorsOf(reply.body)).toEqual([
      { row: 2, field: 'display_name', message: BROKEN },
      { row: 3, field: 'family_name', message: BROKEN },
      { row: 4, field: 'boost_reason', message: BROKEN },
      { row: 5, field: 'visit_types', message: BROKEN },
      { row: 6, field: 'notes', message: BROKEN },
    ]);
    expect(await app.countItems()).toBe(before);
  });

  it('refuses a CSV saved as Latin-1 instead of storing a replacement character', async () => {
    const before = await app.countItems();
    const latin1 = Buffer.from(
      `phone,display_name,notes\r\n${nextPhone()},Jos\u00e9,caf\u00e9\r\n`,
      'latin1',
    );
    const event = jsonEvent({
      method: 'POST',
      path: '/admin/waitlist/import',
      body: 'placeholder',
      contentType: 'text/csv',
      claims: ADMIN_CLAIMS,
      base64: true,
    });
    event.body = latin1.toString('base64');
    const reply = await app.call(event);
    expect(reply.status, reply.text).toBe(400);
    expect(rowErrorsOf(reply.body)).toEqual([
      { row: 2, field: 'display_name', message: BROKEN },
      { row: 2, field: 'notes', message: BROKEN },
    ]);
    expect(await app.countItems()).toBe(before);
  });
});

describe('current-appointment dates', () => {
  const RANGE = 'must be between 2000-01-01 and 2100-12-31';

  it('are bounded on the JSON routes', async () => {
    const before = await app.countItems();
    for (const at of [
      '0000-01-01T00:00:00Z',
      '1999-12-31T23:59:59Z',
      '2101-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
    ]) {
      const reply = await addPatient({}, { currentAppointmentAt: at });
      expect(reply.status, `${at}: ${reply.text}`).toBe(400);
      expect(fieldsOf(reply.body)['entry.currentAppointmentAt'], at).toBe(RANGE);
    }
    expect(await app.countItems()).toBe(before);
    // 2100-12-31 at 23:00 in a zone 90 minutes behind UTC is already 2101 in UTC.
    const beyond = await addPatient({}, { currentAppointmentAt: '2100-12-31T23:00:00-01:30' });
    expect(beyond.status, beyond.text).toBe(400);
    const edge = await addPatient({}, { currentAppointmentAt: '2100-12-31T23:59:59Z' });
    expect(edge.status, edge.text).toBe(201);
    const { patient, entry } = edge.body as { patient: { patientId: string }; entry: { entryId: string } };
    const patch = await app.call(
      jsonEvent({
        method: 'PATCH',
        path: `/admin/waitlist/${patient.patientId}/${entry.entryId}`,
        body: { currentAppointmentAt: '0000-01-01T00:00:00Z' },
      }),
    );
    expect(patch.status, patch.text).toBe(400);
    expect(fieldsOf(patch.body).currentAppointmentAt).toBe(RANGE);
  });

  it('are bounded in the CSV import', async () => {
    const before = await app.countItems();
    const reply = await postCsv([
      'phone,display_name,current_appointment_at',
      `${nextPhone()},Ana,0000-01-01T00:00:00Z`,
      `${nextPhone()},Ben,9999-12-31T00:00:00Z`,
      `${nextPhone()},Cal,2027-06-01T15:00:00Z`,
    ]);
    expect(reply.status, reply.text).toBe(400);
    expect(rowErrorsOf(reply.body)).toEqual([
      { row: 2, field: 'current_appointment_at', message: RANGE },
      { row: 3, field: 'current_appointment_at', message: RANGE },
    ]);
    expect(await app.countItems()).toBe(before);
  });
});

describe('time zones', () => {
  const REFUSED: Array<[string, string]> = [
    ['+05:00', 'must be a named IANA time zone such as America/Chicago, not a UTC offset'],
    ['-0800', 'must be a named IANA time zone such as America/Chicago, not a UTC offset'],
    ['UTC+5', 'must be a named IANA time zone such as America/Chicago, not a UTC offset'],
    ['US/Pacific-New', 'is an old or alias name for a time zone: use America/Los_Angeles'],
    ['US/Pacific', 'is an old or alias name for a time zone: use America/Los_Angeles'],
    ['US/Eastern', 'is an old or alias name for a time zone: use America/New_York'],
    ['EST5EDT', 'is an old or alias name for a time zone: use America/New_York'],
    ['Canada/Eastern', 'is an old or alias name for a time zone: use America/Toronto'],
    ['America/Indianapolis', 'is an old or alias name for a time zone: use America/Indiana/Indianapolis'],
    ['america/chicago', 'is an old or alias name for a time zone: use America/Chicago'],
    ['Etc/UTC', 'is an old or alias name for a time zone: use UTC'],
    ['Etc/GMT+5', 'must be an IANA time zone such as America/Chicago'],
    ['Mars/Olympus', 'must be an IANA time zone such as America/Chicago'],
  ];
  const ACCEPTED = ['America/Chicago', 'America/Indiana/Indianapolis', 'America/Kentucky/Louisville', 'UTC'];

  it('only canonical IANA zones are accepted when adding or correcting a patient', async () => {
    const before = await app.countItems();
    for (const [zone, message] of REFUSED) {
      const reply = await addPatient({ timeZone: zone });
      expect(reply.status, `${zone}: ${reply.text}`).toBe(400);
      expect(fieldsOf(reply.body)['patient.timeZone'], zone).toBe(message);
    }
    expect(await app.countItems()).toBe(before);

    const created = await addPatient({ timeZone: 'America/Denver' });
    const { patientId } = (created.body as { patient: { patientId: string } }).patient;
    for (const [zone, message] of REFUSED) {
      const reply = await app.call(
        jsonEvent({ method: 'PATCH', path: `/admin/patients/${patientId}`, body: { timeZone: zone } }),
      );
      expect(reply.status, `${zone}: ${reply.text}`).toBe(400);
      expect(fieldsOf(reply.body).timeZone, zone).toBe(message);
    }
    for (const zone of ACCEPTED) {
      const reply = await app.call(
        jsonEvent({ method: 'PATCH', path: `/admin/patients/${patientId}`, body: { timeZone: zone } }),
      );
      expect(reply.status, `${zone}: ${reply.text}`).toBe(200);
      expect((reply.body as { timeZone: string }).timeZone).toBe(zone);
    }
  });

  it('only canonical IANA zones are accepted in the CSV import', async () => {
    const before = await app.countItems();
    const reply = await postCsv([
      'phone,display_name,time_zone',
      ...REFUSED.map(([zone]) => `${nextPhone()},Ana,${zone}`),
      `${nextPhone()},Ben,America/Chicago`,
    ]);
    expect(reply.status, reply.text).toBe(400);
    expect(rowErrorsOf(reply.body)).toEqual(
      REFUSED.map(([, message], i) => ({ row: i + 2, field: 'time_zone', message })),
    );
    expect(await app.countItems()).toBe(before);

    const good = await postCsv([
      'phone,display_name,time_zone',
      ...ACCEPTED.map((zone) => `${nextPhone()},Ana,${zone}`),
    ]);
    expect(good.status, good.text).toBe(201);
  });
});
