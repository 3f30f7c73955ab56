/**
 * The rolling feature window an actor keeps for the models: daily buckets for
 * the last week, weekly buckets for the last quarter, RFM totals and counts per
 * event type. The same definitions serve offline training and the online actor.
 *
 * @module
 */

import { EVENT_TYPES, type EventType } from "../domain/event.ts";

const DAY_MS = 86_400_000;
const DAYS = 7;
const WEEKS = 13;
const TYPE_COUNT = EVENT_TYPES.length;
// Layout of the window's slots (inside the actor's one array of doubles).
const DAY_COUNT = 0;
const DAY_AMOUNT = DAY_COUNT + DAYS;
const WEEK_COUNT = DAY_AMOUNT + DAYS;
const WEEK_AMOUNT = WEEK_COUNT + WEEKS;
const TYPE_COUNTS = WEEK_AMOUNT + WEEKS;
const TOTAL_COUNT = TYPE_COUNTS + TYPE_COUNT;
const TOTAL_AMOUNT = TOTAL_COUNT + 1;
const FIRST_AT = TOTAL_AMOUNT + 1;
const LAST_AT = FIRST_AT + 1;
const ANCHOR_DAY = LAST_AT + 1;
/** Number of slots in a serialized window. */
export const FEATURE_WINDOW_SLOTS = ANCHOR_DAY + 1;

const TYPE_INDEX: Record<string, number> = Object.fromEntries(
  EVENT_TYPES.map((type, index) => [type, index]),
);

/** Aggregates over the trailing `days` (7, 30 or 90). */
export interface WindowAggregate {
  count: number;
  amount: number;
}

/** RFM and windowed aggregates, as the models read them. */
export interface FeatureSummary {
  recencyDays: number | null;
  frequency: number;
  monetary: number;
  tenureDays: number | null;
  last7: WindowAggregate;
  last30: WindowAggregate;
  last90: WindowAggregate;
  /** Last 7 days against the daily average of the last 90; 1 means flat. */
  trend7to90: number;
  countsByType: Record<EventType, number>;
}

/**
 * Where a window's slots live: `FEATURE_WINDOW_SLOTS` doubles of `array` from
 * `at`. An actor keeps all its numbers in one plain array (no typed-array
 * wrappers, which cost about 200 bytes each in Deno).
 */
export interface WindowStorage {
  array: number[];
  at: number;
}

/** A compact rolling window over one user's events: a view over {@linkcode WindowStorage}. */
export class FeatureWindow {
  #array: number[];
  #at: number;

