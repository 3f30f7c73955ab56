import assert from "node:assert/strict";
import { parseCsv } from "./_csv.ts";
import { generate } from "./generate.ts";
import { parseSantanderCsv } from "./santander_csv.ts";
import { CAMPAIGN_COLUMNS, writeFiles } from "./write_files.ts";

Deno.test("writeFiles output round-trips: clients.csv re-reads into the same monthly rows", async () => {
  const dir = await Deno.makeTempDir({ prefix: "datagen_files_" });
  try {
    const data = generate({ seed: 21, users: 120, shoppers: 30, asOf: "2025-06-01T00:00:00.000Z" });
    const paths = await writeFiles(data, dir);
    const clients = parseSantanderCsv(await Deno.readTextFile(paths.clients));
    assert.ok(clients.ok);
    assert.equal(clients.skipped.length, 0);
    assert.deepEqual(clients.rows, data.clients.flatMap((c) => c.monthly));
    const train =
      (await Deno.readTextFile(new URL("../../shared/data/santander/train_sample.csv", import.meta.url)))
        .split("\n")[0];
    assert.equal(
      (await Deno.readTextFile(paths.clients)).split("\n")[0],
      train.trim(),
      "header as in train_sample.csv",
    );
    const campaign = parseCsv(await Deno.readTextFile(paths.campaign));
    assert.ok(campaign.ok);
    assert.deepEqual(campaign.records[0].fields, [...CAMPAIGN_COLUMNS]);
    assert.equal(campaign.records.length, data.campaign.length + 1);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(paths.catalog)), data.catalog);
    const lines = (await Deno.readTextFile(paths.events)).trimEnd().split("\n");
    assert.equal(lines.length, data.events.length);
    assert.deepEqual(JSON.parse(lines[lines.length - 1]), data.events[data.events.length - 1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
