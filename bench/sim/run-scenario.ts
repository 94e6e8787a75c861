import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { ensureTable } from '../../shared/adapters/dynamo/create-table.js';
import { DynamoOfferStore } from '../../shared/adapters/dynamo/dynamo-offer-store.js';
import { WaitlistStore } from '../../shared/adapters/dynamo/waitlist-store.js';
import { InProcessScheduler } from '../../shared/adapters/scheduler/in-process-scheduler.js';
import { InMemorySendBudget, withSendCap } from '../../shared/adapters/twilio/send-cap.js';
import { offerPolicyFrom, parseConfig } from '../../shared/config.js';
import { ValidationError } from '../../shared/domain/errors.js';
import { SmsConversation } from '../../shared/engine/conversation.js';
import { OfferEngine } from '../../shared/engine/offer-engine.js';
import type { OutboundSms, SmsPort, SmsReceipt } from '../../shared/ports.js';
import { EventQueue } from './heap.js';
import { type RunSummary, type SentText, type SlotOutcome, summarise } from './metrics.js';
import { type BehaviourModel, leadMultiplier, type Scenario } from './model.js';
import type { SimPolicy } from './policies.js';
import { hashSeed, hex32, logNormal, mulberry32, pick, streamFor } from './prng.js';
import { CLINIC_ZONE, createWaitlist, type SimPatient } from './waitlist.js';

/**
 * One scenario under one policy: a fresh table on DynamoDB Local, the real engine, conversation and
 * store, the in-process scheduler, and a virtual clock that jumps from event to event (no sleeping).
 * Patients answer through conversation.handleInbound with real bodies; delivery callbacks go through
 * conversation.handleStatus.
 */

/** A Monday: day 0 of every scenario. */
const SCENARIO_START = DateTime.fromISO('2027-01-04T00:00', { zone: CLINIC_ZONE });
const SWEEP_EVERY_MS = 5 * 60_000;
const OFFER_TEXT = /Held till|Vence /;
const YES_BODIES = ['YES', 'Yes', 'yes', 'Yes!'];
const NO_BODIES = ['NO', 'No', 'no'];
const STOP_BODIES = ['STOP', 'Stop', 'stop please'];

type SimEvent =
  | { kind: 'LOG_SLOT'; slotId: string; startAt: string; providerId: string }
  | { kind: 'REPLY'; phone: string; body: string; sid: string; yes: boolean }
  | { kind: 'STATUS'; messageId: string; sid: string; status: 'delivered' | 'undelivered' }
  | { kind: 'SWEEP' };

export interface RunInput {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  model: BehaviourModel;
  scenario: Scenario;
  policy: SimPolicy;
  seed: number;
  tablePrefix?: string;
}

export interface RunResult {
  line: RunSummary & { scenario: string; policy: string };
  /** Per-slot outcomes and texts, for the pooled "ALL" line. */
  outcomes: SlotOutcome[];
  sent: SentText[];
  waitlist: number;
}

function isNight(at: number, zone: string): boolean {
  const hour = DateTime.fromMillis(at, { zone }).hour;
  return hour >= 21 || hour < 8;
}

