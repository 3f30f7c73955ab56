import assert from "node:assert/strict";
import { FEATURE_COUNT, FEATURE_NAMES } from "../features.ts";
import { scoreItemSimilarity, trainItemSimilarity } from "./collaborative.ts";
import { ruleScore } from "./rules.ts";

Deno.test("ruleScore pushes insurance after a car purchase, as the bank's rules do", () => {
  const features = new Float32Array(FEATURE_COUNT);
  features[FEATURE_NAMES.indexOf("age")] = 35;
  const before = ruleScore(features, "ins_auto");
  features[FEATURE_NAMES.indexOf("life_car_purchase_recent")] = 1;
  assert.ok(ruleScore(features, "ins_auto") > before);
  assert.ok(ruleScore(features, "ins_auto") > ruleScore(features, "partner_auto_accessories"));
});

Deno.test("item-item CF recommends what co-holders hold and never what is held", () => {
  const products = ["current", "card", "loan", "funds"];
  const rows = [
    [1, 1, 0, 0],
    [1, 1, 1, 0],
    [1, 1, 1, 0],
    [0, 0, 0, 1],
    [1, 0, 0, 1],
  ];
  const model = trainItemSimilarity(rows, products);
  const scores = scoreItemSimilarity(model, [0, 1, 0, 0]);
  assert.equal(scores[1], -1);
  assert.ok(scores[0] > scores[3], "current accounts go with cards");
  assert.ok(scores[2] > scores[3], "loans go with cards");
  const cold = scoreItemSimilarity(model, [0, 0, 0, 0]);
  assert.deepEqual(cold, model.popularity);
});
