import assert from "node:assert/strict";
import { normalizeText, stem, words } from "./_stem.ts";

Deno.test("stem gives the inflections of a Russian word one stem", () => {
  const groups = [
    ["лактоза", "лактозы", "лактозой", "лактозе"],
    ["молочный", "молочные", "молочное", "молочного"],
    ["карта", "карту", "карты", "картой"],
    ["безлактозный", "безлактозное", "безлактозная"],
    ["вклад", "вклады", "вкладом", "вкладов"],
  ];
  for (const group of groups) assert.equal(new Set(group.map(stem)).size, 1, group.join(" "));
  assert.equal(stem("ипотеку"), stem("ипотека"));
  assert.notEqual(stem("сыр"), stem("сырники"));
});

Deno.test("stem strips English plurals and verb endings", () => {
  assert.equal(stem("snacks"), "snack");
  assert.equal(stem("berries"), "berry");
  assert.equal(stem("boxes"), "box");
  assert.equal(stem("cooking"), "cook");
  assert.equal(stem("glass"), "glass");
});

Deno.test("normalizeText folds case, ё, compatibility forms and drops control characters", () => {
  assert.equal(normalizeText("Зелёный ЧАЙ"), "зеленый чай");
  assert.equal(normalizeText("ｍｉｌｋ"), "milk");
  assert.equal(normalizeText("мо\u200bлоко\u0000"), "молоко");
  assert.deepEqual(words("Молоко 3,2% — 1 л!"), ["молоко", "3", "2", "1", "л"]);
});
