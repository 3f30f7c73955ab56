import assert from "node:assert/strict";
import { jacobiEigen, multiplySparse, randomizedEigen, sparseFromEntries } from "./_linalg.ts";

Deno.test("jacobiEigen diagonalises a symmetric matrix", () => {
  const a = new Float64Array([4, 1, 2, 1, 3, 0, 2, 0, 5]);
  const { values, vectors } = jacobiEigen(a, 3);
  for (let k = 0; k < 3; k++) {
    for (let r = 0; r < 3; r++) {
      let av = 0;
      for (let c = 0; c < 3; c++) av += a[r * 3 + c] * vectors[c * 3 + k];
      assert.ok(Math.abs(av - values[k] * vectors[r * 3 + k]) < 1e-9);
    }
  }
  assert.ok(Math.abs(values.reduce((s, v) => s + v, 0) - 12) < 1e-9);
});

Deno.test("randomizedEigen finds the dominant eigenpairs of a sparse matrix, the same for a seed", () => {
  const size = 40;
  const entries = new Map<number, number>();
  for (let i = 0; i < size; i++) {
    entries.set(i * size + i, i < 3 ? 10 * (3 - i) : 0.01 * i);
    if (i + 1 < size) {
      entries.set(i * size + i + 1, 0.001);
      entries.set((i + 1) * size + i, 0.001);
    }
  }
  const m = sparseFromEntries(size, entries);
  const first = randomizedEigen(m, 3, { seed: 7 });
  assert.deepEqual([...first.values].map((v) => Math.round(v)), [30, 20, 10]);
  for (let k = 0; k < 3; k++) {
    const column = new Float64Array(size);
    for (let r = 0; r < size; r++) column[r] = first.vectors[r * 3 + k];
    const product = multiplySparse(m, column, 1);
    for (let r = 0; r < size; r++) assert.ok(Math.abs(product[r] - first.values[k] * column[r]) < 1e-6);
  }
  const second = randomizedEigen(m, 3, { seed: 7 });
  assert.deepEqual([...second.vectors], [...first.vectors]);
});
