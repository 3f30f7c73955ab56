import assert from "node:assert/strict";
import { mergeComparisons, type StrategyComparison, type StrategyOutcome } from "./analytics.ts";
import type { Strategy } from "./recommender.ts";

function row(strategy: Strategy, contacts: number, products: [string, number][]): StrategyOutcome {
  const list = products.map(([productId, count]) => ({ productId, name: productId.toUpperCase(), count }));
  return {
    strategy,
    contacts,
    expectedIncremental: contacts * 0.1,
    expectedConversions: contacts * 0.3,
    expectedWithoutOffer: contacts * 0.2,
    negativeUpliftContacts: strategy === "uplift" ? 0 : 1,
    products: list,
    topProducts: list.slice(0, 5),
  };
}

Deno.test("mergeComparisons adds node parts up, product counts before the top five", () => {
  // Node A's sixth product and node B's first are the same: only full counts can rank it first.
  const a: StrategyComparison = {
    users: 30,
    strategies: [
      row("uplift", 60, [["p1", 9], ["p2", 8], ["p3", 7], ["p4", 6], ["p5", 5], ["p6", 4]]),
      row("propensity", 60, [["p1", 20]]),
    ],
  };
  const b: StrategyComparison = {
    users: 12,
    strategies: [row("propensity", 20, [["p2", 3]]), row("uplift", 24, [["p6", 20]])],
  };
  const merged = mergeComparisons([a, b]);
  assert.equal(merged.users, 42);
  assert.deepEqual(merged.strategies.map((s) => s.strategy), ["uplift", "propensity"], "in STRATEGIES order");
  const uplift = merged.strategies[0];
  assert.equal(uplift.contacts, 84);
  assert.ok(Math.abs(uplift.expectedIncremental - 8.4) < 1e-9);
  assert.equal(uplift.negativeUpliftContacts, 0);
  assert.deepEqual(uplift.topProducts.map((p) => [p.productId, p.count]), [
    ["p6", 24],
    ["p1", 9],
    ["p2", 8],
    ["p3", 7],
    ["p4", 6],
  ]);
  assert.equal(uplift.products.length, 6);
  assert.equal(merged.strategies[1].negativeUpliftContacts, 2);
  // The parts are not changed by merging.
  assert.equal(a.strategies[0].products[5].count, 4);
  assert.deepEqual(mergeComparisons([]), { users: 0, strategies: [] });
});
