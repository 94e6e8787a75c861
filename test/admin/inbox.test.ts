import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminStore } from '../../shared/adapters/dynamo/admin-store.js';
import { InboxStore } from '../../shared/adapters/dynamo/inbox-store.js';
import type {
  AuditRecord,
  CreateWaitlistResponse,
  ErrorBody,
  InboxCount,
  InboxItemView,
  InboxPage,
  InboxReplyResponse,
  MessageView,
  Page,
} from '../../shared/admin/contract.js';
import { inboxUseCases } from '../../shared/admin/inbox-service.js';
import { ConflictError } from '../../shared/domain/errors.js';
import { ADMIN_CLAIMS, jsonEvent, STAFF_CLAIMS } from '../support/admin-events.js';
import { makeClinic, ZONE } from '../support/clinic.js';
import { type AdminApp, startAdminApp } from './support/admin-app.js';

/**
 * The staff inbox through the real admin handler on DynamoDB Local: a patient's question is listed with
 * its thread and counted, staff answer it by SMS (through the fake Twilio API) and close it; refusals
 * (opted out, bad input) write and send nothing. Quiet hours are checked on the use case with a clock.
 */

let app: AdminApp;
let n = 0;
const sid = () => `SM${(++n).toString(16).padStart(32, 'a')}`;

const get = (path: string) => app.call(jsonEvent({ method: 'GET', path, claims: STAFF_CLAIMS }));
const post = (path: string, body?: unknown) =>
  app.call(jsonEvent({ method: 'POST', path, body, claims: STAFF_CLAIMS }));

async function addPatient(name: string, last4: string) {
  const reply = await post('/admin/waitlist', {
    patient: { phone: `(312) 555-${last4}`, displayName: name, consentSource: 'VERBAL' },
    entry: {},
  });
  expect(reply.status, reply.text).toBe(201);
  return { ...(reply.body as CreateWaitlistResponse).patient, phone: `+1312555${last4}` };
}

async function inbox(query = ''): Promise<InboxPage> {
  const reply = await get(`/admin/inbox${query}`);
  expect(reply.status, reply.text).toBe(200);
  return reply.body as InboxPage;
}

async function audit(): Promise<AuditRecord[]> {
  const reply = await app.call(
    jsonEvent({ method: 'GET', path: '/admin/audit?limit=100', claims: ADMIN_CLAIMS }),
  );
  return (reply.body as Page<AuditRecord>).items;
}

beforeAll(async () => {
  app = await startAdminApp();
});
afterAll(async () => {
  await app?.close();
});

