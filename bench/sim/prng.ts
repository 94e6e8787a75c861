/**
 * Seeded randomness for the simulator: the same seed gives the same draws. Each patient-and-offer pair
 * gets its own stream (seeded from the run's seed and the pair's ids), so the answers do not depend on
 * the order in which the engine's parallel sends happen to complete.
 */

export type Rng = () => number;

/** xmur3: a 32-bit hash of a string, used to seed streams. */
export function hashSeed(text: string): number {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for simulation. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function streamFor(seed: number, ...parts: string[]): Rng {
  return mulberry32(hashSeed(`${seed}|${parts.join('|')}`));
}

export function standardNormal(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A log-normal draw with the given median and sigma (of the underlying normal). */
export function logNormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * standardNormal(rng));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.min(items.length - 1, Math.floor(rng() * items.length))] as T;
}

/** 32 lowercase hex characters from the stream (a Twilio-shaped sid body). */
export function hex32(rng: Rng): string {
  let out = '';
  for (let i = 0; i < 4; i++)
    out += Math.floor(rng() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  return out;
}
