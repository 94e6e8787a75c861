import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditRecord,
  CreateWaitlistResponse,
  ErrorBody,
  MessageView,
  MetricsResponse,
  Page,
  PatientDetail,
  SlotDetail,
  SlotView,
  WaitlistRow,
} from '../../shared/admin/contract.js';
import { ADMIN_CLAIMS, jsonEvent } from '../support/admin-events.js';
import { type AdminApp, startAdminApp } from './support/admin-app.js';

let app: AdminApp;
let phoneCounter = 0;

const get = (path: string, claims = ADMIN_CLAIMS) => app.call(jsonEvent({ method: 'GET', path, claims }));
const post = (path: string, body?: unknown, claims = ADMIN_CLAIMS) =>
  app.call(jsonEvent({ method: 'POST', path, body, claims }));

async function addPatient(
  name: string,
  entry: Record<string, unknown> = {},
  patient: Record<string, unknown> = {},
) {
  phoneCounter++;
  const phone = `(312) 555-${String(3000 + phoneCounter)}`;
  const reply = await post('/admin/waitlist', {
    patient: { phone, displayName: name, consentSource: 'VERBAL', ...patient },
    entry,
  });
  expect(reply.status, reply.text).toBe(201);
  return reply.body as CreateWaitlistResponse;
}

async function waitlist(query = ''): Promise<Page<WaitlistRow>> {
  const reply = await get(`/admin/waitlist${query}`);
  expect(reply.status, reply.text).toBe(200);
  return reply.body as Page<WaitlistRow>;
}

async function auditToday(): Promise<AuditRecord[]> {
  const reply = await get('/admin/audit?limit=100');
  expect(reply.status, reply.text).toBe(200);
  return (reply.body as Page<AuditRecord>).items;
}

/** Every per-day series of a metrics answer adds up to its total, and the days are the whole range. */
function expectByDayMatchesTotals(metrics: MetricsResponse) {
  const days = metrics.byDay;
  expect(days[0]?.date).toBe(metrics.from);
  expect(days.at(-1)?.date).toBe(metrics.to);
  for (const [i, day] of days.entries()) {
    if (i > 0)
      expect(DateTime.fromISO(day.date).diff(DateTime.fromISO(days[i - 1]?.date ?? ''), 'days').days).toBe(1);
    expect(day.filled).toBe(day.slots.FILLED);
  }
  const sum = (pick: (d: MetricsResponse['byDay'][number]) => number) =>
    days.reduce((n, d) => n + pick(d), 0);
  for (const status of ['OPEN', 'FILLED', 'EXPIRED', 'WITHDRAWN'] as const) {
    expect(
      sum((d) => d.slots[status]),
      status,
    ).toBe(metrics.slots[status]);
  }
  expect(sum((d) => d.filled)).toBe(metrics.slots.FILLED);
  expect(sum((d) => d.smsSent)).toBe(metrics.smsSent);
  expect(sum((d) => d.optOuts)).toBe(metrics.optOuts);
  const samples = days.flatMap((d) => d.timeToFillMinutes).sort((a, b) => a - b);
  expect(samples).toHaveLength(metrics.slots.FILLED);
  if (samples.length > 0)
    expect(metrics.timeToFillMinutes.median).toBe(samples[Math.ceil(samples.length / 2) - 1]);
}

beforeAll(async () => {
  app = await startAdminApp();
});

afterAll(async () => {
  await app?.close();
});

