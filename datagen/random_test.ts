import assert from "node:assert/strict";
import { hashString, Random } from "./random.ts";

Deno.test("Random gives the same stream for the same seed and a different one otherwise", () => {
  const a = new Random(42), b = new Random(42), c = new Random(43);
  const xs = Array.from({ length: 50 }, () => a.nextUint32());
  assert.deepEqual(Array.from({ length: 50 }, () => b.nextUint32()), xs);
  assert.notDeepEqual(Array.from({ length: 50 }, () => c.nextUint32()), xs);
  assert.deepEqual(new Random(7).fork("x").next(), new Random(7).fork("x").next());
  assert.notEqual(new Random(7).fork("x").next(), new Random(7).fork("y").next());
  assert.equal(hashString("abc"), hashString("abc"));
});

Deno.test("Random distributions have the expected moments", () => {
  const rng = new Random(1);
  const n = 20_000;
  let sum = 0, sq = 0, pois = 0, under = 0;
  for (let i = 0; i < n; i++) {
    const x = rng.normal(2, 3);
    sum += x;
    sq += (x - 2) ** 2;
    pois += rng.poisson(4);
    if (rng.next() < 0.25) under++;
  }
  assert.ok(Math.abs(sum / n - 2) < 0.1);
  assert.ok(Math.abs(Math.sqrt(sq / n) - 3) < 0.1);
  assert.ok(Math.abs(pois / n - 4) < 0.1);
  assert.ok(Math.abs(under / n - 0.25) < 0.02);
  const counts = [0, 0, 0];
  for (let i = 0; i < n; i++) counts[rng.categorical([1, 2, 7])]++;
  assert.ok(Math.abs(counts[2] / n - 0.7) < 0.02);
  const items = [1, 2, 3, 4, 5];
  assert.deepEqual(rng.shuffle(items.slice()).sort(), items);
  assert.equal(new Set(rng.sampleWeighted(items, [1, 1, 1, 1, 1], 3)).size, 3);
  for (let i = 0; i < 100; i++) {
    const k = rng.int(3, 5);
    assert.ok(k >= 3 && k <= 5);
  }
});
