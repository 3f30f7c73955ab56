import assert from "node:assert/strict";
import { binFeatures, binOf, fitFeatureBins, MISSING_BIN } from "./feature_bins.ts";

Deno.test("fitFeatureBins puts few distinct values in their own bins and NaN in the missing bin", () => {
  const features = new Float32Array([1, 5, 2, 5, NaN, 5, 1, 7, 3, NaN]);
  const bins = fitFeatureBins(features, 5, 2);
  assert.deepEqual([...bins.thresholds[0]], [1.5, 2.5]);
  assert.deepEqual([...bins.thresholds[1]], [6]);
  assert.deepEqual([...binFeatures(bins, features, 5)], [0, 0, 1, 0, MISSING_BIN, 0, 0, 1, 2, MISSING_BIN]);
});

Deno.test("fitFeatureBins caps value bins at maxBins − 1 with float32 thresholds", () => {
  const n = 10_000;
  const features = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1000);
  const bins = fitFeatureBins(features, n, 1, 64);
  assert.ok(bins.thresholds[0].length <= 62);
  for (const t of bins.thresholds[0]) assert.equal(Math.fround(t), t);
  assert.equal(binOf(bins.thresholds[0], 1e9), bins.thresholds[0].length);
  assert.equal(binOf(bins.thresholds[0], bins.thresholds[0][3]), 3);
});
