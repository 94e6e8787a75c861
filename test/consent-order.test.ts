import { describe, expect, it } from 'vitest';
import { makeClinic } from './support/clinic.js';

/**
 * Consent changes from one phone apply in the order the messages arrived: the last word wins, whatever
 * order the handlers happen to finish in, and a stale read never decides. DynamoDB Local, real
 * concurrency (both messages handled at once), and a forced late handler.
 */
describe('consent follows the last word', () => {
  it('START then STOP handled at the same time, 30 times: the patient ends as their last message said', async () => {
    const clinic = await makeClinic();
    const patient = await clinic.addPatient();
    let t = clinic.clock().getTime();
    const mismatches: string[] = [];
    for (let run = 0; run < 30; run++) {
      const words = run % 2 === 0 ? ['START', 'STOP'] : ['STOP', 'START'];
      const handled: Array<Promise<unknown>> = [];
      for (const [i, body] of words.entries()) {
        // Arrival order: each handler takes its arrival time synchronously, before its first await.
        t += 5;
        clinic.setNow(new Date(t).toISOString());
        handled.push(
          clinic.conversation.handleInbound({ messageSid: `SMrace${run}x${i}`, from: patient.phone, body }),
        );
      }
      await Promise.all(handled);
      const expected = words[1] === 'STOP' ? 'OPTED_OUT' : 'OPTED_IN';
      const consent = (await clinic.store.getPatient(patient.patientId))?.consent;
      if (consent !== expected) mismatches.push(`run ${run}: last word ${words[1]}, consent ${consent}`);
    }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('a STOP handled late loses to a START that arrived after it, and is not confirmed', async () => {
    const clinic = await makeClinic();
    const patient = await clinic.addPatient();
    const arrivedStop = clinic.clock().toISOString();
    const arrivedStart = new Date(clinic.clock().getTime() + 2_000).toISOString();
    // The START's handler runs first (the STOP's Lambda was slow to start).
    clinic.setNow(arrivedStart);
    const start = await clinic.conversation.handleInbound({
      messageSid: 'SMlateStart',
      from: patient.phone,
      body: 'START',
    });
    expect(start.reply).toBeDefined();
    clinic.setNow(arrivedStop);
    const stop = await clinic.conversation.handleInbound({
      messageSid: 'SMlateStop',
      from: patient.phone,
      body: 'STOP',
    });
    expect((await clinic.store.getPatient(patient.patientId))?.consent).toBe('OPTED_IN');
    expect(stop.reply).toBeUndefined();
  });
});
