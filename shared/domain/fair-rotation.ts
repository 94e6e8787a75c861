/**
 * Fair rotation. Ranking alone hands every offer to the same few patients at the top of the list, and
 * patients of products that do this complain that they "never win" (NexHealth rotates toward people not
 * offered recently for that reason). Here, candidates whose scores are within `band` points of the
 * first one of their band count as equals, and among equals the one offered least recently goes first.
 * A clearly higher score (urgent is +30) is never overtaken. Pure: no I/O, no clock.
 */
export interface RotationCandidate {
  score: number;
  /** The patient's latest offer (ISO), if any: earlier (or none) goes first within a band. */
  lastOfferedAt?: string | undefined;
}

/** Band index of each candidate, in rank order: a band starts at the first score more than `band` below. */
export function bandsOf(ranked: readonly RotationCandidate[], band: number): number[] {
  const bands: number[] = [];
  let current = -1;
  let start = Number.POSITIVE_INFINITY;
  for (const candidate of ranked) {
    if (current < 0 || start - candidate.score > band) {
      current++;
      start = candidate.score;
    }
    bands.push(current);
  }
  return bands;
}

/** The candidates reordered: band by band, least recently offered first within a band (stable). */
export function rotateWithinBands<T extends RotationCandidate>(ranked: readonly T[], band: number): T[] {
  if (band <= 0) return [...ranked];
  const bands = bandsOf(ranked, band);
  return ranked
    .map((candidate, i) => ({ candidate, i, band: bands[i] as number }))
    .sort(
      (a, b) =>
        a.band - b.band ||
        (a.candidate.lastOfferedAt ?? '').localeCompare(b.candidate.lastOfferedAt ?? '') ||
        a.i - b.i,
    )
    .map(({ candidate }) => candidate);
}

/**
 * True once the ranked list read so far holds `k` candidates and the band of the k-th is complete (a
 * later row could still belong to it otherwise, and might have waited longer).
 */
export function bandOfKthIsComplete(ranked: readonly RotationCandidate[], k: number, band: number): boolean {
  if (ranked.length < k) return false;
  if (band <= 0) return true;
  const bands = bandsOf(ranked, band);
  return (bands.at(-1) as number) > (bands[k - 1] as number);
}
