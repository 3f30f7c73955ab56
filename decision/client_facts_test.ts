import assert from "node:assert/strict";
import type { UserEvent } from "../domain/event.ts";
import { BankProfile } from "../model/bank_profile.ts";
import { clientFactsFrom, unknownClientFacts } from "./client_facts.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-01T00:00:00Z");
let counter = 0;

function event(atMs: number, body: Partial<UserEvent>): UserEvent {
  return {
    eventId: `e-${counter++}`,
    userId: "b-1",
    type: "profile",
    ts: new Date(atMs).toISOString(),
    tsMs: atMs,
    ...body,
  };
}

function profile(events: UserEvent[]): BankProfile {
  const bank = new BankProfile();
  for (const e of events) bank.apply(e);
  return bank;
}

Deno.test("clientFactsFrom reads demographics, holdings and residency from profile events", () => {
  const at = NOW - 200 * DAY;
  const bank = profile([
    event(at, { item: { id: "age" }, value: 38 }),
    event(at, { item: { id: "renta" }, value: 110_000 }),
    event(at, { item: { id: "segmento", category: "02 - PARTICULARES" } }),
    event(at, { item: { id: "indext", category: "N" } }),
    event(at, { item: { id: "ind_cco_fin_ult1" }, value: 1 }),
    event(at, { item: { id: "ins_auto" }, value: 1 }),
    event(at + DAY, { item: { id: "ins_auto" }, value: 0 }),
  ]);
  const facts = clientFactsFrom(bank, NOW);
  assert.equal(facts.age, 38);
  assert.equal(facts.income, 110_000);
  assert.equal(facts.segment, "02 - PARTICULARES");
  assert.equal(facts.resident, true);
  assert.deepEqual([...facts.holdings], ["ind_cco_fin_ult1"]);
});

Deno.test("clientFactsFrom treats indext S as a non-resident and a missing indext as unknown", () => {
  const foreign = profile([event(NOW - DAY, { item: { id: "indext", category: "S" } })]);
  assert.equal(clientFactsFrom(foreign, NOW).resident, false);
  const unknown = profile([event(NOW - DAY, { item: { id: "age" }, value: 30 })]);
  const facts = clientFactsFrom(unknown, NOW);
  assert.equal(facts.resident, null);
  assert.equal(facts.segment, null);
  assert.equal(facts.income, null);
});

Deno.test("clientFactsFrom drops implausible ages and non-positive incomes", () => {
  const bank = profile([
    event(NOW - DAY, { item: { id: "age" }, value: 240 }),
    event(NOW - DAY, { item: { id: "renta" }, value: 0 }),
  ]);
  const facts = clientFactsFrom(bank, NOW);
  assert.equal(facts.age, null);
  assert.equal(facts.income, null);
});

Deno.test("clientFactsFrom keeps life events up to the decision time only", () => {
  const car = NOW - 20 * DAY;
  const bank = profile([
    event(car, { item: { id: "life:car_purchase" }, value: 1 }),
    event(NOW + 5 * DAY, { item: { id: "life:child" }, value: 1 }),
  ]);
  assert.deepEqual(clientFactsFrom(bank, NOW).lifeEvents, { car_purchase: car });
  assert.deepEqual(clientFactsFrom(bank, NOW + 10 * DAY).lifeEvents, {
    car_purchase: car,
    child: NOW + 5 * DAY,
  });
});

Deno.test("clientFactsFrom estimates the monthly salary and spending from the decayed flows", () => {
  const events: UserEvent[] = [];
  for (let month = 10; month >= 1; month--) {
    const at = NOW - month * 30 * DAY;
    events.push(event(at, { type: "operation", value: 100_000, item: { category: "salary" } }));
    events.push(event(at + DAY, { type: "operation", value: -20_000, item: { category: "fuel" } }));
    events.push(event(at + 2 * DAY, { type: "operation", value: -5_000, item: { category: "groceries" } }));
  }
  const facts = clientFactsFrom(profile(events), NOW - 15 * DAY);
  // Mid-month, the decayed sum times ln 2 lands close to the monthly amount.
  assert.ok(facts.salary > 90_000 && facts.salary < 110_000, String(facts.salary));
  assert.ok(facts.spending!.fuel! > 18_000 && facts.spending!.fuel! < 22_000, String(facts.spending!.fuel));
  assert.ok(Math.abs(facts.spending!.fuel! / facts.spending!.groceries! - 4) < 0.2);
  assert.equal(facts.spending!.travel, undefined);
});

Deno.test("clientFactsFrom gives unknown facts for a client with no bank profile", () => {
  const facts = clientFactsFrom(null, NOW);
  assert.deepEqual(facts, unknownClientFacts());
  assert.equal(facts.age, null);
  assert.equal(facts.salary, 0);
  assert.equal(facts.holdings.size, 0);
});
