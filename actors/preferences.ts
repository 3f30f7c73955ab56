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

/**
 * Keys kept per dimension. Six rather than eight keeps an idle actor (with a
 * bank profile) under 2 KB; the weakest keys carry almost no weight anyway.
 */
export const SLOTS_PER_DIMENSION = 6;
/** Keys kept over all dimensions. */
export const PREFERENCE_SLOTS = DIMENSIONS.length * SLOTS_PER_DIMENSION;
/** Numbers a preference set occupies in its storage array: the decay time, then short and long weights. */
export const PREFERENCE_NUMBERS = 1 + 2 * PREFERENCE_SLOTS;
const SLOT_COUNT = PREFERENCE_SLOTS;
// Snapshots written before the slot count shrank hold eight keys per dimension.
const LEGACY_SLOTS_PER_DIMENSION = 8;
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

/**
 * Where a preference set lives: `array[at]` is the decay time, followed by
 * the short-term then the long-term weights; `keys` holds the key of each slot.
 * An actor shares one array of doubles across all its parts (one allocation,
 * no typed-array wrappers). A zero-filled range with null keys is empty.
 */
export interface PreferenceStorage {
  array: number[];
  at: number;
  keys: (string | null)[];
}

/**
 * The preference vectors of one user: a view over {@linkcode PreferenceStorage}.
 * Weights are rounded to float32 on every store, as the snapshot keeps them.
 */
export class Preferences {
  #keys: (string | null)[];
  #numbers: number[];
  #decayedAt: number;
  #short: number;
  #long: number;

  /**
   * With `storage`, a view over it (restored from `json` first when given);
   * without, a standalone set restored from `json` or empty.
   */
  constructor(json?: PreferencesJson, storage?: PreferenceStorage) {
    const store = storage ?? {
      array: new Array<number>(PREFERENCE_NUMBERS).fill(0),
      at: 0,
      keys: new Array<string | null>(SLOT_COUNT).fill(null),
    };
    this.#keys = store.keys;
    this.#numbers = store.array;
    this.#decayedAt = store.at;
    this.#short = store.at + 1;
    this.#long = store.at + 1 + SLOT_COUNT;
    if (json) this.#restore(json);
  }

  #restore(json: PreferencesJson): void {
    let keep: number[];
    if (json.keys.length === SLOT_COUNT) {
      keep = json.keys.map((_, slot) => slot);
    } else if (json.keys.length === DIMENSIONS.length * LEGACY_SLOTS_PER_DIMENSION) {
      keep = strongestLegacySlots(json);
    } else {
      throw new RangeError(`Preferences need ${SLOT_COUNT} slots`);
    }
    const numbers = this.#numbers;
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const from = keep[slot];
      const key = from < 0 ? null : json.keys[from];
      this.#keys[slot] = key === null ? null : intern(key);
      numbers[this.#short + slot] = from < 0 ? 0 : Math.fround(json.short[from]);
      numbers[this.#long + slot] = from < 0 ? 0 : Math.fround(json.long[from]);
    }
    numbers[this.#decayedAt] = json.decayedAt;
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
    const decayedAt = this.#numbers[this.#decayedAt];
    if (atMs > decayedAt) {
      this.decayTo(atMs);
    } else {
      const age = decayedAt - atMs;
      shortWeight *= Math.pow(0.5, age / HALF_LIFE_MS.short);
      longWeight *= Math.pow(0.5, age / HALF_LIFE_MS.long);
    }
    const numbers = this.#numbers;
    for (let d = 0; d < DIMENSIONS.length; d++) {
      const key = values[DIMENSIONS[d]];
      if (key === null) continue;
      const slot = this.#slotFor(d, key);
      numbers[this.#short + slot] = Math.fround(numbers[this.#short + slot] + shortWeight);
      numbers[this.#long + slot] = Math.fround(numbers[this.#long + slot] + longWeight);
    }
  }

  /** Applies exponential decay up to `atMs`. */
  decayTo(atMs: number): void {
    const numbers = this.#numbers;
    const decayedAt = numbers[this.#decayedAt];
    if (decayedAt === 0) {
      numbers[this.#decayedAt] = atMs;
      return;
    }
    const elapsed = atMs - decayedAt;
    if (elapsed <= 0) return;
    const shortFactor = Math.pow(0.5, elapsed / HALF_LIFE_MS.short);
    const longFactor = Math.pow(0.5, elapsed / HALF_LIFE_MS.long);
    for (let i = 0; i < SLOT_COUNT; i++) {
      numbers[this.#short + i] = Math.fround(numbers[this.#short + i] * shortFactor);
      numbers[this.#long + i] = Math.fround(numbers[this.#long + i] * longFactor);
    }
    numbers[this.#decayedAt] = atMs;
  }

  /** The slot holding `key` in dimension `d`, evicting the weakest if full. */
  #slotFor(d: number, key: string): number {
    const start = d * SLOTS_PER_DIMENSION;
    const keys = this.#keys;
    const numbers = this.#numbers;
    let weakest = start;
    for (let i = start; i < start + SLOTS_PER_DIMENSION; i++) {
      const held = keys[i];
      if (held === key) return i;
      if (held === null) {
        keys[i] = intern(key);
        return i;
      }
      if (Math.abs(numbers[this.#long + i]) < Math.abs(numbers[this.#long + weakest])) weakest = i;
    }
    keys[weakest] = intern(key);
    numbers[this.#short + weakest] = 0;
    numbers[this.#long + weakest] = 0;
    return weakest;
  }

  /** Keys of one dimension, strongest long-term weight first. */
  top(dimension: Dimension): WeightedKey[] {
    const d = DIMENSIONS.indexOf(dimension);
    const result: WeightedKey[] = [];
    for (let i = d * SLOTS_PER_DIMENSION; i < (d + 1) * SLOTS_PER_DIMENSION; i++) {
      const key = this.#keys[i];
      if (key !== null) {
        result.push({ key, short: this.#numbers[this.#short + i], long: this.#numbers[this.#long + i] });
      }
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
      short: this.#numbers.slice(this.#short, this.#short + SLOT_COUNT),
      long: this.#numbers.slice(this.#long, this.#long + SLOT_COUNT),
      decayedAt: this.#numbers[this.#decayedAt],
    };
  }
}

/**
 * For a snapshot with eight slots per dimension: the source slot of each of
 * today's slots (-1 for empty), keeping each dimension's strongest keys by
 * long-term weight (the same measure eviction uses) in their original order.
 */
function strongestLegacySlots(json: PreferencesJson): number[] {
  const result: number[] = [];
  for (let d = 0; d < DIMENSIONS.length; d++) {
    const start = d * LEGACY_SLOTS_PER_DIMENSION;
    const held: number[] = [];
    for (let slot = start; slot < start + LEGACY_SLOTS_PER_DIMENSION; slot++) {
      if (json.keys[slot] !== null) held.push(slot);
    }
    const kept = new Set(
      [...held].sort((a, b) => Math.abs(json.long[b]) - Math.abs(json.long[a])).slice(0, SLOTS_PER_DIMENSION),
    );
    const ordered = held.filter((slot) => kept.has(slot));
    for (let i = 0; i < SLOTS_PER_DIMENSION; i++) result.push(ordered[i] ?? -1);
  }
  return result;
}