describe('waitlist', () => {
  it('adds patients with consent evidence and lists them ranked, with each score breakdown', async () => {
    const later = new Date(Date.now() + 200 * 86_400_000).toISOString();
    const plain = await addPatient('Plain', { currentAppointmentAt: later });
    const urgent = await addPatient('Urgent', { urgent: true, currentAppointmentAt: later });
    await addPatient('Boosted', {
      boost: 15,
      boostReason: 'long wait',
      currentAppointmentAt: later,
    });
    const markup = await addPatient('<b>Jo</b>', {}, { sendWelcome: true, timeZone: 'America/Denver' });

    expect(urgent.patient.phoneMasked).toMatch(/^\*\*\*\d{4}$/);
    expect(markup.patient.displayName).toBe('<b>Jo</b>'); // stored as text, not escaped
    expect(markup.welcome).toBe('SENT');
    expect(app.twilio.requests.at(-1)?.form.Body).toMatch(/^Lakeside: You're on our waitlist/);
    expect(plain.welcome).toBe('NOT_REQUESTED');

    const page = await waitlist();
    const names = page.items.map((r) => r.patient?.displayName);
    // Urgent 30 + 20 (appointment 200 days out) = 50; Boosted 15 + 20 = 35; Plain 20; Jo 20 (no appointment
    // counts as far away). Plain and Jo tie: the earlier joiner ranks first.
    expect(names).toEqual(['Urgent', 'Boosted', 'Plain', '<b>Jo</b>']);
    expect(page.items[0]?.score).toMatchObject({ urgent: 30, boost: 0, appointmentDistance: 20, total: 50 });
    expect(page.items[1]?.score).toMatchObject({ boost: 15, total: 35 });
    expect(page.items.every((r) => r.patient?.consent === 'OPTED_IN')).toBe(true);
    expect(JSON.stringify(page)).not.toMatch(/\+1312/);

    const detail = await get(`/admin/patients/${urgent.patient.patientId}`);
    const body = detail.body as PatientDetail;
    expect(body.patient.phone).toBeUndefined();
    expect(body.consentHistory).toEqual([
      expect.objectContaining({ state: 'OPTED_IN', source: 'SIGNUP', actor: ADMIN_CLAIMS.sub }),
    ]);
    expect(body.entries[0]?.score?.total).toBe(50);

    // Pages continue where they stopped, without overlap.
    const first = await waitlist('?limit=2');
    expect(first.items).toHaveLength(2);
    const second = await waitlist(`?limit=2&cursor=${first.cursor}`);
    expect([...first.items, ...second.items].map((r) => r.patient?.displayName)).toEqual(names);
    const urgentOnly = await waitlist('?urgent=true');
    expect(urgentOnly.items.map((r) => r.patient?.displayName)).toEqual(['Urgent']);
  });

  it('re-ranks an entry when its boost changes', async () => {
    const before = (await waitlist()).items;
    const last = before.at(-1) as WaitlistRow;
    const reply = await post(`/admin/waitlist/${last.patientId}/${last.entryId}/boost`, {
      boost: 40,
      reason: 'surgeon asked',
    });
    expect(reply.status, reply.text).toBe(200);
    const after = (await waitlist()).items;
    expect(after[0]?.entryId).toBe(last.entryId);
    expect(after[0]?.score).toMatchObject({ boost: 40, total: 60 });
    expect(after[0]?.boostReason).toBe('surgeon asked');
    const audit = await auditToday();
    expect(audit.find((a) => a.action === 'entry.boost')).toMatchObject({
      recordType: 'ENTRY',
      recordId: last.entryId,
      detail: { from: 0, to: 40 },
    });
  });

  it('refuses a second patient with the same phone (409) and writes nothing', async () => {
    const before = await app.countItems();
    const reply = await post('/admin/waitlist', {
      patient: { phone: '+1 312 555 3001', displayName: 'Again', consentSource: 'WRITTEN' },
      entry: {},
    });
    expect(reply.status).toBe(409);
    expect((reply.body as ErrorBody).error.code).toBe('CONFLICT');
    expect(await app.countItems()).toBe(before);
  });

  it('edits and deactivates an entry; an inactive entry leaves the ranked list', async () => {
    const { patient, entry } = await addPatient('Editme');
    const edit = await app.call(
      jsonEvent({
        method: 'PATCH',
        path: `/admin/waitlist/${patient.patientId}/${entry.entryId}`,
        body: { notes: 'prefers mornings', preferences: { providerTypes: ['APP'] } },
        claims: ADMIN_CLAIMS,
      }),
    );
    expect(edit.status, edit.text).toBe(200);
    expect(edit.body).toMatchObject({ notes: 'prefers mornings', preferences: { providerTypes: ['APP'] } });
    const mdOnly = await waitlist('?providerType=MD/DO');
    expect(mdOnly.items.some((r) => r.entryId === entry.entryId)).toBe(false);
    const gone = await post(`/admin/waitlist/${patient.patientId}/${entry.entryId}/deactivate`, {
      reason: 'moved',
    });
    expect(gone.status, gone.text).toBe(200);
    expect(gone.body).toMatchObject({ active: false });
    expect((await waitlist()).items.some((r) => r.entryId === entry.entryId)).toBe(false);
    const again = await post(`/admin/waitlist/${patient.patientId}/${entry.entryId}/deactivate`, {
      reason: 'moved',
    });
    expect(again.status).toBe(409);
  });

  it('records a staff consent change through the engine; an opted-out patient leaves the list', async () => {
    const { patient } = await addPatient('Optout');
    const reply = await post(`/admin/patients/${patient.patientId}/consent`, {
      state: 'OPTED_OUT',
      note: 'asked at the front desk',
    });
    expect(reply.body).toEqual({ changed: true, consent: 'OPTED_OUT' });
    const detail = (await get(`/admin/patients/${patient.patientId}`)).body as PatientDetail;
    expect(detail.patient.consent).toBe('OPTED_OUT');
    expect(detail.consentHistory.map((c) => c.source)).toEqual(['SIGNUP', 'STAFF']);
    expect((await waitlist()).items.some((r) => r.patientId === patient.patientId)).toBe(false);
  });

  it("shows a patient's PAUSE and lets staff lift it (only lift it), audited", async () => {
    const added = await addPatient('Pausing');
    const { patientId } = added.patient;
    const until = new Date(Date.now() + 14 * 86_400_000).toISOString();
    await app.clinic.store.setPausedUntil(patientId, until);
    const detail = (await get(`/admin/patients/${patientId}`)).body as PatientDetail;
    expect(detail.patient.pausedUntil).toBe(until);
    const patch = (body: unknown) =>
      app.call(
        jsonEvent({ method: 'PATCH', path: `/admin/patients/${patientId}`, body, claims: ADMIN_CLAIMS }),
      );
    const before = await app.countItems();
    const refused = await patch({ pausedUntil: '2030-01-01T00:00:00Z' });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/pausedUntil/);
    expect(await app.countItems()).toBe(before);
    const lifted = await patch({ pausedUntil: null });
    expect(lifted.status, lifted.text).toBe(200);
    expect((lifted.body as { pausedUntil?: string }).pausedUntil).toBeUndefined();
    expect((await app.clinic.store.getPatient(patientId))?.pausedUntil).toBeUndefined();
  });

  it('texts a Spanish-speaking patient in Spanish, and staff can correct a patient without touching the phone', async () => {
    const added = await addPatient('Lucia', {}, { sendWelcome: true, language: 'es' });
    expect(added.patient.language).toBe('es');
    expect(added.welcome).toBe('SENT');
    expect(app.twilio.requests.at(-1)?.form.Body).toMatch(/^Lakeside: Ya figura en nuestra lista de espera/);

    const { patientId } = added.patient;
    const patch = (body: unknown) =>
      app.call(
        jsonEvent({ method: 'PATCH', path: `/admin/patients/${patientId}`, body, claims: ADMIN_CLAIMS }),
      );
    const fixed = await patch({ displayName: 'Lucía', familyName: 'Ortega', language: 'en' });
    expect(fixed.status, fixed.text).toBe(200);
    expect(fixed.body).toMatchObject({ displayName: 'Lucía', familyName: 'Ortega', language: 'en' });
    // null clears an optional field; the rest stays as it was.
    const cleared = await patch({ familyName: null });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body).toMatchObject({ displayName: 'Lucía', language: 'en', consent: 'OPTED_IN' });
    expect((cleared.body as { familyName?: string }).familyName).toBeUndefined();

    // A form that sends every field, unchanged, writes and audits nothing new.
    const same = await patch({ displayName: 'Lucía', language: 'en' });
    expect(same.status, same.text).toBe(200);

    const before = await app.countItems();
    for (const body of [
      {},
      { displayName: null },
      { displayName: '' },
      { timeZone: '' },
      { language: null },
    ]) {
      const refused = await patch(body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
    }
    const bad = await patch({ language: 'fr', phone: '+13125550000' });
    expect(bad.status).toBe(400);
    expect((bad.body as ErrorBody).error.fields).toMatchObject({
      language: 'must be en (English) or es (Spanish)',
    });
    const unknown = await app.call(
      jsonEvent({
        method: 'PATCH',
        path: '/admin/patients/01JNOBODY0000000000000000',
        body: { language: 'es' },
        claims: ADMIN_CLAIMS,
      }),
    );
    expect(unknown.status).toBe(404);
    expect(await app.countItems()).toBe(before);

    // The record says which fields changed, never what they now say.
    const records = (await auditToday()).filter(
      (a) => a.action === 'patient.update' && a.recordId === patientId,
    );
    expect(records.map((r) => r.detail?.fields).sort()).toEqual([
      'displayName,familyName,language',
      'familyName',
    ]);
    expect(JSON.stringify(await auditToday())).not.toContain('Ortega');
  });

  it('reveals a full phone number only on request, and audits it', async () => {
    const { patient } = await addPatient('Reveal');
    const masked = (await get(`/admin/patients/${patient.patientId}`)).body as PatientDetail;
    expect(masked.patient.phone).toBeUndefined();
    const revealed = (await get(`/admin/patients/${patient.patientId}?reveal=true`)).body as PatientDetail;
    expect(revealed.patient.phone).toMatch(/^\+1312555\d{4}$/);
    const audit = await auditToday();
    const record = audit.find((a) => a.action === 'patient.reveal-phone' && a.recordId === patient.patientId);
    expect(record).toMatchObject({
      actor: { sub: ADMIN_CLAIMS.sub, email: ADMIN_CLAIMS.email },
      recordType: 'PATIENT',
    });
  });
});

