import { predictRawBatch, trainGbt } from "../gbt.ts";
import { Prng } from "../prng.ts";
const n = 50000, F = 40;
const rng = new Prng(3);
const X = new Float32Array(n * F);
const y = new Float64Array(n);
for (let r = 0; r < n; r++) {
  for (let f = 0; f < F; f++) X[r * F + f] = rng.next() < 0.05 ? NaN : rng.normal();
  const z = X[r * F] * 1.5 - (X[r * F + 1] > 0.3 ? 1 : 0) + X[r * F + 2] * X[r * F + 3];
  y[r] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
}
for (const policy of ["lossguide", "depthwise"] as const) {
  const t0 = performance.now();
  const m = trainGbt({ features: X, nRows: n, nCols: F, target: y }, { growPolicy: policy });
  const t1 = performance.now();
  const raw = predictRawBatch(m, X);
  let ll = 0;
  for (let r = 0; r < n; r++) {
    const p = 1 / (1 + Math.exp(-raw[r]));
    ll -= y[r] * Math.log(p) + (1 - y[r]) * Math.log(1 - p);
  }
  console.log(
    policy,
    "train ms",
    (t1 - t0).toFixed(0),
    "trees",
    m.trees.length,
    "logloss",
    (ll / n).toFixed(4),
    "predict ms",
    (performance.now() - t1).toFixed(0),
  );
}
const t2 = performance.now();
const m2 = trainGbt({ features: X, nRows: n, nCols: F, target: y }, {
  subsample: 0.8,
  colsample: 0.5,
  validationFraction: 0.2,
});
console.log(
  "sub/col/es ms",
  (performance.now() - t2).toFixed(0),
  "trees",
  m2.trees.length,
  JSON.stringify(m2).length,
);
