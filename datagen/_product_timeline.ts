/**
 * One client's product holdings over time: the initial holdings plus dated
 * openings and closings, from life events, month-to-month churn at the real
 * sample's rates, and campaign conversions.
 *
 * @module
 */

import type { UserEventWriter } from "./_timed_event.ts";
import type { Calibration } from "./calibration.ts";
import type { Random } from "./random.ts";
import { SANTANDER_PRODUCT_COLUMNS } from "./santander_csv.ts";

interface Change {
  ms: number;
  value: 0 | 1;
}

/** Holdings as a function of time. */
export class ProductTimeline {
  #initial: Record<string, 0 | 1>;
  #changes = new Map<string, Change[]>();

  /** Starts from the holdings at the beginning of the history. */
  constructor(initial: Record<string, 0 | 1>) {
    this.#initial = initial;
  }

  /** Whether `product` is held at `ms`. */
  holds(product: string, ms: number): boolean {
    const changes = this.#changes.get(product);
    let value = this.#initial[product] ?? 0;
    if (changes) {
      for (const change of changes) {
        if (change.ms > ms) break;
        value = change.value;
      }
    }
    return value === 1;
  }

  /** Opens (1) or closes (0) `product` at `ms`; a no-op when it is already so. */
  set(product: string, ms: number, value: 0 | 1): void {
    if (this.holds(product, ms) === (value === 1)) return;
    const changes = this.#changes.get(product) ?? [];
    changes.push({ ms, value });
    changes.sort((a, b) => a.ms - b.ms);
    this.#changes.set(product, changes);
  }

  /** The 24 Santander flags at `ms`. */
  snapshot(ms: number): Record<string, 0 | 1> {
    const out: Record<string, 0 | 1> = {};
    for (const product of SANTANDER_PRODUCT_COLUMNS) out[product] = this.holds(product, ms) ? 1 : 0;
    return out;
  }

  /** Month-to-month additions and removals at the calibrated rates between consecutive `monthMs`. */
  evolve(rng: Random, calibration: Calibration, monthMs: readonly number[]): void {
    for (let i = 1; i < monthMs.length; i++) {
      for (const product of SANTANDER_PRODUCT_COLUMNS) {
        const held = this.holds(product, monthMs[i - 1]);
        const rate = held ? calibration.removalRates[product] : calibration.additionRates[product];
        if (rate > 0 && rng.bernoulli(rate)) {
          this.set(product, Math.floor(rng.uniform(monthMs[i - 1] + 60_000, monthMs[i])), held ? 0 : 1);
        }
      }
    }
  }

  /** Emits every change up to `endMs` as a `profile` event (`item.id` the product, value 1 or 0). */
  emit(writer: UserEventWriter, endMs: number): void {
    for (const [product, changes] of this.#changes) {
      for (const change of changes) {
        if (change.ms > endMs) continue;
        writer.add(change.ms, "profile", {
          item: { id: product },
          value: change.value,
          context: { channel: change.value === 1 ? "app" : "branch" },
        });
      }
    }
  }
}
