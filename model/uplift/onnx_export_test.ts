import assert from "node:assert/strict";
import { fitUplift, Learner, predictUplift, predictUpliftRow, type UpliftModel } from "./learners.ts";
import { exportUpliftOnnx } from "./onnx_export.ts";
import { OnnxUpliftScorer } from "./onnx_scorer.ts";
import { generateRct } from "./synthetic_rct.ts";

const train = generateRct(4000, { seed: 21 });
const rows = generateRct(1000, { seed: 22 });
// Extra NaN everywhere, so every feature's missing branch is exercised.
for (let i = 0; i < rows.features.length; i += 5) rows.features[i] = NaN;
const params = { nTrees: 60 };

async function load(bytes: Uint8Array, nProducts = 1): Promise<OnnxUpliftScorer> {
  const loaded = await OnnxUpliftScorer.load(bytes, { nFeatures: train.nCols, nProducts });
  if (!loaded.ok) throw new Error(loaded.reason);
  return loaded.scorer;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

Deno.test("ONNX scores equal the TypeScript model within 1e-5 for every learner", async () => {
  for (const learner of Object.values(Learner)) {
    const model = fitUplift(train, { learner, params, effectParams: params, seed: 2 });
    const exported = exportUpliftOnnx(model);
    assert.ok(exported.ok);
    const scorer = await load(exported.bytes);
    const onnx = await scorer.score(rows.features);
    predictUplift(model, rows.features).forEach((p, i) => {
      assert.ok(Math.abs(p.pControl - onnx.pControl[i]) < 1e-5, `${learner} pControl row ${i}`);
      assert.ok(Math.abs(p.pTreated - onnx.pTreated[i]) < 1e-5, `${learner} pTreated row ${i}`);
      assert.ok(Math.abs(p.uplift - onnx.uplift[i]) < 1e-5, `${learner} uplift row ${i}`);
    });
    await scorer.release();
  }
});

Deno.test("a multi-product export scores every product in one graph", async () => {
  const models: UpliftModel[] = [1, 2, 3].map((seed) =>
    fitUplift(generateRct(2000, { seed }), { learner: Learner.t, params: { nTrees: 20 }, seed })
  );
  const exported = exportUpliftOnnx(models.map((model, i) => ({ productId: `p${i}`, model })));
  assert.ok(exported.ok);
  assert.deepEqual(exported.productIds, ["p0", "p1", "p2"]);
  const scorer = await load(exported.bytes, 3);
  const onnx = await scorer.score(rows.features.subarray(0, 10 * train.nCols));
  for (let r = 0; r < 10; r++) {
    models.forEach((model, p) => {
      const ts = predictUpliftRow(model, rows.features, r * train.nCols);
      assert.ok(Math.abs(ts.uplift - onnx.uplift[r * 3 + p]) < 1e-5);
      assert.ok(Math.abs(ts.pTreated - onnx.pTreated[r * 3 + p]) < 1e-5);
    });
  }
  await scorer.release();
  const mixed = exportUpliftOnnx([
    { productId: "a", model: models[0] },
    { productId: "b", model: fitUplift(train, { learner: Learner.x, params: { nTrees: 5 } }) },
  ]);
  assert.deepEqual(mixed, {
    ok: false,
    reason: "Products mix effect-model learners (x, dr) with s/t learners",
  });
});

Deno.test("concurrent scores on one session all succeed and equal one-at-a-time scores", async () => {
  // Found by the fuzz suite: under many concurrent requests one inference came back without outputs
  // ("Cannot read properties of null (reading '3')"): onnxruntime-web's wasm instance cannot interleave runs,
  // so the scorer queues them. (Here runs rarely interleave; the property is what is checked.)
  const model = fitUplift(train, { learner: Learner.t, params: { nTrees: 20 }, seed: 3 });
  const exported = exportUpliftOnnx(model);
  assert.ok(exported.ok);
  const scorer = await load(exported.bytes);
  const row = (i: number) => rows.features.slice(i * train.nCols, (i + 1) * train.nCols);
  const one = [];
  for (let i = 0; i < 40; i++) one.push((await scorer.score(row(i))).uplift[0]);
  const together = await Promise.all(Array.from({ length: 40 }, (_, i) => scorer.score(row(i))));
  assert.deepEqual(together.map((scores) => scores.uplift[0]), one);
  await scorer.release();
});

Deno.test("single-user scoring latency in ONNX and TypeScript (reported, not asserted)", async () => {
  const model = fitUplift(train, { learner: Learner.x, seed: 4 });
  const exported = exportUpliftOnnx(model);
  assert.ok(exported.ok);
  const scorer = await load(exported.bytes);
  const calls = 10_000;
  const user = (i: number) => rows.features.subarray((i % 1000) * train.nCols, (i % 1000 + 1) * train.nCols);
  for (let i = 0; i < 500; i++) await scorer.score(user(i));
  const onnx: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await scorer.score(user(i));
    onnx.push(performance.now() - t0);
  }
  for (let i = 0; i < 500; i++) predictUpliftRow(model, user(i));
  const ts: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    predictUpliftRow(model, user(i));
    ts.push(performance.now() - t0);
  }
  onnx.sort((a, b) => a - b);
  ts.sort((a, b) => a - b);
  const us = (ms: number) => `${(ms * 1000).toFixed(1)}µs`;
  console.log(
    `x-learner, ${model.control.trees.length * 2 + model.effect!.trees.length} trees: ` +
      `ONNX p50 ${us(percentile(onnx, 0.5))} p99 ${us(percentile(onnx, 0.99))}; ` +
      `TypeScript p50 ${us(percentile(ts, 0.5))} p99 ${us(percentile(ts, 0.99))}`,
  );
  await scorer.release();
});
