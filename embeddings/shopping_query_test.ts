import assert from "node:assert/strict";
import { parseShoppingQuery } from "./shopping_query.ts";

Deno.test("parseShoppingQuery reads the lactose-free milk request", () => {
  assert.deepEqual(parseShoppingQuery("подбери молоко без лактозы"), {
    text: "подбери молоко без лактозы",
    requiredTags: ["lactose_free"],
    categories: ["dairy", "plant_milk"],
    meals: [],
    lang: "ru",
  });
});

Deno.test("parseShoppingQuery reads a dinner request with a price limit in rubles", () => {
  const query = parseShoppingQuery("что приготовить на ужин до 500 ₽");
  assert.equal(query.maxPrice, 500);
  assert.equal(query.text, "что приготовить на ужин");
  assert.deepEqual(query.meals, ["dinner", "cooking"]);
  assert.deepEqual(query.categories, ["fish", "frozen", "grocery", "meat", "vegetables"]);
  assert.equal(query.lang, "ru");
});

Deno.test("parseShoppingQuery reads an English request with tags, category and price", () => {
  const query = parseShoppingQuery("vegan snacks under 300 rub");
  assert.equal(query.maxPrice, 300);
  assert.deepEqual(query.requiredTags, ["vegan"]);
  assert.deepEqual(query.categories, ["snacks"]);
  assert.equal(query.text, "vegan snacks");
  assert.equal(query.lang, "en");
});

Deno.test("parseShoppingQuery understands price forms and leaves ages and weights alone", () => {
  const cases: [string, number | undefined][] = [
    ["овсяное молоко до 1 000 руб", 1000],
    ["не дороже 200р шоколад без сахара", 200],
    ["ice cream under 1.5k", 1500],
    ["до 2,5 тыс на завтрак", 2500],
    ["gluten-free bread max 250", 250],
    ["кофе дешевле 1.000", 1000],
    ["пюре для ребенка до 3 лет", undefined],
    ["up to 2 kg of rice", undefined],
    ["молоко 3,2%", undefined],
  ];
  for (const [text, maxPrice] of cases) assert.equal(parseShoppingQuery(text).maxPrice, maxPrice, text);
});

Deno.test("parseShoppingQuery prefers the longest category phrase and maps dietary words to tags", () => {
  assert.deepEqual(parseShoppingQuery("овсяное молоко").categories, ["plant_milk"]);
  assert.deepEqual(parseShoppingQuery("sour cream").categories, ["dairy"]);
  assert.deepEqual(parseShoppingQuery("хлеб без глютена для ребенка").requiredTags, ["gluten_free", "kids"]);
  assert.deepEqual(parseShoppingQuery("sugar-free organic chocolate").requiredTags, [
    "organic",
    "sugar_free",
  ]);
  assert.deepEqual(parseShoppingQuery("кефиром").categories, ["dairy"]);
});

Deno.test("parseShoppingQuery never throws on hostile strings", () => {
  for (
    const text of [
      "",
      "   ",
      "😀😀",
      "\u0000\u202e\u200b",
      "до до до ₽₽₽",
      "9".repeat(5000),
      "молоко ".repeat(20_000),
    ]
  ) {
    const query = parseShoppingQuery(text);
    assert.ok(query.text.length <= 2_000);
    assert.ok(Array.isArray(query.requiredTags) && Array.isArray(query.categories));
    assert.ok(query.maxPrice === undefined || Number.isFinite(query.maxPrice));
  }
  assert.throws(() => parseShoppingQuery(null as unknown as string), TypeError);
});
