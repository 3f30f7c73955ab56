import assert from "node:assert/strict";
import { type IncomingRecord, partitionFor } from "../bus/bus.ts";
import { Registry } from "../obs/metrics.ts";
import { createTestDatabase } from "../store/_test_database.ts";
import { Store } from "../store/store.ts";
import { ErasedUserError, Supervisor } from "./supervisor.ts";
import { createSupervisorMetrics } from "./supervisor_metrics.ts";

const PARTITIONS = 4;

function eventJson(userId: string, tsMs = Date.now() - 60_000): string {
  return JSON.stringify({
    eventId: crypto.randomUUID(),
    userId,
    type: "order",
    ts: new Date(tsMs).toISOString(),
    item: { id: "sku", category: "dairy", price: 100 },
  });
}

async function leasedSupervisor(store: Store, nodeId: string) {
  const epochs = new Map<number, number>();
  for (let partition = 0; partition < PARTITIONS; partition++) {
    epochs.set(partition, await store.forceLease(partition, nodeId));
  }
  return new Supervisor({
    store,
    nodeId,
    topic: "events",
    partitionCount: PARTITIONS,
    epochOf: (partition) => epochs.get(partition),
    deadLetter: () => Promise.resolve(),
    metrics: createSupervisorMetrics(new Registry()),
  });
}

function records(userId: string, values: string[], firstOffset: number): IncomingRecord[] {
  const partition = partitionFor(userId, PARTITIONS);
  return values.map((value, i) => ({ partition, offset: firstOffset + i, key: userId, value, headers: {} }));
}

async function snapshotCount(store: Store, userId: string): Promise<number> {
  const [row] = await store.sql<{ n: number }[]>`
    select count(*)::int as n from actor_snapshots where user_id = ${userId}`;
  return row.n;
}

Deno.test("Supervisor erasure: the actor goes unsaved, replayed events do not bring it back, new ones start afresh", async () => {
  const database = await createTestDatabase({ prefix: "erasure" });
  const store = await Store.connect(database.url);
  try {
    await store.migrate();
    const first = await leasedSupervisor(store, "node-a");
    const partition = partitionFor("erin", PARTITIONS);
    const history = [eventJson("erin"), eventJson("erin"), eventJson("erin")];
    await first.applyBatch(partition, records("erin", history.slice(0, 2), 0));
    await first.flush();
    // One more event is applied but not yet saved when the erasure comes.
    await first.applyBatch(partition, records("erin", history.slice(2), 2));
    assert.equal(first.peek("erin")?.eventsApplied, 3);
    const mark = { throughOffset: 2, erasedAtMs: Date.now() };
    assert.equal(await first.erase("erin", mark), true);
    await store.eraseUser("erin", { partition, ...mark });
    await first.flush();
    assert.equal(first.peek("erin"), undefined);
    assert.equal(
      await snapshotCount(store, "erin"),
      0,
      "the unsaved state was not flushed after the erasure",
    );

    // The same records again (a replay after a crash): nothing is applied, nothing stays resident.
    const replay = await first.applyBatch(partition, records("erin", history, 0));
    assert.equal(replay.applied, 0);
    assert.equal(first.erasedEventsDropped, 3);
    assert.equal(first.peek("erin"), undefined);
    await assert.rejects(() => first.activate("erin"), ErasedUserError);
    assert.equal(first.peek("erin"), undefined);

    // Another node takes over: the mark comes from Postgres with the activation.
    const second = await leasedSupervisor(store, "node-b");
    const late = await second.applyBatch(partition, [
      ...records("erin", history, 0),
      // Past the mark's offset but dated before the erasure: a late producer resending old data.
      ...records("erin", [eventJson("erin", mark.erasedAtMs - 1_000)], 3),
    ]);
    assert.equal(late.applied, 0);
    assert.equal(second.erasedEventsDropped, 4);
    await assert.rejects(() => second.activate("erin"), ErasedUserError);
    assert.deepEqual(second.erasureOf("erin"), mark);

    // Activity after the erasure is a new relationship: it starts an empty profile.
    const fresh = await second.applyBatch(
      partition,
      records("erin", [eventJson("erin", Date.now() + 1_000)], 4),
    );
    assert.equal(fresh.applied, 1);
    const actor = await second.activate("erin");
    assert.equal(actor.eventsApplied, 1);
    await second.flush();
    assert.equal(await snapshotCount(store, "erin"), 1);
    const stored = (await store.loadSnapshots(["erin"])).get("erin")!;
    assert.equal(stored.offset, 4);
    assert.deepEqual(stored.erasure, mark);
  } finally {
    await store.close();
    await database.drop();
  }
});
