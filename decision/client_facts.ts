/**
 * Reads the facts the decision rules need from an actor's bank profile:
 * age, residency, segment, income, holdings, life events, salary and
 * spending. Unknown values stay null, so a rule can tell "unknown" from "no".
 *
 * @module
 */

import { LIFE_EVENTS, SPEND_CATEGORIES, type SpendCategory } from "../datagen/types.ts";
import { type BankProfile, DEMOGRAPHICS, SEGMENTS } from "../model/bank_profile.ts";
import { PRODUCTS } from "../model/products.ts";
import type { ClientFacts } from "./types.ts";

/**
 * Flows are exponentially weighted sums with a 30-day half-life; a steady
 * monthly amount S settles at S / ln 2 on average, so ln 2 turns the sum back
 * into a monthly estimate.
 */
const MONTHLY_FROM_DECAYED = Math.LN2;
const AGE = DEMOGRAPHICS.indexOf("age");
const RENTA = DEMOGRAPHICS.indexOf("renta");
const SEGMENT = DEMOGRAPHICS.indexOf("segmento");
const FOREIGN = DEMOGRAPHICS.indexOf("indext");
// `flowsAt` returns spend per category, then salary, transfers and weekend spend.
const SALARY_FLOW = SPEND_CATEGORIES.length;

/** The facts of a client with no bank profile (a cold-start user). */
export function unknownClientFacts(): ClientFacts {
  return {
    age: null,
    resident: null,
    segment: null,
    income: null,
    holdings: new Set(),
    lifeEvents: {},
    salary: 0,
    spending: {},
  };
}

/**
 * The client's facts as of `nowMs`. Life events after `nowMs` are left out
 * (the profile may hold an event stamped ahead of the decision time);
 * implausible demographics (an age outside 0–120, a non-positive income) count
 * as unknown.
 */
export function clientFactsFrom(bank: BankProfile | null, nowMs: number): ClientFacts {
  if (!bank) return unknownClientFacts();
  const age = bank.demographic(AGE);
  const renta = bank.demographic(RENTA);
  const segment = bank.demographic(SEGMENT);
  const foreign = bank.demographic(FOREIGN);
  const holdings = new Set<string>();
  PRODUCTS.forEach((product, index) => {
    if (bank.holds(index) === 1) holdings.add(product.code);
  });
  const lifeEvents: Partial<Record<typeof LIFE_EVENTS[number], number>> = {};
  LIFE_EVENTS.forEach((event, index) => {
    const at = bank.lifeAt(index);
    if (Number.isFinite(at) && at <= nowMs) lifeEvents[event] = at;
  });
  const flows = bank.flowsAt(nowMs);
  const spending: Partial<Record<SpendCategory, number>> = {};
  SPEND_CATEGORIES.forEach((category, index) => {
    const monthly = flows[index] * MONTHLY_FROM_DECAYED;
    if (Number.isFinite(monthly) && monthly > 0) spending[category] = monthly;
  });
  const salary = flows[SALARY_FLOW] * MONTHLY_FROM_DECAYED;
  return {
    age: Number.isFinite(age) && age >= 0 && age <= 120 ? age : null,
    resident: foreign === 1 ? false : foreign === 0 ? true : null,
    segment: Number.isInteger(segment) && segment >= 0 && segment < SEGMENTS.length
      ? SEGMENTS[segment]
      : null,
    income: Number.isFinite(renta) && renta > 0 ? renta : null,
    holdings,
    lifeEvents,
    salary: Number.isFinite(salary) && salary > 0 ? salary : 0,
    spending,
  };
}
