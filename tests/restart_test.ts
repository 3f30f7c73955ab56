/**
 * Restart and restore: a node stopped gracefully (Kafka mode) or the embedded
 * default (in-process log and PGlite) comes back with every actor's state.
 */

import assert from "node:assert/strict";
import { ADMIN_TOKEN, Cluster, EngineNode, freePort, makeEvent, waitFor } from "./_harness.ts";

interface ActorView {
  eventsApplied: number;
  offset: number;
  lastSnapshotAt: string | null;
  preferences: { category: { key: string }[] };
}

async function postEvents(node: EngineNode, events: Record<string, unknown>[]): Promise<void> {
  const response = await node.request("/v1/events", { method: "POST", body: JSON.stringify(events) });
  assert.equal(response.status, 202, await response.clone().text());
  const body = await response.json();
  assert.equal(body.accepted, events.length);
}

Deno.test("a restarted node restores actors from Postgres snapshots and resumes exactly", async () => {
  const cluster = await Cluster.start({ partitions: 3 });
  try {
    let node = await cluster.startNode("restart-1");
    const users = ["ivan", "olga", "petr"];
    await postEvents(node, users.flatMap((userId) => Array.from({ length: 4 }, () => makeEvent(userId))));
    await waitFor("events applied", async () => {
      const views = await Promise.all(users.map((u) => node.json<ActorView>(`/admin/actors/${u}`)));
      return views.every((view) => view.eventsApplied === 4);
    });
    const before = await node.json<ActorView>("/admin/actors/olga");
    const status = await node.kill("SIGTERM");
    assert.equal(status.code, 0, "graceful shutdown exits cleanly");

    node = await cluster.startNode("restart-1");
    const after = await node.json<ActorView>("/admin/actors/olga");
    assert.equal(after.eventsApplied, 4);
    assert.equal(after.offset, before.offset);
    assert.notEqual(after.lastSnapshotAt, null);
    assert.equal(after.preferences.category[0].key, "dairy");
    await postEvents(node, [makeEvent("olga", { item: { category: "auto", price: 9000 } })]);
    await waitFor("new event on the restored actor", async () => {
      return (await node.json<ActorView>("/admin/actors/olga")).eventsApplied === 5;
    });
    for (const userId of ["ivan", "petr"]) {
      assert.equal((await node.json<ActorView>(`/admin/actors/${userId}`)).eventsApplied, 4, userId);
    }
  } finally {
    await cluster.close();
  }
});

Deno.test("the embedded default (in-process log, PGlite in DATA_DIR) survives a restart", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "engine-embedded-" });
  const port = freePort();
  const start = async () => {
    const node = new EngineNode("embedded", port, {
      DATA_DIR: dataDir,
      EMBEDDED_PARTITIONS: "4",
      DEMO_DATA: "off",
      FLUSH_INTERVAL_MS: "200",
    });
    await node.ready(90_000);
    return node;
  };
  let node = await start();
  try {
    await postEvents(node, [makeEvent("zoya"), makeEvent("zoya"), makeEvent("yuri")]);
    await waitFor("embedded events applied", async () => {
      return (await node.json<ActorView>("/admin/actors/zoya")).eventsApplied === 2;
    });
    const cluster = await node.json<{ mode: string; partitionCount: number; nodes: unknown[] }>(
      "/admin/cluster",
    );
    assert.equal(cluster.mode, "embedded");
    assert.equal(cluster.partitionCount, 4);
    assert.equal((await node.kill("SIGTERM")).code, 0);

    node = await start();
    assert.equal((await node.json<ActorView>("/admin/actors/zoya")).eventsApplied, 2);
    assert.equal((await node.json<ActorView>("/admin/actors/yuri")).eventsApplied, 1);
    await postEvents(node, [makeEvent("zoya")]);
    await waitFor("post-restart event applied once", async () => {
      return (await node.json<ActorView>("/admin/actors/zoya")).eventsApplied === 3;
    });
    const anonymous = await fetch(`${node.url}/admin/actors`);
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
    const authorized = await fetch(`${node.url}/admin/actors`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal((await authorized.json()).resident, 2);
  } finally {
    await node.kill("SIGTERM");
    await Deno.remove(dataDir, { recursive: true });
  }
});
