/**
 * The bank side of a user's state, built only from events so that the actor
 * (online) and the trainer (offline, replaying history) hold exactly the same
 * numbers:
 *
 * - `profile` events set demographics (`item.id` a Santander field such as
 *   `age`, `renta`, `segmento`; numeric in `value`, text in `item.category`),
 *   open or close products (`item.id` a product code, `value` 1 or 0) and mark
 *   life events (`item.id` `life:<event>`);
 * - `operation` events update spending per category, salary and transfers as
 *   exponentially weighted sums with a 30-day half-life.
 *
 * @module
 */

import type { UserEvent } from "../domain/event.ts";
import { LIFE_EVENTS, SPEND_CATEGORIES } from "../datagen/types.ts";
import { PRODUCTS } from "./products.ts";

/** Numeric demographic slots, in storage order. */
export const DEMOGRAPHICS = [
  "age",
  "renta",
  "antiguedad",
  "sexo",
  "ind_actividad_cliente",
  "ind_nuevo",
  "segmento",
  "canal_entrada",
  "indext",
] as const;
/** One of {@linkcode DEMOGRAPHICS}. */
export type Demographic = typeof DEMOGRAPHICS[number];

/** Segment codes (`segmento`), as stored. */
export const SEGMENTS = ["01 - TOP", "02 - PARTICULARES", "03 - UNIVERSITARIO"] as const;
/** The most common acquisition channels; others are coded as "other". */
export const CHANNELS = ["KHE", "KFC", "KAT", "KFA", "KHD"] as const;

const DAY_MS = 86_400_000;
/** Half-life of spending, salary and transfer sums. */
export const SPEND_HALF_LIFE_MS = 30 * DAY_MS;
const PRODUCT_INDEX = new Map(PRODUCTS.map((product, index) => [product.code, index]));
const LIFE_INDEX = new Map<string, number>(LIFE_EVENTS.map((event, index) => [`life:${event}`, index]));
const CATEGORY_INDEX = new Map<string, number>(SPEND_CATEGORIES.map((category, index) => [category, index]));
const DEMOGRAPHIC_INDEX = new Map<string, number>(DEMOGRAPHICS.map((field, index) => [field, index]));
// Flows beyond the spend categories: salary credits, transfers out, weekend spend.
const SALARY = SPEND_CATEGORIES.length;
const TRANSFERS = SALARY + 1;
const WEEKEND = TRANSFERS + 1;
const FLOW_SLOTS = WEEKEND + 1;

// Layout of a profile's one plain array of doubles (typed arrays cost about 200 bytes of
// wrappers each in Deno): decay time, holdings as a bitmask, then demographics, life events, flows.
const FLOWS_AT = 0;
const HOLDINGS = 1;
const DEMOGRAPHICS_AT = 2;
const LIFE_AT = DEMOGRAPHICS_AT + DEMOGRAPHICS.length;
const FLOWS = LIFE_AT + LIFE_EVENTS.length;
/** Numbers in a profile's storage array. */
export const BANK_PROFILE_SLOTS = FLOWS + FLOW_SLOTS;
if (PRODUCTS.length > 30) throw new RangeError("Holdings must fit a 31-bit mask");

/** Snapshot form of {@linkcode BankProfile}. */
export interface BankProfileJson {
  demographics: (number | null)[];
  holdings: number[];
  flows: number[];
  flowsAt: number;
  life: (number | null)[];
}

function decode(value: number | null | undefined): number {
  return value === null || value === undefined ? Number.NaN : value;
}

