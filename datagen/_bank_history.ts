/**
 * A bank client's life events and the operation history they shape: card
 * spending by category, salary and pension credits, and transfers. Life
 * events change the spending pattern afterwards (a car brings fuel and
 * service bills, a child brings the kids' category, a move brings furniture,
 * a raise brings bigger salary credits).
 *
 * @module
 */

import type { ClientBase } from "./_bank_profile.ts";
import type { UserEventWriter } from "./_timed_event.ts";
import type { Random } from "./random.ts";
import { type LifeEvent, SPEND_CATEGORIES, type SpendCategory } from "./types.ts";

const DAY_MS = 86_400_000;

/** A planted life event. */
export interface PlannedLifeEvent {
  event: LifeEvent;
  ms: number;
}

/** Chance of each life event within a 12-month history. */
export function lifeEventRates(base: ClientBase): Record<LifeEvent, number> {
  const student = base.segment === "03 - UNIVERSITARIO";
  const { age } = base;
  return {
    car_purchase: student ? 0.06 : 0.13,
    mortgage: !student && age >= 26 && age <= 45 ? 0.07 : 0.015,
    child: age >= 24 && age <= 40 ? 0.09 : age <= 45 ? 0.03 : 0.004,
    relocation: age < 35 ? 0.12 : 0.07,
    salary_rise: base.active ? (student ? 0.08 : 0.16) : 0.04,
  };
}

/** Plants life events uniformly over the history, at most one of each kind. */
export function planLifeEvents(
  rng: Random,
  base: ClientBase,
  startMs: number,
  endMs: number,
  months: number,
): PlannedLifeEvent[] {
  const rates = lifeEventRates(base);
  const planned: PlannedLifeEvent[] = [];
  for (const event of Object.keys(rates) as LifeEvent[]) {
    const p = Math.min(0.95, rates[event] * months / 12);
    const ms = rng.uniform(startMs + 10 * DAY_MS, endMs - 2 * DAY_MS);
    if (rng.bernoulli(p)) planned.push({ event, ms: Math.floor(ms) });
  }
  return planned.sort((a, b) => a.ms - b.ms);
}

// Typical ticket in rubles at the median salary, and base weights of how often.
const TICKET: Record<SpendCategory, number> = {
  groceries: 1200,
  restaurants: 1500,
  transport: 250,
  fuel: 2800,
  auto_dealer: 0,
  auto_service: 7000,
  travel: 30000,
  health: 2500,
  kids: 2500,
  furniture: 15000,
  electronics: 12000,
  clothing: 4000,
  entertainment: 1200,
  utilities: 5500,
  education: 9000,
};

function categoryWeights(base: ClientBase, at: number, life: PlannedLifeEvent[]): number[] {
  const since = (event: LifeEvent) => {
    const found = life.find((l) => l.event === event && l.ms <= at);
    return found ? (at - found.ms) / DAY_MS : undefined;
  };
  const car = since("car_purchase"),
    child = since("child"),
    moved = since("relocation"),
    home = since("mortgage");
  const driver = base.driver || car !== undefined;
  const kids = base.hasKids || child !== undefined;
  const student = base.segment === "03 - UNIVERSITARIO";
  const w: Record<SpendCategory, number> = {
    groceries: 30,
    restaurants: student ? 14 : 9,
    transport: driver ? 4 : 12,
    fuel: driver ? (car !== undefined && !base.driver ? 12 : 10) : 0,
    auto_dealer: 0,
    auto_service: driver ? (car !== undefined ? 2 : 1) : 0,
    travel: base.income > 150_000 ? 3 : 1.2,
    health: base.age > 55 ? 7 : kids ? 5 : 3,
    kids: child !== undefined ? 14 : kids ? 7 : 0,
    furniture: moved !== undefined && moved < 90 ? 8 : home !== undefined && home < 120 ? 5 : 0.5,
    electronics: 1.5,
    clothing: 5,
    entertainment: student ? 9 : 5,
    utilities: moved !== undefined || home !== undefined ? 5 : 3,
    education: student ? 3 : 0.4,
  };
  return SPEND_CATEGORIES.map((c) => w[c]);
}

/** Salary multiplier at `at` (a raise applies from its date on). */
function salaryFactor(life: PlannedLifeEvent[], at: number, raise: number): number {
  return life.some((l) => l.event === "salary_rise" && l.ms <= at) ? raise : 1;
}

