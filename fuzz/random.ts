/**
 * Seeded randomness for the fuzz and chaos generators: the same seed gives
 * the same inputs, so a failure can be replayed.
 *
 * @module
 */

/** A random source: uniform floats in [0, 1) and helpers on top. */
export interface Random {
  (): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** One element of `values`. */
  pick<T>(values: readonly T[]): T;
  /** True with probability `p`. */
  chance(p: number): boolean;
}

/** mulberry32: small, fast and good enough to spread test inputs. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (() => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Random;
  next.int = (n) => Math.floor(next() * n);
  next.pick = (values) => values[Math.floor(next() * values.length)];
  next.chance = (p) => next() < p;
  return next;
}
