/**
 * A bounded least-recently-used cache over a `Map` (whose iteration order is insertion order: a hit
 * re-inserts the entry at the end, and eviction takes the first key).
 *
 * @module
 */

/** A map that keeps at most `capacity` entries, evicting the least recently used. */
export class LruCache<K, V> {
  #entries = new Map<K, V>();
  #capacity: number;
  #hits = 0;
  #misses = 0;

  /** `capacity` 0 disables caching. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`Cache capacity must be a non-negative integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  /** The value for `key`, marking it most recently used; undefined on a miss. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Stores `value` as the most recently used entry, evicting the oldest beyond capacity. */
  set(key: K, value: V): void {
    if (this.#capacity === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value as K);
    }
  }

  /** Entries held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Hits and misses since construction. */
  get stats(): { hits: number; misses: number; size: number; capacity: number } {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size, capacity: this.#capacity };
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
  }
}
