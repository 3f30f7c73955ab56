import assert from "node:assert/strict";
import { isNodePart } from "./analytics_routes.ts";

const ROW = {
  strategy: "uplift",
  contacts: 3,
  expectedIncremental: 0.4,
  expectedConversions: 1.2,
  expectedWithoutOffer: 0.8,
  negativeUpliftContacts: 0,
  topProducts: [],
  products: [{ productId: "p1", name: "P1", count: 3 }],
};

Deno.test("another node's part of a comparison is used only in the expected shape", () => {
  assert.ok(isNodePart({ nodeId: "node-b", users: 12, strategies: [ROW] }));
  const bad: unknown[] = [
    null,
    "node-b",
    [],
    { users: 12, strategies: [ROW] },
    { nodeId: "node-b", users: "12", strategies: [ROW] },
    { nodeId: "node-b", users: 1.5, strategies: [ROW] },
    { nodeId: "node-b", users: 12, strategies: {} },
    { nodeId: "node-b", users: 12, strategies: [{ ...ROW, strategy: "__proto__" }] },
    { nodeId: "node-b", users: 12, strategies: [{ ...ROW, contacts: Infinity }] },
    { nodeId: "node-b", users: 12, strategies: [{ ...ROW, expectedIncremental: "1e9" }] },
    { nodeId: "node-b", users: 12, strategies: [{ ...ROW, products: [{ productId: 1, count: 2 }] }] },
    { nodeId: "node-b", users: 12, strategies: [{ ...ROW, products: [null] }] },
    { nodeId: "node-b", users: 12, strategies: [null] },
  ];
  for (const view of bad) assert.equal(isNodePart(view), false, JSON.stringify(view));
});
