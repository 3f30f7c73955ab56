/**
 * One entry point for the whole synthetic dataset: the bank (clients,
 * histories, campaign log with ground truth) and retail (catalog, shoppers,
 * their events), merged into one time-ordered event stream.
 *
 * @module
 */

import { sortTimedEvents } from "./_timed_event.ts";
import { generateBank } from "./bank.ts";
import { type Calibration, loadCalibrationSync } from "./calibration.ts";
import { generateRetail } from "./retail.ts";
import type { GeneratedData } from "./types.ts";

/** Options for {@linkcode generate}. */
export interface GenerateOptions {
  seed: number;
  /** Bank clients. */
  users: number;
  /** Retail shoppers; default half of `users` (at least 1 when users > 0). */
  shoppers?: number;
  /**
   * The dataset's "now" (ISO timestamp or epoch ms); default today 00:00 UTC.
   * Pass it explicitly for byte-identical output across days.
   */
  asOf?: string | number;
  /** Monthly rows per bank client; default 12. */
  months?: number;
  /** Default: computed from the real sample files, else the embedded statistics. */
  calibration?: Calibration;
}

/** Today's midnight UTC, the default `asOf`. */
export function todayUtc(nowMs = Date.now()): string {
  return new Date(Math.floor(nowMs / 86_400_000) * 86_400_000).toISOString();
}

/** Generates the bank and retail data for a seed. Same options, same output. */
export function generate(options: GenerateOptions): GeneratedData {
  if (!Number.isSafeInteger(options.seed)) throw new TypeError(`Seed must be an integer: ${options.seed}`);
  if (!Number.isSafeInteger(options.users) || options.users < 0) {
    throw new RangeError(`Users must be a non-negative integer: ${options.users}`);
  }
  const asOfMs = options.asOf === undefined
    ? Date.parse(todayUtc())
    : typeof options.asOf === "number"
    ? options.asOf
    : Date.parse(options.asOf);
  if (!Number.isFinite(asOfMs)) throw new RangeError(`Invalid asOf: ${options.asOf}`);
  const asOf = new Date(asOfMs).toISOString();
  const shoppers = options.shoppers ?? Math.ceil(options.users / 2);
  const calibration = options.calibration ?? loadCalibrationSync();
  const bank = generateBank({
    seed: options.seed,
    users: options.users,
    asOf: asOfMs,
    months: options.months,
    calibration,
  });
  const retail = generateRetail({ seed: options.seed, shoppers, asOf: asOfMs });
  const timed = bank.events;
  for (const event of retail.events) timed.push(event);
  return {
    seed: options.seed,
    asOf,
    clients: bank.clients,
    campaign: bank.campaign,
    catalog: retail.catalog,
    shoppers: retail.shoppers,
    events: sortTimedEvents(timed),
  };
}