describe('CSV import and export', () => {
  const csv = (rows: string[]) =>
    [
      'phone,display_name,family_name,time_zone,urgent,boost,boost_reason,provider_types,location_ids,visit_types,current_appointment_at,notes',
      ...rows,
    ].join('\r\n');
  const postCsv = (body: string, contentType = 'text/csv') =>
    app.call(
      jsonEvent({ method: 'POST', path: '/admin/waitlist/import', body, contentType, claims: ADMIN_CLAIMS }),
    );

  it('imports a good file', async () => {
    // Columns in any order; `language` is optional and here it comes last.
    const reply = await postCsv(
      [
        'phone,display_name,family_name,time_zone,urgent,boost,boost_reason,provider_types,location_ids,visit_types,current_appointment_at,notes,language',
        '312-555-8001,Ana,Lopez,America/Chicago,yes,5,referral,MD/DO,loc-main,follow-up,2027-06-01T15:00:00Z,"likes ""early"" slots",es',
        '(312) 555-8002,Ben,,,no,,,APP|MD/DO,,,,,',
        "+13125558003,'=Cal,,,,0,,,,,,,",
      ].join('\r\n'),
    );
    expect(reply.status, reply.text).toBe(201);
    expect(reply.body).toEqual({ imported: 3 });
    const names = (await waitlist('?limit=100')).items.map((r) => r.patient?.displayName);
    expect(names).toEqual(expect.arrayContaining(['Ana', 'Ben', '=Cal']));
    const ana = (await waitlist('?limit=100')).items.find(
      (r) => r.patient?.displayName === 'Ana',
    ) as WaitlistRow;
    expect(ana).toMatchObject({ urgent: true, boost: 5, notes: 'likes "early" slots' });
    const detail = (await get(`/admin/patients/${ana.patientId}`)).body as PatientDetail;
    expect(detail.consentHistory[0]).toMatchObject({ source: 'IMPORT', actor: ADMIN_CLAIMS.sub });
    expect(detail.patient.language).toBe('es');
  });

  it('reports every bad row and imports nothing when any row is bad', async () => {
    const before = await app.countItems();
    const reply = await postCsv(
      csv([
        '312-555-8101,Good,,,,,,,,,,',
        'not a phone,Bad,,,,,,,,,,',
        '312-555-8103,,,,maybe,50,,DENTIST,loc-moon,,tomorrow,',
        '312-555-8001,Dup,,,,,,,,,,',
        '312-555-8101,Twice,,,,,,,,,,',
      ]),
    );
    expect(reply.status).toBe(400);
    const error = (reply.body as ErrorBody).error;
    expect(error.code).toBe('VALIDATION');
    const cells = (error.errors ?? []).map((e) => `${e.row}:${e.field}`);
    expect(cells).toEqual(
      expect.arrayContaining([
        '3:phone',
        '4:display_name',
        '4:urgent',
        '4:boost',
        '4:provider_types',
        '4:current_appointment_at',
      ]),
    );
    expect(await app.countItems()).toBe(before);
    // Rows that are fine on their own but collide (with the table, with another row) are caught before
    // anything is written too.
    const collide = await postCsv(
      csv([
        '312-555-8001,Dup,,,,,,,,,,',
        '312-555-8201,A,,,,,,,,,,',
        '3125558201,B,,,,,,,,,,',
        '312-555-8202,C,,,,,,,loc-moon,,,',
      ]),
    );
    expect(collide.status).toBe(400);
    expect(((collide.body as ErrorBody).error.errors ?? []).map((e) => `${e.row}:${e.field}`)).toEqual([
      '2:phone',
      '4:phone',
      '5:location_ids',
    ]);
    expect(await app.countItems()).toBe(before);
  });

  it('undoes a whole import when a write fails part-way (a phone registered by someone else meanwhile)', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => `312-555-${String(7000 + i)},Row${i},,,,,,,,,,`);
    const before = await app.countItems();
    // Another desk registers the last row's phone while the import is writing: real concurrency.
    const { WaitlistStore } = await import('../../shared/adapters/dynamo/waitlist-store.js');
    const desk = new WaitlistStore(app.table.doc, app.table.tableName, 'America/Chicago');
    const [reply, other] = await Promise.allSettled([
      postCsv(csv(rows)),
      new Promise((r) => setTimeout(r, 30)).then(() =>
        desk.createPatient({
          patientId: 'other-desk',
          phone: '+13125557119',
          displayName: 'Other',
          consent: 'OPTED_IN',
          recentOfferTimes: [],
          createdAt: new Date().toISOString(),
        }),
      ),
    ]);
    const importReply = reply.status === 'fulfilled' ? reply.value : undefined;
    const added = (await app.countItems()) - before;
    if (other.status === 'fulfilled') {
      // The other desk won the phone, before the import checked phones (400, nothing written) or while
      // it was writing (409, everything undone): either way nothing of the import remains. Only the
      // other desk's patient and phone pointer stay, plus the audit record of an undo.
      expect([400, 409], importReply?.text).toContain(importReply?.status);
      expect(added).toBe(importReply?.status === 409 ? 3 : 2);
    } else {
      // The import won the phone first: it is complete, and the other desk was refused.
      expect(importReply?.status, importReply?.text).toBe(201);
      expect(importReply?.body).toEqual({ imported: 120 });
    }
  });

  it('refuses a file that is not CSV, clearly', async () => {
    const before = await app.countItems();
    const json = await postCsv('{"phone":"3125550000"}', 'application/json');
    expect(json.status).toBe(415);
    expect((json.body as ErrorBody).error.message).toMatch(/text\/csv/);
    const binary = await postCsv('PK\u0003\u0004\u0000\u0000binary xlsx');
    expect(binary.status).toBe(400);
    expect((binary.body as ErrorBody).error.message).toMatch(/not a waitlist CSV/);
    const prose = await postCsv('Dear team,\nplease add my patients.\n');
    expect(prose.status).toBe(400);
    const ragged = await postCsv(csv(['312-555-8301,Ann', '"unterminated']));
    expect(ragged.status).toBe(400);
    expect((ragged.body as ErrorBody).error.errors?.length).toBeGreaterThan(0);
    const empty = await postCsv('');
    expect(empty.status).toBe(400);
    expect(await app.countItems()).toBe(before);
  });

  it('exports the ranked waitlist as CSV with full phones, guarded against formulas, and audits it', async () => {
    const reply = await get('/admin/waitlist/export');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/csv/);
    const lines = reply.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^phone,display_name,.*,patient_id,entry_id,score,joined_at,consent$/);
    expect(reply.text).toContain('+13125558001');
    expect(reply.text).toContain(",'=Cal,");
    const audit = await auditToday();
    expect(audit.find((a) => a.action === 'waitlist.export')?.detail?.rows).toBe(lines.length - 1);
  });
});

