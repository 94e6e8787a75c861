import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { classifyReply } from '../shared/domain/reply-intent.js';
import { makeClinic } from './support/clinic.js';

/**
 * Patients steer by keyword: PAUSE [days], RESUME, STATUS, LEAVE (and PAUSA, REANUDAR, ESTADO,
 * RETIRARME). Keywords never weaken the STOP family. DynamoDB Local, the real conversation and engine.
 */
let n = 0;
const sid = () => `SM${(++n).toString(16).padStart(32, 'a')}`;

describe('keyword classification', () => {
  it.each([
    ['PAUSE', 'PAUSE', undefined],
    ['pause please', 'PAUSE', undefined],
    ['Pause 30', 'PAUSE', 30],
    ['PAUSE 7 days', 'PAUSE', 7],
    ['pausa 10', 'PAUSE', 10],
    ['RESUME', 'RESUME', undefined],
    ['reanudar', 'RESUME', undefined],
    ['STATUS', 'STATUS', undefined],
    ['status?', 'STATUS', undefined],
    ['estado', 'STATUS', undefined],
    ['LEAVE', 'LEAVE', undefined],
    ['retirarme', 'LEAVE', undefined],
  ] as const)('"%s" is %s', (body, intent, days) => {
    const c = classifyReply(body);
    expect(c.intent).toBe(intent);
    expect(c.days).toBe(days);
  });
  it.each(['leave me alone', 'stop, pause', 'PAUSE STOP', 'pause texting me, stop'])(
    'the STOP family still wins: "%s"',
    (body) => {
      expect(classifyReply(body).intent).toBe('OPT_OUT');
    },
  );
  it.each(['I have to leave early', 'what is the status of my referral', 'can I pause my meds'])(
    'words inside a sentence are not keywords: "%s"',
    (body) => {
      expect(['PAUSE', 'RESUME', 'STATUS', 'LEAVE']).not.toContain(classifyReply(body).intent);
    },
  );
});

describe('keywords in the conversation', () => {
  it('PAUSE 30 stops offers until then and says so; RESUME ends it; STATUS says which', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    const patient = await clinic.addPatient();
    const paused = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'PAUSE 30',
    });
    const until = (await clinic.store.getPatient(patient.patientId))?.pausedUntil as string;
    expect(DateTime.fromISO(until).diff(DateTime.fromJSDate(clinic.clock()), 'days').days).toBeCloseTo(30, 0);
    expect(paused.reply).toMatch(/paused until/i);
    expect(paused.reply).toMatch(/RESUME/);
    const status = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'STATUS',
    });
    expect(status.reply).toMatch(/paused until/i);
    expect(status.reply).not.toMatch(/Dr\.|Main St/);
    // No offer while paused.
    const slot = await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    expect(clinic.sms.to(patient.phone)).toHaveLength(0);
    expect((await clinic.store.getSlot(slot.slotId))?.status).toBe('EXPIRED');
    const resumed = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'RESUME',
    });
    expect(resumed.reply).toMatch(/back on/i);
    expect((await clinic.store.getPatient(patient.patientId))?.pausedUntil).toBeUndefined();
    await clinic.engine.logCancellation(clinic.slotInput(50));
    await clinic.advance(3);
    expect(clinic.sms.to(patient.phone)).toHaveLength(1);
  });

  it('PAUSE is capped at 90 days and defaults to 14', async () => {
    const clinic = await makeClinic();
    const patient = await clinic.addPatient();
    await clinic.conversation.handleInbound({ messageSid: sid(), from: patient.phone, body: 'PAUSE 400' });
    const long = (await clinic.store.getPatient(patient.patientId))?.pausedUntil as string;
    expect(Math.round(DateTime.fromISO(long).diff(DateTime.fromJSDate(clinic.clock()), 'days').days)).toBe(
      90,
    );
    await clinic.conversation.handleInbound({ messageSid: sid(), from: patient.phone, body: 'PAUSE' });
    const short = (await clinic.store.getPatient(patient.patientId))?.pausedUntil as string;
    expect(Math.round(DateTime.fromISO(short).diff(DateTime.fromJSDate(clinic.clock()), 'days').days)).toBe(
      14,
    );
  });

  it('LEAVE takes them off the waitlist but keeps consent; STATUS then says so', async () => {
    const clinic = await makeClinic();
    const patient = await clinic.addPatient();
    const left = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'LEAVE',
    });
    expect(left.reply).toMatch(/off (our|the) waitlist/i);
    const after = await clinic.store.getPatient(patient.patientId);
    expect(after?.consent).toBe('OPTED_IN');
    await clinic.engine.logCancellation(clinic.slotInput());
    await clinic.advance(3);
    expect(clinic.sms.to(patient.phone)).toHaveLength(0);
    const status = await clinic.conversation.handleInbound({
      messageSid: sid(),
      from: patient.phone,
      body: 'STATUS',
    });
    expect(status.reply).toMatch(/not on (our|the) waitlist/i);
  });
});
