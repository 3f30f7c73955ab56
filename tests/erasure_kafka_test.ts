/**
 * Erasure in Kafka mode on the librdkafka mock cluster with two engine nodes:
 * `DELETE /v1/users/:id` on any node reaches the owner, which drops the actor,
 * deletes the user from Postgres and writes a real tombstone (key, null
 * value) to `users.tombstones`. The user's events still on `events` (replayed
 * by a producer, or re-read by the next owner after a `kill -9`) do not bring
 * the user back; new activity afterwards starts an empty profile.
 */

import assert from "node:assert/strict";
import { TOPICS } from "../bus/bus.ts";
import { Store } from "../store/store.ts";
import { USER_TABLES } from "../store/erasure.ts";
import { Cluster, type EngineNode, makeEvent, waitFor } from "./_harness.ts";

const USER = "kafka-erase-1";

async function rowsOf(store: Store, userId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of USER_TABLES) {
    const [{ n }] = await store.sql<{ n: number }[]>`
      select count(*)::int as n from ${store.sql(table)} where user_id = ${userId}`;
    if (n > 0) counts[table] = n;
  }
  return counts;
}

async function metric(node: EngineNode, name: string): Promise<number> {
  const text = await (await node.request("/metrics")).text();
  const line = text.split("\n").find((entry) => entry.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

/** Reads the tombstone topic with a plain kafkajs consumer, so a null value is seen as null. */
async function tombstones(
  cluster: Cluster,
  count: number,
): Promise<{ key: string | null; value: Buffer | null }[]> {
  const consumer = cluster.kafka.consumer({ groupId: `tombstones-${crypto.randomUUID()}` });
  const seen: { key: string | null; value: Buffer | null }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPICS.usersTombstones, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        seen.push({ key: message.key?.toString() ?? null, value: message.value });
        return Promise.resolve();
      },
    });
    await waitFor("the tombstone", () => seen.length >= count, { timeoutMs: 30_000 });
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

Deno.test("Kafka-mode erasure: tombstone on users.tombstones, and neither replays nor a new owner resurrect the user", async () => {
  const cluster = await Cluster.start({ partitions: 4 });
  const store = await Store.connect(cluster.databaseUrl, { max: 2 });
  try {
    const nodes = await Promise.all([cluster.startNode("erase-a"), cluster.startNode("erase-b")]);
    const history = [
      makeEvent(USER, { type: "profile", item: { id: "age" }, value: 37 }),
      ...Array.from(
        { length: 5 },
        (_, i) => makeEvent(USER, { item: { id: `sku-${i}`, category: "dairy", price: 90 } }),
      ),
    ];
    const records = history.map((event) => ({ key: USER, value: JSON.stringify(event) }));
    await cluster.produce(TOPICS.events, records);
    await waitFor("the history to reach the actor", async () => {
      const actor = await nodes[0].json<{ eventsApplied: number }>(`/admin/actors/${USER}`);
      return actor.eventsApplied === history.length;
    });
    await nodes[1].json(`/v1/users/${USER}/consents`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ llm: false }),
    });
    await waitFor("the snapshot and event log", async () => {
      const rows = await rowsOf(store, USER);
      return (rows.actor_snapshots ?? 0) === 1 && (rows.event_log ?? 0) > 0 && (rows.consents ?? 0) > 0;
    });

    // Either node takes the request; the owner does the work.
    const report = await nodes[1].json<{ actor: boolean; partition: number; throughOffset: number }>(
      `/v1/users/${USER}`,
      { method: "DELETE" },
    );
    assert.equal(report.actor, true);
    assert.ok(report.throughOffset >= history.length - 1);
    assert.deepEqual(await rowsOf(store, USER), {});
    const [tombstone] = await tombstones(cluster, 1);
    assert.equal(tombstone.key, USER);
    assert.equal(tombstone.value, null, "a real tombstone: the value is null");

    // A producer resends the old events: they are dropped, not applied and not dead-lettered.
    await cluster.produce(TOPICS.events, records);
    await waitFor("the replayed events to be dropped", async () => {
      const dropped = await Promise.all(nodes.map((node) => metric(node, "engine_erased_events_dropped")));
      return dropped.reduce((a, b) => a + b, 0) >= history.length;
    });
    const gone = await nodes[0].request(`/admin/actors/${USER}`);
    assert.equal(gone.status, 410);
    await gone.body?.cancel();

    // The owner dies; the other node takes the partition over and re-reads from the committed offsets.
    const owner = nodes.find((node) => node.nodeId === gone.headers.get("x-engine-node")) ?? nodes[0];
    const survivor = nodes.find((node) => node !== owner)!;
    await owner.kill("SIGKILL");
    await waitFor("the survivor to own the user", async () => {
      const response = await survivor.request(`/admin/actors/${USER}`);
      await response.body?.cancel();
      return response.status === 410 && response.headers.get("x-engine-node") === survivor.nodeId;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.deepEqual(await rowsOf(store, USER), {}, "nothing came back after the takeover");

    // New activity after the erasure is a new relationship: it starts from nothing.
    await cluster.produce(TOPICS.events, [
      { key: USER, value: JSON.stringify(makeEvent(USER, { ts: new Date().toISOString() })) },
    ]);
    await waitFor("the new event", async () => {
      const response = await survivor.request(`/admin/actors/${USER}`);
      if (response.status !== 200) {
        await response.body?.cancel();
        return false;
      }
      return (await response.json()).eventsApplied === 1;
    });
  } finally {
    await store.close();
    await cluster.close();
  }
});
