/**
 * Approach testing on a cluster: each node decides the bank clients of the partitions it owns, and the node
 * that answers adds up every live node's part, so the panel covers every client whichever node serves it.
 */

import assert from "node:assert/strict";
import { Cluster, waitFor } from "./_harness.ts";

interface Part {
  scope: string;
  nodeId?: string;
  users: number;
  nodes?: { nodeId: string; users: number }[];
  unreachable?: string[];
  strategies: {
    strategy: string;
    contacts: number;
    expectedIncremental: number;
    products: { count: number }[];
  }[];
}

Deno.test("approach testing adds up every node's clients: the same totals from any node", async () => {
  const cluster = await Cluster.start({ partitions: 4 });
  try {
    // One node loads the demo data (600 bank clients); the other starts on the same database and topics.
    const first = await cluster.startNode("stats-a", { DEMO_DATA: "on" });
    const second = await cluster.startNode("stats-b", { DEMO_DATA: "off" });
    const part = (node: typeof first, k: number) =>
      node.json<Part>(`/v1/analytics/strategies?cohort=all&k=${k}&scope=node`);
    // Wait until the partitions are split and every demo client's history is applied (k=1 keeps these
    // polls apart from the comparison asserted below, which a 30 s cache would otherwise answer).
    await waitFor("both nodes to decide their share of the 600 clients", async () => {
      const [a, b] = await Promise.all([part(first, 1), part(second, 1)]);
      return a.users > 0 && b.users > 0 && a.users + b.users === 600;
    }, { timeoutMs: 120_000, intervalMs: 1_000 });

    const [a, b] = await Promise.all([part(first, 3), part(second, 3)]);
    assert.equal(a.scope, "node");
    assert.equal(a.users + b.users, 600);
    for (const node of [first, second]) {
      const merged = await node.json<Part>("/v1/analytics/strategies?cohort=all&k=3");
      assert.equal(merged.scope, "cluster");
      assert.equal(merged.users, 600, `answered by ${node.nodeId}`);
      assert.deepEqual(merged.unreachable, []);
      assert.deepEqual(
        merged.nodes!.map((entry) => entry.users).sort((x, y) => x - y),
        [a.users, b.users].sort((x, y) => x - y),
      );
      for (const row of merged.strategies) {
        const parts = [a, b].map((p) => p.strategies.find((s) => s.strategy === row.strategy)!);
        assert.equal(row.contacts, parts[0].contacts + parts[1].contacts, row.strategy);
        assert.ok(
          Math.abs(row.expectedIncremental - parts[0].expectedIncremental - parts[1].expectedIncremental) <
            1e-6,
        );
        assert.equal(
          row.products.reduce((sum, product) => sum + product.count, 0),
          row.contacts,
          "every contact is one product offered",
        );
      }
    }
  } finally {
    await cluster.close();
  }
});