describe('slots', () => {
  let slotId: string;

  it('logs a cancellation, schedules its first batch and shows its offers, texts and timeline', async () => {
    const startAt = DateTime.now().plus({ days: 3 }).startOf('hour').toUTC().toISO() as string;
    const created = await post('/admin/slots', {
      providerId: 'prov-lee',
      locationId: 'loc-main',
      startAt,
      durationMinutes: 30,
      visitType: 'follow-up',
    });
    expect(created.status, created.text).toBe(201);
    const slot = created.body as SlotView;
    slotId = slot.slotId;
    expect(slot).toMatchObject({ status: 'OPEN', loggedBy: ADMIN_CLAIMS.email, startAt });
    expect(app.scheduler.created.map((c) => c.name)).toContain(`slot-${slotId}-b1`);

    const textsBefore = app.twilio.requests.length;
    await app.schedulerTarget({ kind: 'START_BATCH', slotId, batch: 1 });
    expect(app.twilio.requests.length - textsBefore).toBe(3);

    const open = (await get('/admin/slots?status=OPEN')).body as Page<SlotView>;
    expect(open.items.map((s) => s.slotId)).toContain(slotId);
    const detail = (await get(`/admin/slots/${slotId}`)).body as SlotDetail;
    expect(detail.provider?.displayName).toBe('Dr. Lee');
    expect(detail.location?.displayName).toBe('Main St');
    expect(detail.offers).toHaveLength(3);
    expect(detail.offers.every((o) => o.batch === 1 && o.state === 'PENDING' && o.patient)).toBe(true);
    expect(detail.messages).toHaveLength(3);
    expect(detail.messages.every((m) => m.purpose === 'OFFER' && m.deliveryStatus !== 'created')).toBe(true);
    expect(detail.messages.every((m) => /^\*\*\*\d{4}$/.test(m.phoneMasked))).toBe(true);
    expect(JSON.stringify(detail)).not.toMatch(/\+1312/);
    expect(detail.timeline[0]?.kind).toBe('LOGGED');
    expect(detail.timeline.filter((e) => e.kind === 'OFFER_SENT')).toHaveLength(3);
  });

  it('withdraws an open slot and tells the patients holding an offer', async () => {
    const before = app.twilio.requests.length;
    const reply = await post(`/admin/slots/${slotId}/withdraw`);
    expect(reply.status, reply.text).toBe(200);
    expect((reply.body as SlotView).status).toBe('WITHDRAWN');
    expect(app.twilio.requests.length - before).toBe(3);
    // Each patient is told in their own language (the list has Spanish-speaking patients by now).
    const languageByLast4 = new Map(
      (await waitlist('?limit=100')).items.map((r) => [
        r.patient?.phoneMasked.slice(-4),
        r.patient?.language,
      ]),
    );
    for (const request of app.twilio.requests.slice(before)) {
      const language = languageByLast4.get(request.form.To?.slice(-4));
      expect(request.form.Body).toMatch(
        language === 'es' ? /ya no se puede reservar/ : /no longer available/,
      );
    }
    const withdrawn = (await get('/admin/slots?status=WITHDRAWN')).body as Page<SlotView>;
    expect(withdrawn.items.map((s) => s.slotId)).toEqual([slotId]);
    const notBooked = await post(`/admin/slots/${slotId}/booked`);
    expect(notBooked.status).toBe(409);
  });

  it('marks a filled slot booked in the EHR once', async () => {
    // Tomorrow's caps (one offer a day) keep today's offered patients out: boost a fresh one to the top.
    const fresh = await addPatient('Fresh', { urgent: true, boost: 40, boostReason: 'test' });
    const created = await post('/admin/slots', {
      providerId: 'prov-lee',
      locationId: 'loc-main',
      startAt: DateTime.now().plus({ days: 4 }).toUTC().toISO(),
      durationMinutes: 20,
      visitType: 'follow-up',
    });
    const slot = created.body as SlotView;
    await app.schedulerTarget({ kind: 'START_BATCH', slotId: slot.slotId, batch: 1 });
    expect((await app.clinic.engine.claim(fresh.patient.patientId)).kind).toBe('WON');
    const booked = await post(`/admin/slots/${slot.slotId}/booked`);
    expect(booked.status, booked.text).toBe(200);
    expect((booked.body as SlotView).bookedInEhr).toMatchObject({ by: ADMIN_CLAIMS.email });
    expect((await post(`/admin/slots/${slot.slotId}/booked`)).status).toBe(409);
    expect((await post(`/admin/slots/${slot.slotId}/withdraw`)).status).toBe(409);
    const detail = (await get(`/admin/slots/${slot.slotId}`)).body as SlotDetail;
    expect(detail.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['FILLED', 'BOOKED_IN_EHR']));

    // The range is by slot start: these slots start in the next few days.
    const to = DateTime.now().setZone('America/Chicago').plus({ days: 7 }).toISODate();
    const metrics = (await get(`/admin/metrics?to=${to}`)).body as MetricsResponse;
    expect(metrics.slots).toMatchObject({ FILLED: 1, WITHDRAWN: 1 });
    expect(metrics.fillRate).toBe(1);
    expect(metrics.timeToFillMinutes.median).not.toBeNull();
    expect(metrics.smsSent).toBeGreaterThanOrEqual(6);
    expect(metrics.optOuts).toBe(1);
    expectByDayMatchesTotals(metrics);
  });

  it('puts a slot filled late in the clinic evening on its clinic day, not the UTC day', async () => {
    const zone = 'America/Chicago';
    // 22:30 in Chicago is 03:30 or 04:30 UTC the next day.
    const evening = DateTime.now()
      .setZone(zone)
      .plus({ days: 5 })
      .set({ hour: 22, minute: 30 })
      .startOf('minute');
    const clinicDay = evening.toISODate() as string;
    const utcDay = evening.toUTC().toISODate() as string;
    expect(utcDay).not.toBe(clinicDay);
    const late = await addPatient('Late', { urgent: true, boost: 40, boostReason: 'test' });
    const created = await post('/admin/slots', {
      providerId: 'prov-lee',
      locationId: 'loc-main',
      startAt: evening.toUTC().toISO(),
      durationMinutes: 20,
      visitType: 'follow-up',
    });
    expect(created.status, created.text).toBe(201);
    const slot = created.body as SlotView;
    await app.schedulerTarget({ kind: 'START_BATCH', slotId: slot.slotId, batch: 1 });
    expect((await app.clinic.engine.claim(late.patient.patientId)).kind).toBe('WON');

    const reply = await get(`/admin/metrics?from=${clinicDay}&to=${utcDay}`);
    expect(reply.status, reply.text).toBe(200);
    const metrics = reply.body as MetricsResponse;
    expect(metrics.byDay.map((d) => d.date)).toEqual([clinicDay, utcDay]);
    const [onClinicDay, onUtcDay] = metrics.byDay;
    expect(onClinicDay).toMatchObject({ slots: { FILLED: 1 }, filled: 1 });
    expect(onClinicDay?.timeToFillMinutes).toHaveLength(1);
    expect(onUtcDay).toMatchObject({ slots: { FILLED: 0 }, filled: 0, timeToFillMinutes: [] });
    expectByDayMatchesTotals(metrics);

    // Only the clinic day: the slot is in it; only the UTC day: it is not.
    const dayOnly = (await get(`/admin/metrics?from=${clinicDay}&to=${clinicDay}`)).body as MetricsResponse;
    expect(dayOnly.slots.FILLED).toBe(1);
    const nextOnly = (await get(`/admin/metrics?from=${utcDay}&to=${utcDay}`)).body as MetricsResponse;
    expect(nextOnly.slots.FILLED).toBe(0);
  });

  it('lists the message log with masked phones, filtered by last four digits and direction', async () => {
    const all = (await get('/admin/messages?limit=100')).body as Page<MessageView>;
    expect(all.items.length).toBeGreaterThan(5);
    expect(JSON.stringify(all)).not.toMatch(/\+1312/);
    const last4 = all.items[0]?.phoneMasked.slice(-4) as string;
    const filtered = (await get(`/admin/messages?last4=${last4}`)).body as Page<MessageView>;
    expect(filtered.items.length).toBeGreaterThan(0);
    expect(filtered.items.every((m) => m.phoneMasked.endsWith(last4))).toBe(true);
    const inbound = (await get('/admin/messages?direction=INBOUND')).body as Page<MessageView>;
    expect(inbound.items).toEqual([]);
    const paged = (await get('/admin/messages?limit=2')).body as Page<MessageView>;
    const next = (await get(`/admin/messages?limit=2&cursor=${paged.cursor}`)).body as Page<MessageView>;
    expect(next.items[0]?.messageId).not.toBe(paged.items[0]?.messageId);
  });
});

