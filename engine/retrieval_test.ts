import assert from "node:assert/strict";
import { UserActor } from "../actors/user_actor.ts";
import { Embedder } from "../embeddings/embedder.ts";
import { createLogger } from "../obs/log.ts";
import type { Sql } from "../store/_sql.ts";
import { CatalogRetrieval } from "./retrieval.ts";

const ITEM = {
  item_id: "dairy-001",
  category: "dairy",
  brand: "Простоквашино",
  price: "89",
  name_ru: "Молоко 3,2%",
  name_en: "Milk 3.2%",
  tags: [],
  availability: { msk: 10 },
};

/** A stand-in for postgres.js that answers the catalog query as told: rows, refused, or never. */
function catalogDatabase() {
  const state = { mode: "rows" as "rows" | "down" | "hang", rows: [] as unknown[], queries: 0 };
  const hung: (() => void)[] = [];
  const sql = (() => {
    state.queries++;
    if (state.mode === "down") return Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
    if (state.mode === "hang") return new Promise((resolve) => hung.push(() => resolve([])));
    return Promise.resolve(state.rows);
  }) as unknown as Sql;
  return { sql, state, release: () => hung.splice(0).forEach((resolve) => resolve()) };
}

Deno.test("CatalogRetrieval answers without items, without waiting, while Postgres is away and the catalog is empty", async () => {
  // Found by `deno task chaos`: with no catalog loaded yet, every retail chat looked it up again, and with
  // Postgres stopped the turn failed (refused) or waited for the database to come back (10 s and more).
  const database = catalogDatabase();
  const retrieval = new CatalogRetrieval(await Embedder.load(), database.sql, createLogger({}, "error"), {
    emptyRetryMs: 0,
  });
  const actor = new UserActor("shopper-1", 0);
  assert.equal(await retrieval.reindex(), 0);

  database.state.mode = "down";
  const refused = await retrieval.search(actor, "хочу молоко", { k: 3, usePreferences: false });
  assert.deepEqual(refused.items, []);

  database.state.mode = "hang";
  const started = performance.now();
  const waited = await retrieval.search(actor, "хочу молоко", { k: 3, usePreferences: false });
  assert.deepEqual(waited.items, []);
  assert.ok(performance.now() - started < 2_000, "a hung lookup is not waited for");
  database.release();

  // Once the catalog is there, the next request finds it.
  database.state.mode = "rows";
  database.state.rows = [ITEM];
  await new Promise((resolve) => setTimeout(resolve, 0));
  const found = await retrieval.search(actor, "хочу молоко", { k: 3, usePreferences: false });
  assert.deepEqual(found.items.map((item) => item.id), ["dairy-001"]);
  const queries = database.state.queries;
  await retrieval.search(actor, "молоко", { k: 3, usePreferences: false });
  assert.equal(database.state.queries, queries, "a built index answers from memory");
});

Deno.test("CatalogRetrieval looks an empty catalog up again at most once per emptyRetryMs, and finds it after", async () => {
  // Seen in the chaos logs: with no catalog (a bank-only deployment), every retail-sounding chat queried
  // Postgres for it again and logged "catalog indexed".
  const database = catalogDatabase();
  const retrieval = new CatalogRetrieval(await Embedder.load(), database.sql, createLogger({}, "error"), {
    emptyRetryMs: 300,
  });
  const actor = new UserActor("shopper-2", 0);
  assert.equal(await retrieval.reindex(), 0);
  const after = database.state.queries;
  for (let i = 0; i < 20; i++) {
    assert.deepEqual((await retrieval.search(actor, "молоко", { k: 3, usePreferences: false })).items, []);
  }
  assert.equal(database.state.queries, after, "no lookup within the retry interval");
  database.state.rows = [ITEM];
  await new Promise((resolve) => setTimeout(resolve, 350));
  const found = await retrieval.search(actor, "молоко", { k: 3, usePreferences: false });
  assert.deepEqual(found.items.map((item) => item.id), ["dairy-001"]);
  assert.equal(database.state.queries, after + 1);
});
