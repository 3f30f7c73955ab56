import assert from "node:assert/strict";
import { Embedder } from "./embedder.ts";
import { measureQuality } from "./quality.ts";

// Measured with `deno task embeddings:eval`: margin 0.99, win rate 1.0, base-product recall@1 0.95,
// precision@5 0.90 and MRR 0.97 (stem-overlap baseline 0.72 and 0.87), bank accuracy 0.88. The bounds
// leave room for retraining noise only.
Deno.test("the shipped model's cross-lingual, retrieval and bank quality stays above its floors", async () => {
  const embedder = await Embedder.load();
  const report = await measureQuality(embedder);
  await embedder.dispose();
  assert.equal(report.model.source, "shipped");
  assert.ok(report.crossLingual.sameItem > 0.9, JSON.stringify(report.crossLingual));
  assert.ok(report.crossLingual.margin > 0.8, JSON.stringify(report.crossLingual));
  assert.ok(report.crossLingual.winRate >= 0.98, JSON.stringify(report.crossLingual));
  assert.ok(report.crossLingual.productRecallAt1 >= 0.9, JSON.stringify(report.crossLingual));
  assert.ok(report.retrieval.precisionAt5 >= 0.85, JSON.stringify(report.retrieval));
  assert.ok(report.retrieval.mrr >= 0.9, JSON.stringify(report.retrieval));
  assert.ok(report.retrieval.precisionAt5 > report.retrieval.lexicalBaseline.precisionAt5 + 0.1);
  assert.ok(report.bank.accuracyAt1 >= 0.8, JSON.stringify(report.bank));
});