describe('GET /admin/inbox, reply, handled', () => {
  it('lists a question with the patient, message and thread; staff answer it by SMS and close it', async () => {
    const maria = await addPatient('Maria', '7101');
    const received = await app.clinic.conversation.handleInbound({
      messageSid: sid(),
      from: maria.phone,
      body: 'Is there parking at the clinic?',
    });
    const messageId = `in-SM${n.toString(16).padStart(32, 'a')}`;
    expect(received.outcome).not.toBe('WON');

    const page = await inbox();
    expect(page.open).toBe(1);
    expect(page.items).toHaveLength(1);
    const item = page.items[0] as InboxItemView;
    expect(item).toMatchObject({
      messageId,
      reason: 'UNKNOWN_REPLY',
      status: 'OPEN',
      patient: { patientId: maria.patientId, displayName: 'Maria', phoneMasked: '***7101' },
      message: { direction: 'INBOUND', body: 'Is there parking at the clinic?', phoneMasked: '***7101' },
    });
    expect(JSON.stringify(item)).not.toContain('+13125557101');
    expect(item.thread.map((m) => m.messageId)).toContain(messageId);
    expect(((await get('/admin/inbox/count')).body as InboxCount).open).toBe(1);

    const textsBefore = app.twilio.requests.length;
    const answer = await post(`/admin/inbox/${messageId}/reply`, {
      body: 'Yes, free parking behind the building.',
    });
    expect(answer.status, answer.text).toBe(200);
    const sent = (answer.body as InboxReplyResponse).message;
    expect(sent).toMatchObject({ direction: 'OUTBOUND', purpose: 'STAFF_REPLY', patientId: maria.patientId });
    expect(app.twilio.requests.length).toBe(textsBefore + 1);
    expect(app.twilio.requests.at(-1)?.form).toMatchObject({
      To: maria.phone,
      Body: 'Yes, free parking behind the building.',
    });

    // The reply is in the thread, on the item and on the patient page.
    const again = (await inbox()).items[0] as InboxItemView;
    expect(again.thread.at(-1)).toMatchObject({ messageId: sent.messageId, body: sent.body });
    const patientThread = (await get(`/admin/patients/${maria.patientId}/messages`)).body as {
      items: MessageView[];
    };
    expect(patientThread.items.map((m) => m.direction)).toEqual(
      expect.arrayContaining(['INBOUND', 'OUTBOUND']),
    );
    expect(patientThread.items.at(-1)?.messageId).toBe(sent.messageId);

    const closed = await post(`/admin/inbox/${messageId}/handled`, { note: 'Told her about the lot' });
    expect(closed.status, closed.text).toBe(200);
    expect(closed.body).toMatchObject({ status: 'HANDLED', handledBy: STAFF_CLAIMS.email });
    expect((await inbox()).items).toHaveLength(0);
    expect((await inbox()).open).toBe(0);
    const handled = await inbox('?status=HANDLED');
    expect(handled.items[0]).toMatchObject({ messageId, note: 'Told her about the lot' });

    // A second close is a conflict that names who closed it.
    const twice = await post(`/admin/inbox/${messageId}/handled`, {});
    expect(twice.status).toBe(409);
    expect((twice.body as ErrorBody).error.message).toContain(STAFF_CLAIMS.email);

    // Audited: who and when, never the body or the note.
    const records = (await audit()).filter((r) => r.action.startsWith('inbox.'));
    expect(records.map((r) => r.action).sort()).toEqual(['inbox.handled', 'inbox.reply']);
    for (const record of records) {
      expect(record).toMatchObject({
        recordType: 'INBOX',
        recordId: messageId,
        actor: { sub: STAFF_CLAIMS.sub },
      });
      expect(JSON.stringify(record)).not.toMatch(/parking|lot|Maria|7101/);
    }
  });

  it('refuses to text a patient who opted out (409 with the reason), and sends nothing', async () => {
    const pat = await addPatient('Pat', '7102');
    await app.clinic.conversation.handleInbound({ messageSid: sid(), from: pat.phone, body: 'wrong number' });
    const item = (await inbox()).items.find((i) => i.patient?.patientId === pat.patientId);
    expect(item).toMatchObject({
      reason: 'WRONG_NUMBER',
      patient: { consent: 'OPTED_OUT', numberMayBeReassigned: { at: expect.any(String) } },
    });
    const textsBefore = app.twilio.requests.length;
    const refused = await post(`/admin/inbox/${item?.messageId}/reply`, { body: 'Sorry about that.' });
    expect(refused.status).toBe(409);
    expect((refused.body as ErrorBody).error.message).toMatch(/opted out/);
    expect(app.twilio.requests.length).toBe(textsBefore);
    await post(`/admin/inbox/${item?.messageId}/handled`, {});
  });

  it('answers bad input with a 400 naming the field and writes nothing', async () => {
    const lee = await addPatient('Lee', '7103');
    await app.clinic.conversation.handleInbound({ messageSid: sid(), from: lee.phone, body: 'what time?' });
    const item = (await inbox()).items[0] as InboxItemView;
    const itemsBefore = await app.countItems();
    const textsBefore = app.twilio.requests.length;
    const cases: Array<[string, unknown, string]> = [
      ['reply', {}, 'body'],
      ['reply', { body: '   ' }, 'body'],
      ['reply', { body: 42 }, 'body'],
      ['reply', { body: 'x'.repeat(613) }, 'body'],
      ['reply', { body: 'hi\u0007' }, 'body'],
      ['reply', { body: 'hi', to: '+13125550000' }, 'to'],
      ['handled', { note: 7 }, 'note'],
      ['handled', { note: 'x'.repeat(501) }, 'note'],
      ['handled', { status: 'OPEN' }, 'status'],
    ];
    for (const [action, body, field] of cases) {
      const reply = await post(`/admin/inbox/${item.messageId}/${action}`, body);
      expect(reply.status, `${action} ${JSON.stringify(body)}`).toBe(400);
      expect(Object.keys((reply.body as ErrorBody).error.fields ?? {})).toContain(field);
    }
    const badId = await post('/admin/inbox/in-SM%20x/reply', { body: 'hi' });
    expect(badId.status).toBe(400);
    expect((badId.body as ErrorBody).error.fields).toHaveProperty('messageId');
    expect((await post('/admin/inbox/in-SMnope/reply', { body: 'hi' })).status).toBe(404);
    expect((await post('/admin/inbox/in-SMnope/handled', {})).status).toBe(404);
    const badQuery = await get('/admin/inbox?status=CLOSED');
    expect(badQuery.status).toBe(400);
    expect((badQuery.body as ErrorBody).error.fields).toHaveProperty('status');
    expect((await get('/admin/inbox?cursor=bm90LWEta2V5')).status).toBe(400);
    expect(await app.countItems()).toBe(itemsBefore);
    expect(app.twilio.requests.length).toBe(textsBefore);
  });

  it('pages newest first with opaque cursors', async () => {
    const kim = await addPatient('Kim', '7104');
    for (const body of ['first question?', 'second question?', 'third question?']) {
      await app.clinic.conversation.handleInbound({ messageSid: sid(), from: kim.phone, body });
    }
    const first = await inbox('?limit=2');
    const seen = first.items.map((i) => i.message?.body);
    expect(first.cursor).toBeDefined();
    const rest = await inbox(`?limit=2&cursor=${first.cursor}`);
    seen.push(...rest.items.map((i) => i.message?.body));
    expect(seen.slice(0, 3)).toEqual(['third question?', 'second question?', 'first question?']);
  });
});