describe('reference data, config and the audit log', () => {
  it('lets admins add and rename providers and locations', async () => {
    const location = await post('/admin/locations', { locationId: 'loc-east', displayName: 'East' });
    expect(location.status, location.text).toBe(201);
    const provider = await post('/admin/providers', {
      providerId: 'prov-kim',
      displayName: 'Dr. Kim',
      providerType: 'MD/DO',
      locationIds: ['loc-east'],
    });
    expect(provider.status, provider.text).toBe(201);
    const renamed = await app.call(
      jsonEvent({
        method: 'PUT',
        path: '/admin/providers/prov-kim',
        body: { displayName: 'Dr. J Kim', providerType: 'MD/DO', locationIds: ['loc-east', 'loc-main'] },
        claims: ADMIN_CLAIMS,
      }),
    );
    expect(renamed.status, renamed.text).toBe(200);
    const list = (await get('/admin/providers')).body as {
      items: Array<{ providerId: string; displayName: string }>;
    };
    expect(list.items.find((p) => p.providerId === 'prov-kim')?.displayName).toBe('Dr. J Kim');
    const locations = (await get('/admin/locations')).body as { items: Array<{ locationId: string }> };
    expect(locations.items.map((l) => l.locationId)).toEqual(
      expect.arrayContaining(['loc-east', 'loc-main']),
    );
  });

  it('retires a provider and a location: no new cancellation may name them, until reinstated', async () => {
    const put = (path: string, body: unknown) =>
      app.call(jsonEvent({ method: 'PUT', path, body, claims: ADMIN_CLAIMS }));
    expect((await post('/admin/locations', { locationId: 'loc-old', displayName: 'Old Wing' })).status).toBe(
      201,
    );
    const kim = { displayName: 'Dr. J Kim', providerType: 'MD/DO', locationIds: ['loc-east', 'loc-main'] };
    expect((await put('/admin/providers/prov-kim', { ...kim, retired: true })).status).toBe(200);
    expect((await put('/admin/locations/loc-old', { displayName: 'Old Wing', retired: true })).status).toBe(
      200,
    );

    const providers = (await get('/admin/providers')).body as {
      items: Array<{ providerId: string; retired?: boolean }>;
    };
    expect(providers.items.find((p) => p.providerId === 'prov-kim')?.retired).toBe(true);
    const before = await app.countItems();
    const slot = (providerId: string, locationId: string) =>
      post('/admin/slots', {
        providerId,
        locationId,
        startAt: DateTime.now().plus({ days: 5 }).startOf('hour').toUTC().toISO(),
        durationMinutes: 30,
        visitType: 'follow-up',
      });
    const refused = await slot('prov-kim', 'loc-main');
    expect(refused.status).toBe(400);
    expect((refused.body as ErrorBody).error.fields).toEqual({ providerId: 'Dr. J Kim is retired' });
    const closedPlace = await slot('prov-lee', 'loc-old');
    expect((closedPlace.body as ErrorBody).error.fields).toEqual({ locationId: 'Old Wing is retired' });
    expect(await app.countItems()).toBe(before);

    const kimNow = async () =>
      (
        (await get('/admin/providers')).body as { items: Array<{ providerId: string; retired?: boolean }> }
      ).items.find((p) => p.providerId === 'prov-kim');
    // An edit that does not mention `retired` (an older screen, a rename) leaves it as it is...
    expect((await put('/admin/providers/prov-kim', { ...kim, displayName: 'Dr. Jo Kim' })).status).toBe(200);
    expect((await kimNow())?.retired).toBe(true);
    // ...and only `retired: false` reinstates.
    expect((await put('/admin/providers/prov-kim', { ...kim, retired: false })).status).toBe(200);
    expect((await kimNow())?.retired).toBeUndefined();
    // The audit says when it changed, and only then.
    const records = (await auditToday()).filter(
      (a) => a.action === 'provider.update' && a.recordId === 'prov-kim',
    );
    const changes = records.filter((r) => r.detail?.retired !== undefined).map((r) => r.detail?.retired);
    expect(changes.sort()).toEqual([false, true]);
    // A new provider cannot be created retired.
    const createdRetired = await post('/admin/providers', { ...kim, providerId: 'prov-gone', retired: true });
    expect(createdRetired.status).toBe(400);
  });

  it('shows the effective settings without secrets', async () => {
    const reply = await get('/admin/config');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ clinicName: 'Lakeside', batchSize: 3, smsProvider: 'twilio' });
    expect(reply.text).not.toContain(process.env.TWILIO_AUTH_TOKEN as string);
    expect(reply.text).not.toContain(process.env.TWILIO_ACCOUNT_SID as string);
  });

  it('audits every change with who, what and which record, and never a phone number or message body', async () => {
    const audit = await auditToday();
    const actions = new Set(audit.map((a) => a.action));
    for (const action of [
      'waitlist.add',
      'waitlist.import',
      'waitlist.export',
      'entry.boost',
      'entry.update',
      'entry.deactivate',
      'patient.consent',
      'patient.reveal-phone',
      'slot.create',
      'slot.withdraw',
      'slot.booked-in-ehr',
      'provider.create',
      'provider.update',
      'location.create',
    ]) {
      expect(actions, action).toContain(action);
    }
    for (const record of audit) {
      expect(record.actor.sub).toBeTruthy();
      expect(record.recordId).toBeTruthy();
      expect(record.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    const items = (await app.allItems()).filter((i) => String(i.pk).startsWith('AUDIT#'));
    expect(items.length).toBe(audit.length);
    const text = JSON.stringify(items);
    expect(text).not.toMatch(/\+?1?312\D?555\D?\d{4}/);
    const bodies = (await app.allItems()).filter((i) => i.entity === 'MESSAGE').map((m) => String(m.body));
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) expect(text).not.toContain(body);
    expect(text).not.toMatch(/Lakeside:/);
    // Staff may not read the audit log.
    const { STAFF_CLAIMS } = await import('../support/admin-events.js');
    expect((await get('/admin/audit', STAFF_CLAIMS)).status).toBe(403);
  });
});

