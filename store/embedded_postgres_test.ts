import assert from "node:assert/strict";
import { startEmbeddedPostgres } from "./embedded_postgres.ts";
import { MIGRATIONS } from "./migrations.ts";
import { STORE_SCENARIOS } from "./_store_scenarios.ts";
import { Store } from "./store.ts";

Deno.test("Store honours its contract on embedded PGlite", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "pglite_store_" });
  try {
    const pg = await startEmbeddedPostgres(dataDir);
    assert.match(pg.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?max=1$/);
    const store = await Store.connect(pg.url);
    try {
      assert.equal(await store.ping(), true);
      // Every migration applies on a fresh database (the list grows as the schema does).
      assert.deepEqual(await store.migrate(), { ok: true, applied: MIGRATIONS.map((m) => m.version) });
      assert.deepEqual(await store.migrate(), { ok: true, applied: [] });
      for (const scenario of STORE_SCENARIOS) {
        await t.step(scenario.name, () => scenario.run(store));
      }
    } finally {
      await store.close();
      await pg.close();
    }

    // Data survives a restart because PGlite persists to dataDir.
    const again = await startEmbeddedPostgres(dataDir);
    const reopened = await Store.connect(again.url);
    try {
      assert.deepEqual(await reopened.migrate(), { ok: true, applied: [] });
      const loaded = await reopened.loadSnapshots(["rt-0", "rt-9999"]);
      assert.equal(loaded.size, 2);
      assert.equal((await reopened.readWatermarks("events")).get(100), 11_000);
    } finally {
      await reopened.close();
      await again.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("Embedded Postgres serves concurrent queries over one connection", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "pglite_conc_" });
  const pg = await startEmbeddedPostgres(dataDir);
  const store = await Store.connect(pg.url);
  try {
    await store.migrate();
    const epoch = await store.forceLease(1, "solo");
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      i % 3 === 0
        ? store.writeFlush({
          topic: "events",
          nodeId: "solo",
          fences: [{ partition: 1, epoch }],
          snapshots: [{
            userId: `c-${i}`,
            partition: 1,
            offset: i,
            eventsApplied: i,
            state: new Uint8Array([i]),
          }],
          log: [],
          watermarks: [{ partition: 1, nextOffset: i + 1 }],
        })
        : store.sql`select ${i}::int as n`.then((rows) => ({
          ok: rows[0].n === i,
        }))));
    assert.ok(results.every((result) => result.ok));
    assert.equal((await store.readWatermarks("events")).get(1), 28);
  } finally {
    await store.close();
    await pg.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
