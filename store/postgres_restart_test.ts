/**
 * The Postgres client across server stops under transactional load, on a private server this test stops
 * and starts (never the shared one). Found by the chaos scenario in CI: a node's process ended with
 * `TypeError: Cannot read properties of null (reading 'write')` thrown by postgres.js from a timer when
 * Postgres stopped, and after the restart queries waited up to 20 s for a reconnect (see
 * `tools/postgres_patches.ts` and `reconnectBackoffSeconds`).
 */

import assert from "node:assert/strict";
import { PrivatePostgres } from "../chaos/private_postgres.ts";
import { installedPostgres, PATCH_MARK, patchPostgres, POSTGRES_PATCHES } from "../tools/postgres_patches.ts";
import { reconnectBackoffSeconds } from "./_sql.ts";
import { Store } from "./store.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("transactions keep running through Postgres stops: no crash, no stuck query, service within a second", async () => {
  await using server = await PrivatePostgres.start();
  const store = await Store.connect(server.url, { max: 10 });
  try {
    await store.migrate();
    await store.sql`create table restart_probe (id int primary key, hits int not null)`;
    const started = new Map<number, number>();
    const totals = { ok: 0, failed: 0 };
    let sequence = 0;
    let running = true;
    // Sixteen workers: half run two-statement transactions (the shape of a snapshot flush), half the
    // heartbeat and lease queries every node runs each second.
    const worker = async (k: number) => {
      while (running) {
        const id = sequence++;
        started.set(id, Date.now());
        try {
          if (k % 2 === 0) {
            await store.sql.begin(async (tx) => {
              await tx`insert into restart_probe values (${k}, 1) on conflict (id) do update set hits = restart_probe.hits + 1`;
              await tx`select pg_sleep(0.005)`;
            });
          } else {
            await store.heartbeat({
              nodeId: `node-${k}`,
              httpUrl: "http://x",
              startedAt: new Date(),
              assigned: [k],
            });
            await store.acquireLease(k, `node-${k}`, { staleAfterMs: 60_000 });
          }
          totals.ok++;
        } catch {
          totals.failed++;
          await sleep(20);
        }
        started.delete(id);
      }
    };
    const workers = Array.from({ length: 16 }, (_, k) => worker(k));
    for (const mode of ["fast", "immediate", "fast"] as const) {
      await sleep(800);
      const failedBefore = totals.failed;
      await server.stop(mode);
      await sleep(1_500);
      await server.resume();
      const back = Date.now();
      const okBefore = totals.ok;
      // Service resumes within about a second of the server accepting queries, not after a 20 s backoff.
      while (totals.ok < okBefore + 50 && Date.now() - back < 3_000) await sleep(20);
      assert.ok(totals.ok >= okBefore + 50, `after a ${mode} stop: ${totals.ok - okBefore} queries in 3 s`);
      assert.ok(totals.failed > failedBefore, `the ${mode} stop was seen by the workers`);
      const stuck = [...started.values()].filter((at) => Date.now() - at > 3_000).length;
      assert.equal(stuck, 0, `after a ${mode} stop: ${stuck} queries pending for more than 3 s`);
    }
    running = false;
    const finished = await Promise.race([
      Promise.all(workers).then(() => true),
      sleep(10_000).then(() => false),
    ]);
    assert.ok(finished, "every worker's last query settled");
    const [{ hits }] = await store.sql<{ hits: number }[]>`select sum(hits)::int as hits from restart_probe`;
    assert.ok(hits > 0);
  } finally {
    await store.close();
  }
});

Deno.test("reconnect backoff grows from 25-50 ms and never exceeds a second", () => {
  assert.equal(reconnectBackoffSeconds(0, () => 0), 0.025);
  assert.equal(reconnectBackoffSeconds(0, () => 1), 0.05);
  assert.ok(reconnectBackoffSeconds(3, () => 1) > reconnectBackoffSeconds(2, () => 1));
  for (const retries of [5, 10, 50, 1_000]) assert.ok(reconnectBackoffSeconds(retries) <= 1);
});

Deno.test("the installed postgres.js carries every patch, and patching is idempotent and version-checked", async () => {
  const root = new URL("../", import.meta.url);
  const copies = await installedPostgres(root);
  assert.ok(copies.length > 0);
  for (const copy of copies) {
    for (const patch of POSTGRES_PATCHES) {
      for (const file of patch.files) {
        const text = await Deno.readTextFile(new URL(file, copy));
        assert.ok(text.includes(patch.replace), `${file}: ${patch.reason}`);
      }
    }
  }
  const dir = await Deno.makeTempDir();
  try {
    const fake = new URL(`file://${dir}/`);
    await Deno.mkdir(new URL("src", fake));
    await Deno.mkdir(new URL("cjs/src", fake), { recursive: true });
    for (const file of ["src/index.js", "src/connection.js", "cjs/src/index.js", "cjs/src/connection.js"]) {
      await Deno.copyFile(new URL(file, copies[0]), new URL(file, fake));
    }
    await Deno.writeTextFile(new URL("package.json", fake), JSON.stringify({ version: "3.4.9" }));
    assert.equal(await patchPostgres(fake), 0, "an already patched copy is left as it is");
    // The unpatched text, as the release ships it, gets every replacement once.
    for (const patch of POSTGRES_PATCHES) {
      for (const file of patch.files) {
        const url = new URL(file, fake);
        await Deno.writeTextFile(url, (await Deno.readTextFile(url)).replace(patch.replace, patch.find));
      }
    }
    const replacements = POSTGRES_PATCHES.reduce((sum, patch) => sum + patch.files.length, 0);
    assert.equal(await patchPostgres(fake), replacements);
    assert.ok((await Deno.readTextFile(new URL("src/connection.js", fake))).includes(PATCH_MARK));
    await Deno.writeTextFile(new URL("src/index.js", fake), "// another release\n");
    await assert.rejects(() => patchPostgres(fake), /missing or not unique/);
    await Deno.writeTextFile(new URL("package.json", fake), JSON.stringify({ version: "3.5.0" }));
    await assert.rejects(() => patchPostgres(fake), /postgres 3\.5\.0 is installed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