  /**
   * With `storage`, a view over it, first restored from `slots` when given
   * (see {@linkcode FeatureWindow.initialize} for an empty one); without, a
   * standalone window restored from {@linkcode FeatureWindow.toJSON} output or empty.
   */
  constructor(slots?: readonly (number | null)[], storage?: WindowStorage) {
    if (slots && slots.length !== FEATURE_WINDOW_SLOTS) {
      throw new RangeError(`Feature window needs ${FEATURE_WINDOW_SLOTS} slots`);
    }
    this.#array = storage?.array ?? new Array<number>(FEATURE_WINDOW_SLOTS).fill(0);
    this.#at = storage?.at ?? 0;
    if (slots) {
      for (let i = 0; i < FEATURE_WINDOW_SLOTS; i++) this.#array[this.#at + i] = slots[i] ?? Number.NaN;
    } else if (!storage) {
      FeatureWindow.initialize({ array: this.#array, at: 0 });
    }
  }

  /** Writes an empty window into `storage`. */
  static initialize(storage: WindowStorage): void {
    for (let i = 0; i < FEATURE_WINDOW_SLOTS; i++) storage.array[storage.at + i] = 0;
    storage.array[storage.at + FIRST_AT] = Number.NaN;
    storage.array[storage.at + LAST_AT] = Number.NaN;
    storage.array[storage.at + ANCHOR_DAY] = Number.NaN;
  }

  /** Adds one event happening at `atMs` with a money amount (0 if none). */
  add(type: EventType, atMs: number, amount: number): void {
    const slots = this.#array;
    const o = this.#at;
    const day = Math.floor(atMs / DAY_MS);
    if (Number.isNaN(slots[o + ANCHOR_DAY])) slots[o + ANCHOR_DAY] = day;
    if (day > slots[o + ANCHOR_DAY]) this.#advanceTo(day);
    const age = slots[o + ANCHOR_DAY] - day;
    const magnitude = Math.abs(amount);
    if (age < DAYS) {
      const index = day % DAYS;
      slots[o + DAY_COUNT + index] += 1;
      slots[o + DAY_AMOUNT + index] += magnitude;
    }
    if (age < WEEKS * 7) {
      const week = Math.floor(day / 7) % WEEKS;
      slots[o + WEEK_COUNT + week] += 1;
      slots[o + WEEK_AMOUNT + week] += magnitude;
    }
    slots[o + TYPE_COUNTS + TYPE_INDEX[type]] += 1;
    slots[o + TOTAL_COUNT] += 1;
    slots[o + TOTAL_AMOUNT] += magnitude;
    if (!(slots[o + FIRST_AT] <= atMs)) slots[o + FIRST_AT] = atMs;
    if (!(slots[o + LAST_AT] >= atMs)) slots[o + LAST_AT] = atMs;
  }

  /** Clears buckets that fell out of the window when time moved to `day`. */
  #advanceTo(day: number): void {
    const slots = this.#array;
    const o = this.#at;
    const previous = slots[o + ANCHOR_DAY];
    for (let d = previous + 1; d <= day && d <= previous + DAYS; d++) {
      slots[o + DAY_COUNT + (d % DAYS)] = 0;
      slots[o + DAY_AMOUNT + (d % DAYS)] = 0;
    }
    const previousWeek = Math.floor(previous / 7);
    const week = Math.floor(day / 7);
    for (let w = previousWeek + 1; w <= week && w <= previousWeek + WEEKS; w++) {
      slots[o + WEEK_COUNT + (w % WEEKS)] = 0;
      slots[o + WEEK_AMOUNT + (w % WEEKS)] = 0;
    }
    slots[o + ANCHOR_DAY] = day;
  }

  /** Windowed aggregates as seen at `nowMs`. */
  summary(nowMs: number): FeatureSummary {
    const slots = this.#array;
    const o = this.#at;
    const today = Math.floor(nowMs / DAY_MS);
    const aggregate = (days: number): WindowAggregate => {
      let count = 0;
      let amount = 0;
      const anchor = slots[o + ANCHOR_DAY];
      if (Number.isNaN(anchor)) return { count, amount };
      if (days <= DAYS) {
        for (let age = 0; age < DAYS; age++) {
          const day = anchor - age;
          if (today - day >= days || day > today) continue;
          count += slots[o + DAY_COUNT + (day % DAYS)];
          amount += slots[o + DAY_AMOUNT + (day % DAYS)];
        }
        return { count, amount };
      }
      const anchorWeek = Math.floor(anchor / 7);
      const weeks = Math.ceil(days / 7);
      for (let age = 0; age < WEEKS; age++) {
        const week = anchorWeek - age;
        if (Math.floor(today / 7) - week >= weeks || week * 7 > today) continue;
        count += slots[o + WEEK_COUNT + (week % WEEKS)];
        amount += slots[o + WEEK_AMOUNT + (week % WEEKS)];
      }
      return { count, amount };
    };
    const last7 = aggregate(7);
    const last90 = aggregate(90);
    const countsByType = Object.fromEntries(
      EVENT_TYPES.map((type, index) => [type, slots[o + TYPE_COUNTS + index]]),
    ) as Record<EventType, number>;
    const daysSince = (at: number) => Number.isNaN(at) ? null : Math.max(0, (nowMs - at) / DAY_MS);
    return {
      recencyDays: daysSince(slots[o + LAST_AT]),
      frequency: slots[o + TOTAL_COUNT],
      monetary: slots[o + TOTAL_AMOUNT],
      tenureDays: daysSince(slots[o + FIRST_AT]),
      last7,
      last30: aggregate(30),
      last90,
      trend7to90: last90.count === 0 ? 1 : (last7.count / 7) / (last90.count / 91),
      countsByType,
    };
  }

  /** Slots for a snapshot; `null` marks "never" (JSON has no NaN). */
  toJSON(): (number | null)[] {
    const result = new Array<number | null>(FEATURE_WINDOW_SLOTS);
    for (let i = 0; i < FEATURE_WINDOW_SLOTS; i++) {
      const value = this.#array[this.#at + i];
      result[i] = Number.isNaN(value) ? null : value;
    }
    return result;
  }
}