describe('quiet hours for a staff reply', () => {
  it('a reply goes at night only as a direct answer (message under 15 minutes old)', async () => {
    const clinic = await makeClinic();
    const admin = new AdminStore(clinic.doc, clinic.tableName);
    const useCases = inboxUseCases({
      inbox: new InboxStore(clinic.doc, clinic.tableName),
      admin,
      store: clinic.store,
      engine: clinic.engine,
      policy: clinic.policy,
      clock: clinic.clock,
    });
    const patient = await clinic.addPatient({ name: 'Ana' });
    // 22:30 in Chicago: outside every window.
    clinic.setNow(DateTime.fromISO('2026-11-24T22:30', { zone: ZONE }).toUTC().toISO() as string);
    await clinic.conversation.handleInbound({ messageSid: sid(), from: patient.phone, body: 'is it free?' });
    const messageId = `in-SM${n.toString(16).padStart(32, 'a')}`;
    const actor = { sub: 'staff-1' };
    const audits: string[] = [];
    const audit = async (action: string) => void audits.push(action);
    const reply = (body: string) =>
      useCases.reply({ params: { messageId }, body: { body }, query: undefined }, actor, audit);

    await clinic.advance(10);
    await expect(reply('Yes, it is covered.')).resolves.toMatchObject({
      message: { purpose: 'STAFF_REPLY' },
    });
    await clinic.advance(10);
    const sentBefore = clinic.sms.sent.length;
    await expect(reply('One more thing')).rejects.toThrow(ConflictError);
    await expect(reply('One more thing')).rejects.toThrow(/quiet hours.*from Wed 25 Nov 08:00/);
    expect(clinic.sms.sent.length).toBe(sentBefore);
    clinic.setNow(DateTime.fromISO('2026-11-25T09:00', { zone: ZONE }).toUTC().toISO() as string);
    await expect(reply('One more thing')).resolves.toBeDefined();
    expect(audits).toEqual(['inbox.reply', 'inbox.reply']);
  });
});
