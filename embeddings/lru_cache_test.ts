import assert from "node:assert/strict";
import { LruCache } from "./lru_cache.ts";

Deno.test("LruCache evicts the least recently used entry and counts hits and misses", () => {
  const cache = new LruCache<string, number>(2);
  cache.set("a", 1);
  cache.set("b", 2);
  assert.equal(cache.get("a"), 1);
  cache.set("c", 3);
  assert.equal(cache.get("b"), undefined);
  assert.equal(cache.get("a"), 1);
  assert.equal(cache.get("c"), 3);
  assert.deepEqual(cache.stats, { hits: 3, misses: 1, size: 2, capacity: 2 });
  cache.set("a", 10);
  cache.set("d", 4);
  assert.equal(cache.get("c"), undefined);
  assert.equal(cache.get("a"), 10);
  cache.clear();
  assert.equal(cache.size, 0);
});

Deno.test("LruCache with capacity 0 stores nothing and rejects a bad capacity", () => {
  const cache = new LruCache<string, number>(0);
  cache.set("a", 1);
  assert.equal(cache.get("a"), undefined);
  assert.throws(() => new LruCache(-1), RangeError);
  assert.throws(() => new LruCache(1.5), RangeError);
});
