import assert from "node:assert/strict";
import { createTestDatabase } from "./_test_database.ts";
import { STORE_SCENARIOS } from "./_store_scenarios.ts";
import { appliedVersions, MIGRATIONS } from "./migrations.ts";
import { Store } from "./store.ts";

Deno.test("Store migrations are idempotent and safe to run concurrently", async () => {
  const database = await createTestDatabase({ prefix: "store_test" });
  const stores = await Promise.all(
    Array.from({ length: 4 }, () => Store.connect(database.url, { max: 2 })),
  );
  const [first] = stores;
  try {
    const results = await Promise.all(stores.map((store) => store.migrate()));
    const applied = results.flatMap((result) => result.applied).sort();
    assert.deepEqual(applied, MIGRATIONS.map((m) => m.version));
    assert.deepEqual(await first.migrate(), { ok: true, applied: [] });
    assert.deepEqual(
      await appliedVersions(first.sql),
      MIGRATIONS.map((m) => m.version),
    );
    assert.equal(await first.ping(), true);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    await database.drop();
  }
});

Deno.test("Store honours its contract on a real Postgres server", async (t) => {
  const database = await createTestDatabase({ prefix: "store_test" });
  const store = await Store.connect(database.url, { max: 4 });
  try {
    await store.migrate();
    for (const scenario of STORE_SCENARIOS) {
      await t.step(scenario.name, () => scenario.run(store));
    }
  } finally {
    await store.close();
    await database.drop();
  }
});

Deno.test("Store fences a flush racing a lease takeover", async () => {
  const database = await createTestDatabase({ prefix: "store_test" });
  const store = await Store.connect(database.url, { max: 8 });
  try {
    await store.migrate();
    const epoch = await store.forceLease(7, "racer-a");
    const flushes = Array.from({ length: 20 }, (_, i) =>
      store.writeFlush({
        topic: "events",
        nodeId: "racer-a",
        fences: [{ partition: 7, epoch }],
        snapshots: [],
        log: [],
        watermarks: [{ partition: 7, nextOffset: i + 1 }],
      }));
    const takeover = store.forceLease(7, "racer-b");
    const results = await Promise.all(flushes);
    const newEpoch = await takeover;
    assert.equal(newEpoch, epoch + 1);
    const late = await store.writeFlush({
      topic: "events",
      nodeId: "racer-a",
      fences: [{ partition: 7, epoch }],
      snapshots: [],
      log: [],
      watermarks: [{ partition: 7, nextOffset: 1000 }],
    });
    assert.deepEqual(late, { ok: false, reason: "fenced", partitions: [7] });
    const accepted = results.filter((result) => result.ok).length;
    const mark = (await store.readWatermarks("events")).get(7) ?? 0;
    assert.ok(mark <= 20, `watermark ${mark} written after fencing`);
    assert.ok(accepted === 0 ? mark === 0 : mark >= 1);
  } finally {
    await store.close();
    await database.drop();
  }
});

Deno.test("Store.ping reports an unreachable server as false", async () => {
  const store = await Store.connect("postgres://postgres@127.0.0.1:1/none", {
    max: 1,
  });
  try {
    assert.equal(await store.ping(), false);
  } finally {
    await store.close();
  }
});
