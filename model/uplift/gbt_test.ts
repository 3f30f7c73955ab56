import assert from "node:assert/strict";
import { GrowPolicy, Objective, predictRaw, predictRawBatch, trainGbt } from "./gbt.ts";
import { Prng } from "./prng.ts";

function dataset(n: number, seed: number) {
  const prng = new Prng(seed);
  const nCols = 5;
  const features = new Float32Array(n * nCols);
  const target = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < nCols; f++) features[r * nCols + f] = prng.normal();
    // NaN in column 2 means "positive" so the learned NaN side matters.
    const missing = prng.next() < 0.2;
    if (missing) features[r * nCols + 2] = NaN;
    const z = 2 * Math.sign(features[r * nCols]) * Math.sign(features[r * nCols + 1]) + (missing ? 2 : -1);
    target[r] = prng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { features, nRows: n, nCols, target };
}

function accuracy(raw: Float64Array, target: Float64Array): number {
  let hits = 0;
  raw.forEach((z, r) => (hits += (z > 0 ? 1 : 0) === target[r] ? 1 : 0));
  return hits / raw.length;
}

Deno.test("trainGbt learns an interaction and routes NaN to the learned side", () => {
  const train = dataset(4000, 1);
  const test = dataset(2000, 2);
  for (const growPolicy of [GrowPolicy.lossguide, GrowPolicy.depthwise]) {
    const model = trainGbt(train, { nTrees: 60, growPolicy, maxDepth: 4 });
    assert.ok(accuracy(predictRawBatch(model, test.features), test.target) > 0.75, growPolicy);
  }
  const model = trainGbt(train, { nTrees: 30 });
  const row = new Float32Array([1, 1, NaN, 0, 0]);
  const present = new Float32Array([1, 1, 0, 0, 0]);
  assert.ok(predictRaw(model, row) > predictRaw(model, present));
});

Deno.test("GbtModel keeps float32 thresholds and leaf values and survives JSON", () => {
  const model = trainGbt(dataset(1000, 3), { nTrees: 10 });
  for (const tree of model.trees) {
    tree.threshold.forEach((t) => assert.equal(Math.fround(t), t));
    tree.value.forEach((v) => assert.equal(Math.fround(v), v));
  }
  const copy = JSON.parse(JSON.stringify(model));
  const rows = dataset(50, 4).features;
  assert.deepEqual(predictRawBatch(copy, rows), predictRawBatch(model, rows));
});

Deno.test("trainGbt is deterministic for a seed with row and column subsampling", () => {
  const data = dataset(2000, 5);
  const options = { nTrees: 20, subsample: 0.7, colsample: 0.6, seed: 9 };
  assert.deepEqual(trainGbt(data, options), trainGbt(data, options));
  assert.notDeepEqual(trainGbt(data, options), trainGbt(data, { ...options, seed: 10 }));
});

Deno.test("trainGbt stops early on a validation split and respects leaf limits", () => {
  const data = dataset(3000, 6);
  const model = trainGbt(data, {
    nTrees: 400,
    learningRate: 0.3,
    validationFraction: 0.25,
    earlyStoppingRounds: 5,
  });
  assert.ok(model.trees.length < 400);
  const small = trainGbt(data, { nTrees: 5, maxLeaves: 4, minSamplesLeaf: 100 });
  for (const tree of small.trees) assert.ok(tree.feature.filter((f) => f < 0).length <= 4);
});

Deno.test("squared error with sample weights fits a weighted mean", () => {
  const features = new Float32Array([0, 0, 1, 1]);
  const model = trainGbt(
    { features, nRows: 4, nCols: 1, target: [1, 3, 10, 10], weights: [3, 1, 1, 1] },
    { objective: Objective.squaredError, nTrees: 200, minSamplesLeaf: 1, l2: 0, learningRate: 0.5 },
  );
  assert.ok(Math.abs(predictRaw(model, [0]) - 1.5) < 1e-3);
  assert.ok(Math.abs(predictRaw(model, [1]) - 10) < 1e-3);
});
