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
// Layout of the single Float64Array (one allocation per actor).
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

/** A compact rolling window over one user's events. */
export class FeatureWindow {
  #slots: Float64Array;

  /** Restores from {@linkcode FeatureWindow.toJSON} output, or starts empty. */
  constructor(slots?: readonly (number | null)[]) {
    this.#slots = new Float64Array(FEATURE_WINDOW_SLOTS);
    if (slots) {
      if (slots.length !== FEATURE_WINDOW_SLOTS) {
        throw new RangeError(`Feature window needs ${FEATURE_WINDOW_SLOTS} slots`);
      }
      for (let i = 0; i < FEATURE_WINDOW_SLOTS; i++) this.#slots[i] = slots[i] ?? Number.NaN;
    } else {
      this.#slots[FIRST_AT] = Number.NaN;
      this.#slots[LAST_AT] = Number.NaN;
      this.#slots[ANCHOR_DAY] = Number.NaN;
    }
  }

  /** Adds one event happening at `atMs` with a money amount (0 if none). */
  add(type: EventType, atMs: number, amount: number): void {
    const slots = this.#slots;
    const day = Math.floor(atMs / DAY_MS);
    if (Number.isNaN(slots[ANCHOR_DAY])) slots[ANCHOR_DAY] = day;
    if (day > slots[ANCHOR_DAY]) this.#advanceTo(day);
    const age = slots[ANCHOR_DAY] - day;
    const magnitude = Math.abs(amount);
    if (age < DAYS) {
      const index = day % DAYS;
      slots[DAY_COUNT + index] += 1;
      slots[DAY_AMOUNT + index] += magnitude;
    }
    if (age < WEEKS * 7) {
      const week = Math.floor(day / 7) % WEEKS;
      slots[WEEK_COUNT + week] += 1;
      slots[WEEK_AMOUNT + week] += magnitude;
    }
    slots[TYPE_COUNTS + TYPE_INDEX[type]] += 1;
    slots[TOTAL_COUNT] += 1;
    slots[TOTAL_AMOUNT] += magnitude;
    if (!(slots[FIRST_AT] <= atMs)) slots[FIRST_AT] = atMs;
    if (!(slots[LAST_AT] >= atMs)) slots[LAST_AT] = atMs;
  }

  /** Clears buckets that fell out of the window when time moved to `day`. */
  #advanceTo(day: number): void {
    const slots = this.#slots;
    const previous = slots[ANCHOR_DAY];
    for (let d = previous + 1; d <= day && d <= previous + DAYS; d++) {
      slots[DAY_COUNT + (d % DAYS)] = 0;
      slots[DAY_AMOUNT + (d % DAYS)] = 0;
    }
    const previousWeek = Math.floor(previous / 7);
    const week = Math.floor(day / 7);
    for (let w = previousWeek + 1; w <= week && w <= previousWeek + WEEKS; w++) {
      slots[WEEK_COUNT + (w % WEEKS)] = 0;
      slots[WEEK_AMOUNT + (w % WEEKS)] = 0;
    }
    slots[ANCHOR_DAY] = day;
  }

  /** Windowed aggregates as seen at `nowMs`. */
  summary(nowMs: number): FeatureSummary {
    const slots = this.#slots;
    const today = Math.floor(nowMs / DAY_MS);
    const aggregate = (days: number): WindowAggregate => {
      let count = 0;
      let amount = 0;
      const anchor = slots[ANCHOR_DAY];
      if (Number.isNaN(anchor)) return { count, amount };
      if (days <= DAYS) {
        for (let age = 0; age < DAYS; age++) {
          const day = anchor - age;
          if (today - day >= days || day > today) continue;
          count += slots[DAY_COUNT + (day % DAYS)];
          amount += slots[DAY_AMOUNT + (day % DAYS)];
        }
        return { count, amount };
      }
      const anchorWeek = Math.floor(anchor / 7);
      const weeks = Math.ceil(days / 7);
      for (let age = 0; age < WEEKS; age++) {
        const week = anchorWeek - age;
        if (Math.floor(today / 7) - week >= weeks || week * 7 > today) continue;
        count += slots[WEEK_COUNT + (week % WEEKS)];
        amount += slots[WEEK_AMOUNT + (week % WEEKS)];
      }
      return { count, amount };
    };
    const last7 = aggregate(7);
    const last90 = aggregate(90);
    const countsByType = Object.fromEntries(
      EVENT_TYPES.map((type, index) => [type, slots[TYPE_COUNTS + index]]),
    ) as Record<EventType, number>;
    const daysSince = (at: number) => Number.isNaN(at) ? null : Math.max(0, (nowMs - at) / DAY_MS);
    return {
      recencyDays: daysSince(slots[LAST_AT]),
      frequency: slots[TOTAL_COUNT],
      monetary: slots[TOTAL_AMOUNT],
      tenureDays: daysSince(slots[FIRST_AT]),
      last7,
      last30: aggregate(30),
      last90,
      trend7to90: last90.count === 0 ? 1 : (last7.count / 7) / (last90.count / 91),
      countsByType,
    };
  }

  /** Slots for a snapshot; `null` marks "never" (JSON has no NaN). */
  toJSON(): (number | null)[] {
    return Array.from(this.#slots, (value) => Number.isNaN(value) ? null : value);
  }
}
