/**
 * Short- and long-term preference vectors over four dimensions (category,
 * brand, price band, channel) with exponential time decay and weights per
 * event type. Each dimension keeps its strongest few keys, so an actor's
 * memory stays bounded however varied its history.
 *
 * @module
 */

import type { EventType } from "../domain/event.ts";
import { intern } from "./intern.ts";

/** The preference dimensions, in storage order. */
export const DIMENSIONS = ["category", "brand", "priceBand", "channel"] as const;
/** One of {@linkcode DIMENSIONS}. */
export type Dimension = typeof DIMENSIONS[number];

/** Keys kept per dimension. */
export const SLOTS_PER_DIMENSION = 8;
const SLOT_COUNT = DIMENSIONS.length * SLOTS_PER_DIMENSION;
const HOUR_MS = 3_600_000;
/** Half-lives: the short-term vector follows the session, the long-term one the quarter. */
export const HALF_LIFE_MS = { short: 24 * HOUR_MS, long: 30 * 24 * HOUR_MS } as const;

/** How much one event of each type moves the vectors. Feedback is signed by its value. */
export const EVENT_WEIGHTS: Record<EventType, number> = {
  order: 5,
  operation: 3,
  rating: 1,
  view: 1,
  search: 0.5,
  click: 2,
  feedback: 3,
  profile: 0,
};

const PRICE_BANDS = [
  [100, "<100"],
  [500, "100-500"],
  [2_000, "500-2k"],
  [10_000, "2k-10k"],
  [50_000, "10k-50k"],
  [Number.POSITIVE_INFINITY, "50k+"],
] as const;

/** The price band label for an amount. */
export function priceBand(amount: number): string {
  const magnitude = Math.abs(amount);
  for (const [limit, label] of PRICE_BANDS) if (magnitude < limit) return label;
  return PRICE_BANDS[PRICE_BANDS.length - 1][1];
}

/** One weighted key, for summaries. */
export interface WeightedKey {
  key: string;
  short: number;
  long: number;
}

/** Snapshot form of {@linkcode Preferences}. */
export interface PreferencesJson {
  keys: (string | null)[];
  short: number[];
  long: number[];
  decayedAt: number;
}

/** The preference vectors of one user. */
export class Preferences {
  #keys: (string | null)[];
  #short: Float32Array;
  #long: Float32Array;
  #decayedAt: number;

  /** Restores from {@linkcode Preferences.toJSON} output, or starts empty. */
  constructor(json?: PreferencesJson) {
    if (json) {
      if (json.keys.length !== SLOT_COUNT) throw new RangeError("Preferences need 32 slots");
      this.#keys = json.keys.map((key) => key === null ? null : intern(key));
      this.#short = Float32Array.from(json.short);
      this.#long = Float32Array.from(json.long);
      this.#decayedAt = json.decayedAt;
    } else {
      this.#keys = new Array(SLOT_COUNT).fill(null);
      this.#short = new Float32Array(SLOT_COUNT);
      this.#long = new Float32Array(SLOT_COUNT);
      this.#decayedAt = 0;
    }
  }

  /**
   * Moves the vectors toward `values` (one key per dimension, or null) with
   * `weight`, first decaying everything to `atMs`. Negative weights express
   * dislike. Events older than the last decay count at their decayed weight.
   */
  update(values: Record<Dimension, string | null>, weight: number, atMs: number): void {
    if (weight === 0) return;
    let shortWeight = weight;
    let longWeight = weight;
    if (atMs > this.#decayedAt) {
      this.decayTo(atMs);
    } else {
      const age = this.#decayedAt - atMs;
      shortWeight *= Math.pow(0.5, age / HALF_LIFE_MS.short);
      longWeight *= Math.pow(0.5, age / HALF_LIFE_MS.long);
    }
    for (let d = 0; d < DIMENSIONS.length; d++) {
      const key = values[DIMENSIONS[d]];
      if (key === null) continue;
      const slot = this.#slotFor(d, key);
      this.#short[slot] += shortWeight;
      this.#long[slot] += longWeight;
    }
  }

  /** Applies exponential decay up to `atMs`. */
  decayTo(atMs: number): void {
    if (this.#decayedAt === 0) {
      this.#decayedAt = atMs;
      return;
    }
    const elapsed = atMs - this.#decayedAt;
    if (elapsed <= 0) return;
    const shortFactor = Math.pow(0.5, elapsed / HALF_LIFE_MS.short);
    const longFactor = Math.pow(0.5, elapsed / HALF_LIFE_MS.long);
    for (let i = 0; i < SLOT_COUNT; i++) {
      this.#short[i] *= shortFactor;
      this.#long[i] *= longFactor;
    }
    this.#decayedAt = atMs;
  }

  /** The slot holding `key` in dimension `d`, evicting the weakest if full. */
  #slotFor(d: number, key: string): number {
    const start = d * SLOTS_PER_DIMENSION;
    let weakest = start;
    for (let i = start; i < start + SLOTS_PER_DIMENSION; i++) {
      const held = this.#keys[i];
      if (held === key) return i;
      if (held === null) {
        this.#keys[i] = intern(key);
        return i;
      }
      if (Math.abs(this.#long[i]) < Math.abs(this.#long[weakest])) weakest = i;
    }
    this.#keys[weakest] = intern(key);
    this.#short[weakest] = 0;
    this.#long[weakest] = 0;
    return weakest;
  }

  /** Keys of one dimension, strongest long-term weight first. */
  top(dimension: Dimension): WeightedKey[] {
    const d = DIMENSIONS.indexOf(dimension);
    const result: WeightedKey[] = [];
    for (let i = d * SLOTS_PER_DIMENSION; i < (d + 1) * SLOTS_PER_DIMENSION; i++) {
      const key = this.#keys[i];
      if (key !== null) result.push({ key, short: this.#short[i], long: this.#long[i] });
    }
    return result.sort((a, b) => b.long - a.long);
  }

  /**
   * Category priorities in [0, 1]: a blend of the normalised short-term
   * (what the user does now) and long-term (who the user is) weights.
   */
  categoryPriorities(): { category: string; priority: number }[] {
    const top = this.top("category");
    const maxShort = Math.max(1e-9, ...top.map((entry) => Math.max(0, entry.short)));
    const maxLong = Math.max(1e-9, ...top.map((entry) => Math.max(0, entry.long)));
    return top
      .map((entry) => ({
        category: entry.key,
        priority: 0.6 * Math.max(0, entry.short) / maxShort +
          0.4 * Math.max(0, entry.long) / maxLong,
      }))
      .sort((a, b) => b.priority - a.priority);
  }

  /** Snapshot form. */
  toJSON(): PreferencesJson {
    return {
      keys: [...this.#keys],
      short: Array.from(this.#short),
      long: Array.from(this.#long),
      decayedAt: this.#decayedAt,
    };
  }
}