// Last: it adds a slot of its own, which the counts in the tests above do not expect.
describe('sending the next batch early', () => {
  /** A cancellation four days out with Dr. Lee at Main St, plus the fields a case is about. */
  const logSlot = (extra: Record<string, unknown>) =>
    post('/admin/slots', {
      providerId: 'prov-lee',
      locationId: 'loc-main',
      startAt: DateTime.now().plus({ days: 4 }).startOf('hour').toUTC().toISO(),
      durationMinutes: 30,
      visitType: 'follow-up',
      ...extra,
    });

  it('sends the next batch when staff ask, audits it, and refuses once the slot is closed', async () => {
    // Patients offered earlier today are at their daily cap: six who have not been texted yet.
    for (let i = 0; i < 6; i++) await addPatient(`Next${i}`);
    // A slot's own batch size and hold have the clinic settings' bounds.
    const tooBig = await logSlot({ batchSize: 0, holdMinutes: 500 });
    expect(tooBig.status).toBe(400);
    expect((tooBig.body as ErrorBody).error.fields).toEqual({
      batchSize: 'must be 1-50',
      holdMinutes: 'must be 3-240',
    });
    // Within the schema but over the clinic's own limit (MAX_SLOT_BATCH_SIZE, 10 here).
    const overLimit = await logSlot({ batchSize: 20 });
    expect(overLimit.status).toBe(400);
    expect((overLimit.body as ErrorBody).error.fields).toEqual({
      batchSize: "must be a whole number from 1 to 10 (the clinic's limit)",
    });
    const created = await logSlot({ batchSize: 3, holdMinutes: 5 });
    expect(created.status, created.text).toBe(201);
    const id = (created.body as SlotView).slotId;
    const logged = (await auditToday()).find((a) => a.action === 'slot.create' && a.recordId === id);
    expect(logged?.detail).toEqual({ batchSize: 3, holdMinutes: 5 });
    await app.schedulerTarget({ kind: 'START_BATCH', slotId: id, batch: 1 });
    const textsBefore = app.twilio.requests.length;

    // The batch on screen is required, so a stale board cannot skip one.
    expect((await post(`/admin/slots/${id}/next-batch`, {})).status).toBe(400);
    const reply = await post(`/admin/slots/${id}/next-batch`, { afterBatch: 1 });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({ slotId: id, status: 'OPEN', currentBatch: 2 });
    expect(app.twilio.requests.length - textsBefore).toBe(3);
    const record = (await auditToday()).find((a) => a.action === 'slot.next-batch' && a.recordId === id);
    expect(record?.detail).toEqual({ batch: 2 });

    expect((await post(`/admin/slots/${id}/withdraw`)).status).toBe(200);
    const closed = await post(`/admin/slots/${id}/next-batch`, { afterBatch: 2 });
    expect(closed.status).toBe(409);
    expect((closed.body as ErrorBody).error.message).toMatch(/is WITHDRAWN/);
  });
});
