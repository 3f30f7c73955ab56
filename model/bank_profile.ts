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

/** Snapshot form of {@linkcode BankProfile}. */
export interface BankProfileJson {
  demographics: (number | null)[];
  holdings: number[];
  flows: number[];
  flowsAt: number;
  life: (number | null)[];
}

function decode(value: number | null): number {
  return value === null ? Number.NaN : value;
}

function encode(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

/** Demographics, product holdings, money flows and life events of one bank client. */
export class BankProfile {
  readonly demographics: Float64Array;
  /** 1 per held product, indexed like `PRODUCTS`. */
  readonly holdings: Uint8Array;
  /** Decayed sums per spend category, then salary, transfers out and weekend spend. */
  readonly flows: Float32Array;
  #flowsAt: number;
  /** Last time each life event happened (NaN for never), indexed like `LIFE_EVENTS`. */
  readonly life: Float64Array;

  /** Restores from {@linkcode BankProfile.toJSON} output, or starts empty. */
  constructor(json?: BankProfileJson) {
    this.demographics = new Float64Array(DEMOGRAPHICS.length).fill(Number.NaN);
    this.holdings = new Uint8Array(PRODUCTS.length);
    this.flows = new Float32Array(FLOW_SLOTS);
    this.life = new Float64Array(LIFE_EVENTS.length).fill(Number.NaN);
    this.#flowsAt = 0;
    if (!json) return;
    json.demographics.forEach((value, i) => this.demographics[i] = decode(value));
    this.holdings.set(json.holdings.slice(0, PRODUCTS.length));
    this.flows.set(json.flows.slice(0, FLOW_SLOTS));
    this.#flowsAt = json.flowsAt;
    json.life.forEach((value, i) => this.life[i] = decode(value));
  }

  /** Applies one event; returns false when the event carries nothing for the bank profile. */
  apply(event: UserEvent): boolean {
    if (event.type === "profile") return this.#applyProfile(event);
    if (event.type === "operation" && event.value !== undefined) {
      this.#decayTo(event.tsMs);
      const weight = event.tsMs < this.#flowsAt
        ? Math.pow(0.5, (this.#flowsAt - event.tsMs) / SPEND_HALF_LIFE_MS)
        : 1;
      const category = event.item?.category ?? "";
      if (event.value > 0) {
        if (category === "salary") this.flows[SALARY] += event.value * weight;
        return true;
      }
      const amount = -event.value * weight;
      const index = CATEGORY_INDEX.get(category);
      if (index !== undefined) this.flows[index] += amount;
      else if (category === "transfer") this.flows[TRANSFERS] += amount;
      // 1970-01-01 was a Thursday: day 0 → 4 (Sunday = 0, Saturday = 6).
      const weekday = (Math.floor(event.tsMs / DAY_MS) + 4) % 7;
      if (weekday === 0 || weekday === 6) this.flows[WEEKEND] += amount;
      return true;
    }
    return false;
  }

  #applyProfile(event: UserEvent): boolean {
    const key = event.item?.id;
    if (key === undefined) return false;
    const product = PRODUCT_INDEX.get(key);
    if (product !== undefined) {
      this.holdings[product] = event.value === 0 ? 0 : 1;
      return true;
    }
    const life = LIFE_INDEX.get(key);
    if (life !== undefined) {
      if (!(this.life[life] >= event.tsMs)) this.life[life] = event.tsMs;
      return true;
    }
    const field = DEMOGRAPHIC_INDEX.get(key);
    if (field === undefined) return false;
    this.demographics[field] = demographicValue(key as Demographic, event);
    return true;
  }

  #decayTo(atMs: number): void {
    if (atMs <= this.#flowsAt) return;
    if (this.#flowsAt !== 0) {
      const factor = Math.pow(0.5, (atMs - this.#flowsAt) / SPEND_HALF_LIFE_MS);
      for (let i = 0; i < FLOW_SLOTS; i++) this.flows[i] *= factor;
    }
    this.#flowsAt = atMs;
  }

  /** Flows decayed to `atMs` without changing the stored state. */
  flowsAt(atMs: number): Float32Array {
    const copy = Float32Array.from(this.flows);
    if (this.#flowsAt !== 0 && atMs > this.#flowsAt) {
      const factor = Math.pow(0.5, (atMs - this.#flowsAt) / SPEND_HALF_LIFE_MS);
      for (let i = 0; i < copy.length; i++) copy[i] *= factor;
    }
    return copy;
  }

  /** Snapshot form. */
  toJSON(): BankProfileJson {
    return {
      demographics: Array.from(this.demographics, encode),
      holdings: Array.from(this.holdings),
      flows: Array.from(this.flows),
      flowsAt: this.#flowsAt,
      life: Array.from(this.life, encode),
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
