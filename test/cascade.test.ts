import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { CascadeBackfill } from '../shared/engine/cascade.js';
import { makeClinic } from './support/clinic.js';

/**
 * Cascading backfill: a patient who moves to an earlier slot frees the appointment they held. When
 * staff mark the fill booked in the EHR, that appointment becomes a new cancellation linked to its
 * parent (automatically, or as a one-click suggestion), down a chain whose depth is capped and which
 * never offers its slots to a patient it already moved. DynamoDB Local, the real engine.
 */
type Clinic = Awaited<ReturnType<typeof makeClinic>>;
let n = 0;
const sid = () => `SM${(++n).toString(16).padStart(32, 'c')}`;

function inDays(clinic: Clinic, days: number): string {
  return DateTime.fromJSDate(clinic.clock()).plus({ days }).toUTC().toISO() as string;
}

async function holder(clinic: Clinic, name: string, oldAppointmentInDays: number, boost: number) {
  return clinic.addPatient({
    name,
    boost,
    currentAppointmentAt: inDays(clinic, oldAppointmentInDays),
    currentAppointment: {
      providerId: 'prov-lee',
      locationId: 'loc-main',
      visitType: 'follow-up',
      durationMinutes: 30,
    },
  });
}

async function fill(clinic: Clinic, slotId: string, phone: string) {
  await clinic.advance(3);
  const won = await clinic.conversation.handleInbound({ messageSid: sid(), from: phone, body: 'YES' });
  expect(won.outcome).toBe('WON');
  expect((await clinic.store.getSlot(slotId))?.status).toBe('FILLED');
}

describe('cascading backfill', () => {
  it("a chain of depth 3: each booked fill logs the winner's old appointment, linked to its parent", async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1', MAX_OFFERS_PER_PATIENT_PER_DAY: '3' });
    const cascade = new CascadeBackfill({
      engine: clinic.engine,
      store: clinic.store,
      clock: clinic.clock,
      mode: 'auto',
      maxDepth: 3,
    });
    // Ranked so that each slot's first batch goes to the next patient down the chain.
    const maria = await holder(clinic, 'Maria', 10, 40);
    const sam = await holder(clinic, 'Sam', 20, 30);
    const lee = await holder(clinic, 'Lee', 30, 20);
    const ana = await holder(clinic, 'Ana', 40, 10);

    const a = await clinic.engine.logCancellation(clinic.slotInput(48));
    await fill(clinic, a.slotId, maria.phone);
    const b = await cascade.onBooked(a.slotId, 'staff-1');
    expect(b).toMatchObject({ kind: 'LOGGED' });
    const slotB = await clinic.store.getSlot((b as { slotId: string }).slotId);
    expect(slotB).toMatchObject({
      startAt: maria.entry.currentAppointmentAt,
      providerId: 'prov-lee',
      chain: { rootSlotId: a.slotId, parentSlotId: a.slotId, depth: 1, movedPatientIds: [maria.patientId] },
    });
    expect((await clinic.store.getSlot(a.slotId))?.freedSlotId).toBe(slotB?.slotId);
    // Marking the same fill booked again (a retry) logs nothing more.
    expect(await cascade.onBooked(a.slotId, 'staff-1')).toMatchObject({ kind: 'ALREADY_LOGGED' });

    await fill(clinic, slotB?.slotId as string, sam.phone);
    const c = (await cascade.onBooked(slotB?.slotId as string, 'staff-1')) as {
      kind: string;
      slotId: string;
    };
    await fill(clinic, c.slotId, lee.phone);
    const d = (await cascade.onBooked(c.slotId, 'staff-1')) as { kind: string; slotId: string };
    expect((await clinic.store.getSlot(d.slotId))?.chain).toMatchObject({
      rootSlotId: a.slotId,
      depth: 3,
      movedPatientIds: [maria.patientId, sam.patientId, lee.patientId],
    });
    await fill(clinic, d.slotId, ana.phone);
    // Depth is capped: Ana's old appointment is not logged automatically.
    expect(await cascade.onBooked(d.slotId, 'staff-1')).toMatchObject({ kind: 'DEPTH_CAPPED' });
  });

  it('a slot of a chain is never offered to a patient the chain already moved', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '2', MAX_OFFERS_PER_PATIENT_PER_DAY: '3' });
    const cascade = new CascadeBackfill({
      engine: clinic.engine,
      store: clinic.store,
      clock: clinic.clock,
      mode: 'auto',
      maxDepth: 5,
    });
    const maria = await holder(clinic, 'Maria', 10, 40);
    const other = await clinic.addPatient({ boost: 1, currentAppointmentAt: inDays(clinic, 60) });
    const a = await clinic.engine.logCancellation(clinic.slotInput(48));
    await fill(clinic, a.slotId, maria.phone);
    const b = (await cascade.onBooked(a.slotId, 'staff-1')) as { kind: string; slotId: string };
    expect(b.kind).toBe('LOGGED');
    // Staff put Maria back on the list (she still wants an even earlier visit) before B goes out.
    await clinic.waitlist.putEntry(
      {
        ...maria.entry,
        entryId: `${maria.entry.entryId}x`,
        active: true,
        currentAppointmentAt: inDays(clinic, 60),
      },
      maria,
      clinic.clock().toISOString(),
    );
    await clinic.advance(3);
    const offered = (await clinic.store.listOffers(b.slotId)).map((o) => o.patientId);
    expect(offered).toContain(other.patientId);
    expect(offered).not.toContain(maria.patientId);
  });

  it('ask mode suggests the freed slot for one click; off mode does nothing', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    const maria = await holder(clinic, 'Maria', 10, 40);
    const a = await clinic.engine.logCancellation(clinic.slotInput(48));
    await fill(clinic, a.slotId, maria.phone);
    const off = new CascadeBackfill({
      engine: clinic.engine,
      store: clinic.store,
      clock: clinic.clock,
      mode: 'off',
      maxDepth: 3,
    });
    expect(await off.onBooked(a.slotId, 'staff-1')).toMatchObject({ kind: 'OFF' });
    const ask = new CascadeBackfill({
      engine: clinic.engine,
      store: clinic.store,
      clock: clinic.clock,
      mode: 'ask',
      maxDepth: 3,
    });
    expect(await ask.onBooked(a.slotId, 'staff-1')).toMatchObject({ kind: 'SUGGESTED' });
    expect((await clinic.store.getSlot(a.slotId))?.freedAppointment).toMatchObject({
      startAt: maria.entry.currentAppointmentAt,
      providerId: 'prov-lee',
    });
    const logged = await ask.logFreed(a.slotId, 'staff-2');
    expect(logged).toMatchObject({ kind: 'LOGGED' });
    expect(await ask.logFreed(a.slotId, 'staff-2')).toMatchObject({ kind: 'ALREADY_LOGGED' });
  });

  it('a patient without a recorded old appointment frees nothing', async () => {
    const clinic = await makeClinic({ BATCH_SIZE: '1' });
    const patient = await clinic.addPatient();
    const cascade = new CascadeBackfill({
      engine: clinic.engine,
      store: clinic.store,
      clock: clinic.clock,
      mode: 'auto',
      maxDepth: 3,
    });
    const a = await clinic.engine.logCancellation(clinic.slotInput(48));
    await fill(clinic, a.slotId, patient.phone);
    expect(await cascade.onBooked(a.slotId, 'staff-1')).toMatchObject({ kind: 'NOTHING_FREED' });
  });
});
