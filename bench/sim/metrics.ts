/** What a run measured, in the shape `--json` prints (docs/simulation.md, "Output"). */

export interface SlotOutcome {
  slotId: string;
  loggedAt: string;
  startAt: string;
  /** The winning YES (the slot's filledAt), when it filled. */
  filledAt?: string;
  winnerAppointmentAt?: string;
}

export interface SentText {
  at: number;
  patientId?: string;
  offer: boolean;
}

export interface RunSummary {
  slots: number;
  filled: number;
  filledWithin2h: number;
  minutesToFill: { median: number | null; p90: number | null };
  offerTexts: number;
  outboundTexts: number;
  optOuts: number;
  maxOffersPerPatient7d: number;
  topDecileOfferShare: number;
  medianDaysEarlier: number | null;
  /** Slots the engine refused to log (they start too soon to be offered). */
  refused: number;
  /** Unexpected errors the loop caught (should be 0). */
  errors: number;
}

export function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

const round = (x: number | null, digits = 1) => (x === null ? null : Number(x.toFixed(digits)));

export function summarise(input: {
  outcomes: SlotOutcome[];
  sent: SentText[];
  optOuts: number;
  waitlist: number;
  refused: number;
  errors: number;
}): RunSummary {
  const { outcomes, sent } = input;
  const filled = outcomes.filter((o) => o.filledAt);
  const minutes = filled.map((o) => (Date.parse(o.filledAt as string) - Date.parse(o.loggedAt)) / 60_000);
  const offers = sent.filter((s) => s.offer);
  const perPatient = new Map<string, number[]>();
  for (const s of offers) {
    if (!s.patientId) continue;
    const list = perPatient.get(s.patientId) ?? [];
    list.push(s.at);
    perPatient.set(s.patientId, list);
  }
  let max7d = 0;
  for (const times of perPatient.values()) {
    times.sort((a, b) => a - b);
    let lo = 0;
    for (let hi = 0; hi < times.length; hi++) {
      while ((times[hi] as number) - (times[lo] as number) >= 7 * 86_400_000) lo++;
      max7d = Math.max(max7d, hi - lo + 1);
    }
  }
  const counts = [...perPatient.values()].map((t) => t.length).sort((a, b) => b - a);
  const decile = Math.max(1, Math.ceil(input.waitlist / 10));
  const topDecile = counts.slice(0, decile).reduce((s, c) => s + c, 0);
  const earlier = filled
    .filter((o) => o.winnerAppointmentAt)
    .map((o) => (Date.parse(o.winnerAppointmentAt as string) - Date.parse(o.startAt)) / 86_400_000);
  return {
    slots: outcomes.length,
    filled: filled.length,
    filledWithin2h: minutes.filter((m) => m <= 120).length,
    minutesToFill: { median: round(quantile(minutes, 0.5)), p90: round(quantile(minutes, 0.9)) },
    offerTexts: offers.length,
    outboundTexts: sent.length,
    optOuts: input.optOuts,
    maxOffersPerPatient7d: max7d,
    topDecileOfferShare: offers.length === 0 ? 0 : Number((topDecile / offers.length).toFixed(3)),
    medianDaysEarlier: round(quantile(earlier, 0.5)),
    refused: input.refused,
    errors: input.errors,
  };
}

/** Pools several runs of one policy (the "ALL" line): counts add, quantiles come from all slots. */
export function pool(
  parts: Array<{ outcomes: SlotOutcome[]; sent: SentText[]; summary: RunSummary; waitlist: number }>,
): RunSummary {
  const summary = summarise({
    outcomes: parts.flatMap((p) => p.outcomes),
    sent: [],
    optOuts: parts.reduce((s, p) => s + p.summary.optOuts, 0),
    waitlist: 1,
    refused: parts.reduce((s, p) => s + p.summary.refused, 0),
    errors: parts.reduce((s, p) => s + p.summary.errors, 0),
  });
  const offerTexts = parts.reduce((s, p) => s + p.summary.offerTexts, 0);
  // Patients differ per scenario (each has its own list): the top decile is weighted by offers.
  const topDecile =
    offerTexts === 0
      ? 0
      : parts.reduce((s, p) => s + p.summary.topDecileOfferShare * p.summary.offerTexts, 0) / offerTexts;
  return {
    ...summary,
    offerTexts,
    outboundTexts: parts.reduce((s, p) => s + p.summary.outboundTexts, 0),
    maxOffersPerPatient7d: Math.max(0, ...parts.map((p) => p.summary.maxOffersPerPatient7d)),
    topDecileOfferShare: Number(topDecile.toFixed(3)),
  };
}
