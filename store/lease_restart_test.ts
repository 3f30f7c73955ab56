/**
 * Leases across a Postgres restart, on a private server this test stops and
 * starts (never the shared one).
 */

import assert from "node:assert/strict";
import { PrivatePostgres } from "../chaos/private_postgres.ts";
import { Store } from "./store.ts";

Deno.test("a Postgres restart gives every node time to heartbeat before its leases can be taken", async () => {
  // Found by `deno task chaos`: after Postgres came back from a 10 s stop, every node's heartbeat was stale,
  // and a node took the lease of a partition the other node was still handing over (its flush had waited
  // for the database), so both served the partition's users for seconds.
  await using server = await PrivatePostgres.start();
  const store = await Store.connect(server.url);
  try {
    await store.migrate();
    const beat = (nodeId: string) =>
      store.heartbeat({ nodeId, httpUrl: `http://${nodeId}`, startedAt: new Date(), assigned: [0] });
    await beat("node-a");
    await beat("node-b");
    assert.deepEqual(await store.acquireLease(0, "node-a", { staleAfterMs: 1_500 }), { ok: true, epoch: 1 });
    // node-a's last heartbeat is old by the time the server comes back.
    await store
      .sql`update cluster_nodes set heartbeat_at = now() - interval '1 minute' where node_id = 'node-a'`;
    await server.stop("fast");
    await server.resume();
    const taken = await retry(() => store.acquireLease(0, "node-b", { staleAfterMs: 1_500 }));
    assert.equal(taken.ok, false, "node-a gets time to heartbeat after the restart");
    // Had node-a heartbeated, it would keep the lease; it did not, so after the grace node-b takes it.
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    assert.deepEqual(await store.acquireLease(0, "node-b", { staleAfterMs: 1_500 }), { ok: true, epoch: 2 });
  } finally {
    await store.close();
  }
});

/** The first query after a restart may meet a connection the server closed; a client retries it. */
async function retry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