/** Emits the life events themselves, with their one-off operations. */
export function emitLifeEvents(
  rng: Random,
  base: ClientBase,
  life: PlannedLifeEvent[],
  writer: UserEventWriter,
  endMs: number,
): void {
  for (const { event, ms } of life) {
    writer.add(ms, "profile", { item: { id: `life:${event}` }, value: 1, context: { channel: "app" } });
    if (event === "car_purchase") {
      const price = Math.round(1_500_000 * (base.income / 90_000) ** 0.8 * rng.lognormal(0, 0.25) / 1000) *
        1000;
      writer.add(ms + 3_600_000, "operation", {
        item: { category: "auto_dealer" },
        value: -Math.min(price, 30_000_000),
        context: { channel: "card" },
      });
    } else if (event === "relocation") {
      for (let i = rng.int(1, 3); i > 0; i--) {
        const at = Math.min(endMs - 60_000, ms + rng.uniform(1, 30) * DAY_MS);
        writer.add(at, "operation", {
          item: { category: "furniture" },
          value: -Math.round(rng.uniform(15_000, 150_000) * Math.sqrt(base.income / 90_000)),
          context: { channel: "card" },
        });
      }
    }
  }
}

/**
 * Monthly operations from `startMs` to `endMs`. `payrollAt` says whether the
 * client holds a payroll product at a time (salary is credited then),
 * `pensionAt` the same for pensions.
 */
export function emitOperations(
  rng: Random,
  base: ClientBase,
  life: PlannedLifeEvent[],
  writer: UserEventWriter,
  window: { startMs: number; endMs: number },
  holds: (product: string, at: number) => boolean,
): void {
  const raise = rng.uniform(1.15, 1.4);
  const salaryDay = rng.int(3, 10);
  for (let monthStart = window.startMs; monthStart < window.endMs; monthStart += 30 * DAY_MS) {
    const monthEnd = Math.min(window.endMs, monthStart + 30 * DAY_MS);
    const salaryAt = monthStart + (salaryDay + rng.uniform(0, 1)) * DAY_MS;
    const salary = base.salaryRub * salaryFactor(life, salaryAt, raise);
    if (salaryAt < window.endMs) {
      if (holds("ind_nomina_ult1", salaryAt) || holds("ind_cno_fin_ult1", salaryAt)) {
        const value = Math.round(salary * rng.lognormal(0, 0.03) / 100) * 100;
        writer.add(salaryAt, "operation", {
          item: { category: "salary" },
          value,
          context: { channel: "payroll" },
        });
      } else if (holds("ind_nom_pens_ult1", salaryAt)) {
        const value = Math.round(salary * 0.45 / 100) * 100;
        writer.add(salaryAt, "operation", {
          item: { category: "pension" },
          value,
          context: { channel: "payroll" },
        });
      } else if (base.active && rng.bernoulli(0.7)) {
        const value = Math.round(salary * rng.uniform(0.3, 1) / 100) * 100;
        writer.add(salaryAt, "operation", {
          item: { category: "transfer" },
          value,
          context: { channel: "app" },
        });
      }
    }
    const weights = categoryWeights(base, monthStart, life);
    let total = 0, expected = 0;
    for (let i = 0; i < weights.length; i++) {
      total += weights[i];
      expected += weights[i] * TICKET[SPEND_CATEGORIES[i]];
    }
    const meanTicket = expected / total * Math.exp(0.125);
    const opsMean = base.active ? 9 : 2.5;
    const target = salary * base.spendRatio * (base.active ? 1 : 0.4);
    const scale = target / (opsMean * meanTicket);
    for (let n = rng.poisson(opsMean); n > 0; n--) {
      const category = SPEND_CATEGORIES[rng.categorical(weights)];
      const at = rng.uniform(monthStart, monthEnd - 60_000);
      const amount = Math.max(50, Math.round(TICKET[category] * scale * rng.lognormal(0, 0.5)));
      writer.add(at, "operation", { item: { category }, value: -amount, context: { channel: "card" } });
    }
    for (let n = rng.poisson(base.active ? 0.8 : 0.2); n > 0; n--) {
      const at = rng.uniform(monthStart, monthEnd - 60_000);
      const value = -Math.round(rng.uniform(1000, Math.max(2000, salary * 0.3)) / 100) * 100;
      writer.add(at, "operation", { item: { category: "transfer" }, value, context: { channel: "app" } });
    }
  }
}
