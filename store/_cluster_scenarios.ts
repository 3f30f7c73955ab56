/**
 * Lease and membership checks shared by the real-Postgres and the PGlite test
 * files. Each scenario uses its own partitions and node ids.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { StoreScenario } from "./_store_scenarios.ts";

/** Lease takeover rules, release and self-fencing lookups. */
export const leaseScenario: StoreScenario = {
  name: "acquireLease refuses a live holder and takes a stale one",
  async run(store) {
    const startedAt = new Date();
    await store.heartbeat({
      nodeId: "lease-a",
      httpUrl: "http://a",
      startedAt,
      assigned: [104],
    });
    await store.heartbeat({
      nodeId: "lease-b",
      httpUrl: "http://b",
      startedAt,
      assigned: [],
    });
    const stale = { staleAfterMs: 3_000 };

    assert.deepEqual(await store.acquireLease(104, "lease-a", stale), {
      ok: true,
      epoch: 1,
    });
    assert.deepEqual(await store.acquireLease(104, "lease-b", stale), {
      ok: false,
      reason: "held",
      holder: "lease-a",
    });
    assert.deepEqual(await store.acquireLease(104, "lease-a", stale), {
      ok: true,
      epoch: 2,
    });

    await store.sql`
      update cluster_nodes set heartbeat_at = now() - interval '1 minute'
      where node_id = 'lease-a'`;
    // A server that started less than staleAfterMs ago (the embedded one here) still gives holders that
    // long to heartbeat again, as after a restart.
    const [{ upMs }] = await store.sql<{ upMs: number }[]>`
      select (extract(epoch from now() - pg_postmaster_start_time()) * 1000)::float8 as "upMs"`;
    if (upMs < stale.staleAfterMs) {
      await new Promise((resolve) => setTimeout(resolve, stale.staleAfterMs - upMs + 100));
    }
    assert.deepEqual(await store.acquireLease(104, "lease-b", stale), {
      ok: true,
      epoch: 3,
    });
    assert.deepEqual(await store.leaseEpochs("lease-b"), new Map([[104, 3]]));
    assert.equal((await store.leaseEpochs("lease-a")).size, 0);

    assert.equal(await store.releaseLease(104, "lease-b", 2), false);
    assert.equal(await store.releaseLease(104, "lease-a", 3), false);
    assert.equal(await store.releaseLease(104, "lease-b", 3), true);
    assert.deepEqual(await store.acquireLease(104, "lease-b", stale), {
      ok: true,
      epoch: 4,
    });

    // A holder without a membership row counts as dead.
    assert.equal(await store.removeNode("lease-b"), true);
    assert.deepEqual(await store.acquireLease(104, "lease-a", stale), {
      ok: true,
      epoch: 5,
    });
    const lease = (await store.leases()).find((l) => l.partition === 104);
    assert.deepEqual(lease, { partition: 104, nodeId: "lease-a", epoch: 5 });
  },
};

/** Membership rows and liveness flags. */
export const membershipScenario: StoreScenario = {
  name: "heartbeat upserts nodes and nodes() reports liveness",
  async run(store) {
    const startedAt = new Date("2024-05-01T10:00:00Z");
    const beat = {
      nodeId: "member-x",
      httpUrl: "http://x:8080",
      startedAt,
      assigned: [1, 2],
    };
    await store.heartbeat(beat);
    await store.heartbeat({ ...beat, assigned: [3] });
    const plain = (await store.nodes()).find((n) => n.nodeId === "member-x");
    assert.ok(plain);
    assert.deepEqual(plain.assigned, [3]);
    assert.equal(plain.startedAt.getTime(), startedAt.getTime());
    assert.equal("alive" in plain, false);
    const live = await store.nodes({ staleAfterMs: 60_000 });
    assert.equal(live.find((n) => n.nodeId === "member-x")?.alive, true);
    const dead = await store.nodes({ staleAfterMs: 0 });
    assert.equal(dead.find((n) => n.nodeId === "member-x")?.alive, false);
    assert.equal(await store.removeNode("member-x"), true);
    assert.equal(await store.removeNode("member-x"), false);
  },
};
