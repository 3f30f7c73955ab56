import assert from "node:assert/strict";
import { planFlushChunks } from "./_flush_plan.ts";

Deno.test("planFlushChunks puts each watermark with its partition's last snapshots", () => {
  const items = [
    { id: "a", partition: 2 },
    { id: "b", partition: 0 },
    { id: "c", partition: 1 },
    { id: "d", partition: 1 },
    { id: "e", partition: 2 },
  ];
  const chunks = planFlushChunks(items, new Map([[0, 10], [1, 20], [2, 30], [3, 40]]), 2);
  assert.deepEqual(chunks.map((chunk) => chunk.items.map((item) => item.partition)), [[0, 1], [1, 2], [2]]);
  assert.deepEqual(chunks.map((chunk) => chunk.watermarks.map((w) => w.partition)), [[0], [1], [2, 3]]);
  assert.deepEqual(chunks[2].partitions, [2, 3]);
});

Deno.test("planFlushChunks writes watermarks alone when nothing is dirty, and nothing when idle", () => {
  assert.deepEqual(planFlushChunks([], new Map([[4, 7]]), 100), [
    { items: [], watermarks: [{ partition: 4, nextOffset: 7 }], partitions: [4] },
  ]);
  assert.deepEqual(planFlushChunks([], new Map(), 100), []);
  assert.throws(() => planFlushChunks([], new Map(), 0), RangeError);
});
