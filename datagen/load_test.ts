import assert from "node:assert/strict";
import { createTestDatabase } from "../store/_test_database.ts";
import { testVault } from "../privacy/_test_vault.ts";
import { Store } from "../store/store.ts";
import { generate } from "./generate.ts";
import { loadGenerated } from "./load.ts";

Deno.test("loadGenerated writes every table in bulk and is idempotent", async () => {
  const db = await createTestDatabase({ prefix: "datagen_load" });
  const store = await Store.connect(db.url, { max: 2 });
  try {
    await store.migrate();
    const data = generate({ seed: 9, users: 300, shoppers: 100, asOf: "2025-06-01T00:00:00.000Z" });
    const vault = await testVault();
    const first = await loadGenerated(store.sql, data, { vault, chunkSize: 500 });
    assert.ok(first.ok, first.ok ? "" : first.reason);
    assert.deepEqual(first.counts, {
      users: 400,
      bankMonthly: 300 * 12,
      campaignLog: data.campaign.length,
      catalogItems: data.catalog.length,
    });
    const second = await loadGenerated(store.sql, data, { vault });
    assert.ok(second.ok);
    const [counts] = await store.sql<{ users: number; monthly: number; campaign: number; catalog: number }[]>`
      select (select count(*) from users)::int as users, (select count(*) from bank_monthly)::int as monthly,
        (select count(*) from campaign_log)::int as campaign, (select count(*) from catalog_items)::int as catalog`;
    assert.deepEqual(counts, {
      users: 400,
      monthly: 3600,
      campaign: data.campaign.length,
      catalog: data.catalog.length,
    });
    const [client] = await store.sql<{ segment: string; display_name: string; attributes: string }[]>`
      select segment, display_name, attributes from users where user_id = 'b-000001'`;
    assert.equal(client.segment, data.clients[0].profile.segmento);
    // Personal data is sealed at rest and opens to what the generator made.
    assert.match(client.display_name, /^enc:v1:t1:/);
    assert.match(client.attributes, /^enc:v1:t1:/);
    assert.equal(await vault.openDisplayName("b-000001", client.display_name), data.clients[0].displayName);
    const attributes = await vault.openAttributes("b-000001", client.attributes);
    assert.deepEqual(attributes.products, data.clients[0].monthly.at(-1)!.products);
    const [shopper] = await store.sql<{ segment: string; attributes: string }[]>`
      select segment, attributes from users where user_id = 'r-000001'`;
    assert.equal(shopper.segment, "retail");
    assert.deepEqual(await vault.openAttributes("r-000001", shopper.attributes), {
      location: data.shoppers[0].location,
    });
    const item = data.catalog.find((i) => i.tags.length > 1)!;
    const [row] = await store
      .sql`select tags, name_ru, price::float8 as price, availability from catalog_items
      where item_id = ${item.id}`;
    assert.deepEqual(row, {
      tags: item.tags,
      name_ru: item.name.ru,
      price: item.price,
      availability: item.availability,
    });
    const [log] = await store
      .sql`select sum(converted)::int as converted, sum(treated)::int as treated from campaign_log`;
    assert.equal(log.converted, data.campaign.filter((r) => r.converted).length);
    assert.equal(log.treated, data.campaign.filter((r) => r.treated).length);
    const [monthly] = await store
      .sql`select profile->>'nomprov' as nomprov, fecha_dato::text as fecha from bank_monthly
      where user_id = 'b-000001' order by fecha_dato desc limit 1`;
    assert.equal(monthly.nomprov, data.clients[0].profile.nomprov);
    assert.equal(monthly.fecha, data.clients[0].profile.fecha_dato);
  } finally {
    await store.close();
    await db.drop();
  }
});