export async function runScenario(input: RunInput): Promise<RunResult> {
  const { client, doc, model, scenario, policy, seed } = input;
  const tableName = `${input.tablePrefix ?? 'sim'}-${scenario.name}-${policy.name}-${Date.now().toString(36)}`;
  await ensureTable(client, tableName);

  let now = SCENARIO_START.toMillis();
  const clock = () => new Date(now);
  const config = parseConfig({
    ...policy.env,
    TABLE_NAME: tableName,
    CLINIC_NAME: 'Lakeside',
    CLINIC_TIME_ZONE: CLINIC_ZONE,
  });
  const offerPolicy = offerPolicyFrom(config);
  const store = new DynamoOfferStore(doc, tableName);
  const waitlist = new WaitlistStore(doc, tableName, CLINIC_ZONE);
  const scheduler = new InProcessScheduler();
  const queue = new EventQueue<SimEvent>();

  // The waitlist and the slots come from the scenario's own stream: every policy sees the same ones.
  const setupRng = mulberry32(hashSeed(`${seed}|${scenario.name}|setup`));
  await waitlist.putProvider({
    providerId: 'prov-lee',
    displayName: 'Dr. Lee',
    providerType: 'MD/DO',
    locationIds: ['loc-main'],
  });
  await waitlist.putProvider({
    providerId: 'prov-app',
    displayName: 'Sam Ortiz PA',
    providerType: 'APP',
    locationIds: ['loc-main'],
  });
  await waitlist.putLocation({ locationId: 'loc-main', displayName: 'Main St' });
  const setupStarted = Date.now();
  const patients = await createWaitlist({
    waitlist,
    model,
    size: scenario.waitlist,
    rng: setupRng,
    start: SCENARIO_START,
  });
  const byId = new Map(patients.map((p) => [p.patientId, p]));
  if (process.env.SIM_DEBUG) console.error(`setup ${Date.now() - setupStarted} ms`);

  const sent: SentText[] = [];
  let optOuts = 0;
  let errors = 0;

  /** What a patient does with an offer text that reached them. */
  function onOfferDelivered(
    patient: SimPatient,
    slotId: string,
    body: string,
    at: number,
    leadHours: number,
  ) {
    const rng = streamFor(seed, scenario.name, patient.patientId, slotId);
    const { segment } = patient;
    const u = rng();
    let reply: { body: string; yes: boolean } | undefined;
    if (u < model.opt_out_per_offer) reply = { body: pick(rng, STOP_BODIES), yes: false };
    else if (u < model.opt_out_per_offer + model.tapback_instead_of_answer_rate) {
      reply = { body: `Liked “${body}”`, yes: false };
    } else if (rng() < segment.p_answer) {
      const pYes = Math.min(
        1,
        segment.p_yes_given_answer *
          leadMultiplier(model, leadHours) *
          (patient.urgent ? model.urgent_multiplier_on_yes : 1),
      );
      const yes = rng() < pYes;
      reply = { body: pick(rng, yes ? YES_BODIES : NO_BODIES), yes };
    }
    if (!reply) return;
    let delayMin = logNormal(rng, segment.median_reply_min, segment.sigma);
    if (isNight(at + delayMin * 60_000, patient.timeZone)) delayMin *= model.night_reply_delay_multiplier;
    queue.push(at + Math.max(0.1, delayMin) * 60_000, {
      kind: 'REPLY',
      phone: patient.phone,
      body: reply.body,
      sid: `SM${hex32(rng)}`,
      yes: reply.yes,
    });
  }

  const leadOf = new Map<string, number>();
  const simSms: SmsPort = {
    async send(message: OutboundSms): Promise<SmsReceipt> {
      const at = now;
      const offer = OFFER_TEXT.test(message.body);
      sent.push({ at, patientId: message.patientId, offer });
      const rng = streamFor(
        seed,
        scenario.name,
        'delivery',
        message.patientId ?? '',
        message.slotId ?? '',
        message.body,
      );
      const failed = rng() < model.delivery_failure_rate;
      const sid = `SM${hex32(rng)}`;
      queue.push(at + (5 + rng() * 25) * 1000, {
        kind: 'STATUS',
        messageId: message.messageId,
        sid,
        status: failed ? 'undelivered' : 'delivered',
      });
      const patient = message.patientId ? byId.get(message.patientId) : undefined;
      if (!failed && offer && patient && message.slotId) {
        onOfferDelivered(
          patient,
          message.slotId,
          message.body,
          at + 30_000,
          leadOf.get(message.slotId) ?? 24,
        );
      }
      return { providerSid: sid, status: 'queued' };
    },
  };
  const engine = new OfferEngine({
    store,
    scheduler,
    sms: withSendCap(simSms, new InMemorySendBudget(config.MAX_MESSAGES_PER_HOUR), clock),
    clock,
    policy: offerPolicy,
    advanceMode: 'inline',
    ...policy.engine({ store, doc, tableName, policy: offerPolicy }),
  });
  const conversation = new SmsConversation({ store, engine, clock, policy: offerPolicy });
  scheduler.onFire(async (event) => {
    try {
      await engine.handleScheduled(event);
    } catch (error) {
      errors++;
      if (errors <= 5)
        console.error(`[${scenario.name}/${policy.name}] scheduled ${event.kind}: ${String(error)}`);
    }
  });

  // The cancellations: spread over `days` weekdays, logged in clinic hours (or at logged_at_local).
  const days = scenario.days ?? 20;
  const slotIds: string[] = [];
  let lastStart = now;
  for (let i = 0; i < scenario.slots; i++) {
    const dayIndex = Math.floor(setupRng() * days);
    const day = SCENARIO_START.plus({ weeks: Math.floor(dayIndex / 5), days: dayIndex % 5 });
    const [h, m] = scenario.logged_at_local
      ? scenario.logged_at_local.split(':').map(Number)
      : [8 + Math.floor(setupRng() * 9), Math.floor(setupRng() * 60)];
    const loggedAt = day.set({ hour: h ?? 8, minute: m ?? 0 });
    const lead = pick(setupRng, scenario.lead_hours);
    const startMs = Math.ceil(loggedAt.plus({ hours: lead }).toMillis() / 900_000) * 900_000;
    const startAt = new Date(startMs).toISOString();
    const slotId = `01SIM${String(i).padStart(6, '0')}${hex32(setupRng).slice(0, 15).toUpperCase()}`.slice(
      0,
      26,
    );
    leadOf.set(slotId, (startMs - loggedAt.toMillis()) / 3_600_000);
    lastStart = Math.max(lastStart, startMs);
    slotIds.push(slotId);
    queue.push(loggedAt.toMillis(), {
      kind: 'LOG_SLOT',
      slotId,
      startAt,
      providerId: setupRng() < 0.7 ? 'prov-lee' : 'prov-app',
    });
  }
  const firstLog = queue.peekAt() ?? now;
  for (let t = Math.ceil(firstLog / SWEEP_EVERY_MS) * SWEEP_EVERY_MS; t <= lastStart; t += SWEEP_EVERY_MS) {
    queue.push(t, { kind: 'SWEEP' });
  }

  const logged = new Map<string, string>();
  let refused = 0;
  const handle = async (event: SimEvent) => {
    switch (event.kind) {
      case 'LOG_SLOT':
        try {
          await engine.logCancellation({
            slotId: event.slotId,
            providerId: event.providerId,
            locationId: 'loc-main',
            visitType: 'follow-up',
            startAt: event.startAt,
            durationMinutes: 30,
            loggedBy: 'sim',
          });
          logged.set(event.slotId, new Date(now).toISOString());
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          refused++;
        }
        return;
      case 'REPLY': {
        if (/^(stop|STOP|Stop)/.test(event.body)) optOuts++;
        await conversation.handleInbound({ messageSid: event.sid, from: event.phone, body: event.body });
        return;
      }
      case 'STATUS':
        await conversation.handleStatus({
          messageId: event.messageId,
          messageSid: event.sid,
          status: event.status,
          ...(event.status === 'undelivered' ? { errorCode: '30003' } : {}),
        });
        return;
      case 'SWEEP':
        await engine.sweepStalledSlots();
        return;
    }
  };

  // The event loop: the earliest of the next simulated event and the next schedule, then the next.
  for (;;) {
    const nextSim = queue.peekAt();
    const nextSchedule = scheduler.nextAt();
    const nextScheduleMs = nextSchedule ? Date.parse(nextSchedule) : undefined;
    if (nextSim === undefined && nextScheduleMs === undefined) break;
    const at = Math.min(nextSim ?? Number.POSITIVE_INFINITY, nextScheduleMs ?? Number.POSITIVE_INFINITY);
    if (at > lastStart + 24 * 3_600_000) break;
    now = Math.max(now, at);
    if (nextScheduleMs !== undefined && nextScheduleMs <= now) {
      await scheduler.fireDue(new Date(now));
      continue;
    }
    const event = queue.pop();
    if (!event) continue;
    try {
      await handle(event.value);
    } catch (error) {
      errors++;
      if (errors <= 5)
        console.error(`[${scenario.name}/${policy.name}] ${event.value.kind}: ${String(error)}`);
    }
  }

  const outcomes: SlotOutcome[] = [];
  for (const slotId of slotIds) {
    const loggedAt = logged.get(slotId);
    if (!loggedAt) continue;
    const slot = await store.getSlot(slotId);
    if (!slot) continue;
    const winner = slot.filledByPatientId ? byId.get(slot.filledByPatientId) : undefined;
    outcomes.push({
      slotId,
      loggedAt,
      startAt: slot.startAt,
      filledAt: slot.status === 'FILLED' ? slot.filledAt : undefined,
      winnerAppointmentAt: winner?.currentAppointmentAt,
    });
  }
  const summary = summarise({ outcomes, sent, optOuts, waitlist: patients.length, refused, errors });
  if (process.env.SIM_DEBUG) console.error(`[${scenario.name}/${policy.name}] store calls ${store.calls}`);
  if (process.env.SIM_KEEP_TABLES !== '1') {
    const { DeleteTableCommand } = await import('@aws-sdk/client-dynamodb');
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  }
  return {
    line: { scenario: scenario.name, policy: policy.name, ...summary },
    outcomes,
    sent,
    waitlist: patients.length,
  };
}
