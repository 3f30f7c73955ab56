import assert from "node:assert/strict";
import { generateCatalog } from "../datagen/retail_catalog.ts";
import { CatalogIndex, PREFERENCE_WEIGHT } from "./catalog_index.ts";
import { Embedder } from "./embedder.ts";

const catalog = generateCatalog(1);

async function withIndex(body: (index: CatalogIndex) => Promise<void>): Promise<void> {
  const embedder = await Embedder.load();
  try {
    await body(await CatalogIndex.build(embedder, catalog));
  } finally {
    await embedder.dispose();
  }
}

Deno.test("CatalogIndex: «молоко без лактозы» retrieves lactose-free dairy and plant milk", async () => {
  await withIndex(async (index) => {
    assert.equal(index.size, catalog.length);
    const parsed = await index.search("подбери молоко без лактозы", 5);
    assert.equal(parsed.length, 5);
    for (const hit of parsed) {
      assert.ok(hit.item.tags.includes("lactose_free"));
      assert.ok(["dairy", "plant_milk"].includes(hit.item.category));
      assert.ok(hit.filters.includes("tag:lactose_free"));
      assert.ok(hit.item.name.ru.toLowerCase().includes("молоко"), hit.item.name.ru);
    }
    // Without any filter the embedding alone still ranks lactose-free milks first.
    const plain = await index.search({ text: "молоко без лактозы" }, 3);
    for (const hit of plain) {
      assert.ok(hit.item.tags.includes("lactose_free") && /молоко/i.test(hit.item.name.ru));
    }
    const english = await index.search({ text: "lactose-free milk" }, 3);
    for (const hit of english) assert.ok(hit.item.tags.includes("lactose_free"));
  });
});

Deno.test("CatalogIndex: price, location, tag and category filters hold for every hit", async () => {
  await withIndex(async (index) => {
    const queries = ["что приготовить на ужин до 500 ₽", "vegan snacks under 300 rub", "кофе", "наушники"];
    for (const location of ["msk", "spb", "kzn", "ekb"]) {
      for (const text of queries) {
        const hits = await index.search({ text, location, maxPrice: 400 }, 50);
        for (const hit of hits) {
          assert.ok(hit.item.availability[location] > 0, `${hit.item.id} out of stock in ${location}`);
          assert.ok(hit.item.price <= 400);
          assert.ok(hit.filters.includes(`location:${location}`) && hit.filters.includes("maxPrice:400"));
        }
      }
    }
    const dinner = await index.search("что приготовить на ужин до 500 ₽", 100);
    assert.ok(dinner.length > 0);
    for (const hit of dinner) {
      assert.ok(hit.item.price <= 500);
      assert.ok(["fish", "frozen", "grocery", "meat", "vegetables"].includes(hit.item.category));
    }
    const snacks = await index.search("vegan snacks under 300 rub", 100);
    assert.ok(snacks.length > 0);
    for (const hit of snacks) {
      assert.ok(hit.item.category === "snacks" && hit.item.tags.includes("vegan") && hit.item.price <= 300);
    }
    assert.deepEqual(await index.search({ text: "молоко", location: "nowhere" }, 5), []);
    assert.deepEqual(await index.search({ text: "молоко", maxPrice: 1 }, 5), []);
  });
});

Deno.test("CatalogIndex mixes the user's preferences into the score and reports them", async () => {
  await withIndex(async (index) => {
    const text = "молоко без лактозы";
    const base = await index.search({ text, requiredTags: ["lactose_free"] }, 20);
    const parmalat = base.find((hit) => hit.item.brand === "Parmalat")!;
    const withBrand = await index.search({
      text,
      requiredTags: ["lactose_free"],
      preferences: [{ key: "Parmalat", weight: 5 }, { key: "100-500", weight: 1 }],
    }, 20);
    const rank = (hits: typeof base) => hits.findIndex((hit) => hit.item.id === parmalat.item.id);
    assert.ok(rank(withBrand) < rank(base), `${rank(withBrand)} vs ${rank(base)}`);
    const top = withBrand[rank(withBrand)];
    assert.equal(top.preferences[0].key, "Parmalat");
    assert.equal(top.preferences[0].dimension, "brand");
    const band = top.preferences.find((term) => term.key === "100-500")!;
    assert.equal(band.dimension, "priceBand");
    assert.ok(Math.abs(band.contribution - PREFERENCE_WEIGHT / 6) < 1e-9);
    assert.ok(
      Math.abs(
        top.score - ((1 - PREFERENCE_WEIGHT) * top.textScore + PREFERENCE_WEIGHT * top.preferenceScore),
      ) < 1e-9,
    );
    // No text: the preferences alone rank, so a dairy lover gets dairy first.
    const onlyPreferences = await index.search({ preferences: [{ key: "dairy", weight: 3 }] }, 5);
    for (const hit of onlyPreferences) assert.equal(hit.item.category, "dairy");
    // A dislike pushes its category down.
    const disliked = await index.search({ text: "молоко", preferences: [{ key: "dairy", weight: -5 }] }, 3);
    for (const hit of disliked) assert.equal(hit.item.category, "plant_milk");
  });
});

Deno.test("CatalogIndex answers hostile queries without throwing", async () => {
  await withIndex(async (index) => {
    assert.equal((await index.search("", 5)).length, 5);
    assert.deepEqual(await index.search("молоко", 0), []);
    assert.deepEqual(await index.search("молоко", -3), []);
    assert.deepEqual(await index.search("молоко", Number.NaN), []);
    assert.equal((await index.search("молоко ".repeat(20_000), 3)).length, 3);
    assert.equal((await index.search("\u0000\u202e😀\uD800", 3)).length, 3);
    const odd = await index.search({
      text: "кофе",
      maxPrice: Number.NaN,
      preferences: [{ key: "", weight: 1 }, { key: "x", weight: Number.POSITIVE_INFINITY }, {
        key: "dairy",
        weight: 0,
      }],
    }, 3);
    assert.equal(odd.length, 3);
    for (const hit of odd) assert.ok(Number.isFinite(hit.score) && hit.preferences.length === 0);
  });
});