function encode(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

/**
 * Demographics, product holdings, money flows and life events of one bank
 * client: a view over one plain array of doubles ({@linkcode BankProfile.slots}),
 * which the actor keeps. Flows are rounded to float32 on every store, as the
 * snapshot keeps them.
 */
export class BankProfile {
  #slots: number[];

  /**
   * Restores from {@linkcode BankProfile.toJSON} output, attaches to the slots
   * of an existing profile ({@linkcode BankProfile.slots}), or starts empty.
   */
  constructor(from?: BankProfileJson | number[]) {
    if (Array.isArray(from)) {
      if (from.length !== BANK_PROFILE_SLOTS) {
        throw new RangeError("Bank profile slots have the wrong length");
      }
      this.#slots = from;
      return;
    }
    // Pushing a fraction first makes V8 pick PACKED_DOUBLE_ELEMENTS (8 bytes a number, no later copy).
    const slots: number[] = [];
    for (let i = 0; i < BANK_PROFILE_SLOTS; i++) slots.push(0.5);
    slots.fill(0);
    for (let i = 0; i < DEMOGRAPHICS.length; i++) slots[DEMOGRAPHICS_AT + i] = Number.NaN;
    for (let i = 0; i < LIFE_EVENTS.length; i++) slots[LIFE_AT + i] = Number.NaN;
    this.#slots = slots;
    if (!from) return;
    for (let i = 0; i < DEMOGRAPHICS.length; i++) slots[DEMOGRAPHICS_AT + i] = decode(from.demographics[i]);
    let holdings = 0;
    for (let p = 0; p < PRODUCTS.length; p++) if (from.holdings[p]) holdings |= 1 << p;
    slots[HOLDINGS] = holdings;
    for (let i = 0; i < FLOW_SLOTS; i++) slots[FLOWS + i] = Math.fround(from.flows[i] ?? 0);
    slots[FLOWS_AT] = from.flowsAt;
    for (let i = 0; i < LIFE_EVENTS.length; i++) slots[LIFE_AT + i] = decode(from.life[i]);
  }

  /** The storage array, for the owner to keep and attach to later. */
  get slots(): number[] {
    return this.#slots;
  }

  /** A demographic value (NaN for unknown), indexed like `DEMOGRAPHICS`. */
  demographic(index: number): number {
    return index >= 0 && index < DEMOGRAPHICS.length ? this.#slots[DEMOGRAPHICS_AT + index] : Number.NaN;
  }

  /** 1 when the client holds the product (indexed like `PRODUCTS`), else 0. */
  holds(product: number): number {
    return (this.#slots[HOLDINGS] >>> product) & 1;
  }

  /** Last time a life event happened (NaN for never), indexed like `LIFE_EVENTS`. */
  lifeAt(index: number): number {
    return this.#slots[LIFE_AT + index];
  }

  /** Applies one event; returns false when the event carries nothing for the bank profile. */
  apply(event: UserEvent): boolean {
    if (event.type === "profile") return this.#applyProfile(event);
    if (event.type === "operation" && event.value !== undefined) {
      const slots = this.#slots;
      this.#decayTo(event.tsMs);
      const weight = event.tsMs < slots[FLOWS_AT]
        ? Math.pow(0.5, (slots[FLOWS_AT] - event.tsMs) / SPEND_HALF_LIFE_MS)
        : 1;
      const category = event.item?.category ?? "";
      if (event.value > 0) {
        if (category === "salary") this.#addFlow(SALARY, event.value * weight);
        return true;
      }
      const amount = -event.value * weight;
      const index = CATEGORY_INDEX.get(category);
      if (index !== undefined) this.#addFlow(index, amount);
      else if (category === "transfer") this.#addFlow(TRANSFERS, amount);
      // 1970-01-01 was a Thursday: day 0 → 4 (Sunday = 0, Saturday = 6).
      const weekday = (Math.floor(event.tsMs / DAY_MS) + 4) % 7;
      if (weekday === 0 || weekday === 6) this.#addFlow(WEEKEND, amount);
      return true;
    }
    return false;
  }

  #addFlow(index: number, amount: number): void {
    this.#slots[FLOWS + index] = Math.fround(this.#slots[FLOWS + index] + amount);
  }

  #applyProfile(event: UserEvent): boolean {
    const key = event.item?.id;
    if (key === undefined) return false;
    const slots = this.#slots;
    const product = PRODUCT_INDEX.get(key);
    if (product !== undefined) {
      slots[HOLDINGS] = event.value === 0
        ? slots[HOLDINGS] & ~(1 << product)
        : slots[HOLDINGS] | (1 << product);
      return true;
    }
    const life = LIFE_INDEX.get(key);
    if (life !== undefined) {
      if (!(slots[LIFE_AT + life] >= event.tsMs)) slots[LIFE_AT + life] = event.tsMs;
      return true;
    }
    const field = DEMOGRAPHIC_INDEX.get(key);
    if (field === undefined) return false;
    slots[DEMOGRAPHICS_AT + field] = demographicValue(key as Demographic, event);
    return true;
  }

  #decayTo(atMs: number): void {
    const slots = this.#slots;
    if (atMs <= slots[FLOWS_AT]) return;
    if (slots[FLOWS_AT] !== 0) {
      const factor = Math.pow(0.5, (atMs - slots[FLOWS_AT]) / SPEND_HALF_LIFE_MS);
      for (let i = 0; i < FLOW_SLOTS; i++) slots[FLOWS + i] = Math.fround(slots[FLOWS + i] * factor);
    }
    slots[FLOWS_AT] = atMs;
  }

  /**
   * Flows decayed to `atMs` without changing the stored state: spend per
   * category, then salary, transfers out and weekend spend.
   */
  flowsAt(atMs: number): Float32Array {
    const slots = this.#slots;
    const copy = new Float32Array(FLOW_SLOTS);
    for (let i = 0; i < FLOW_SLOTS; i++) copy[i] = slots[FLOWS + i];
    if (slots[FLOWS_AT] !== 0 && atMs > slots[FLOWS_AT]) {
      const factor = Math.pow(0.5, (atMs - slots[FLOWS_AT]) / SPEND_HALF_LIFE_MS);
      for (let i = 0; i < copy.length; i++) copy[i] *= factor;
    }
    return copy;
  }

  /** Snapshot form. */
  toJSON(): BankProfileJson {
    const slots = this.#slots;
    return {
      demographics: slots.slice(DEMOGRAPHICS_AT, DEMOGRAPHICS_AT + DEMOGRAPHICS.length).map(encode),
      holdings: PRODUCTS.map((_, p) => this.holds(p)),
      flows: slots.slice(FLOWS, FLOWS + FLOW_SLOTS),
      flowsAt: slots[FLOWS_AT],
      life: slots.slice(LIFE_AT, LIFE_AT + LIFE_EVENTS.length).map(encode),
    };
  }
}

/** Codes a demographic field from a profile event (text in `item.category`, numbers in `value`). */
function demographicValue(field: Demographic, event: UserEvent): number {
  const text = event.item?.category;
  switch (field) {
    case "sexo":
      return text === "V" ? 1 : text === "H" ? 0 : Number.NaN;
    case "segmento": {
      const index = SEGMENTS.indexOf(text as typeof SEGMENTS[number]);
      return index < 0 ? Number.NaN : index;
    }
    case "canal_entrada": {
      if (text === undefined || text === "") return Number.NaN;
      const index = CHANNELS.indexOf(text as typeof CHANNELS[number]);
      return index < 0 ? CHANNELS.length : index;
    }
    case "indext":
      return text === "S" ? 1 : text === "N" ? 0 : event.value ?? Number.NaN;
    default:
      return event.value ?? Number.NaN;
  }
}
