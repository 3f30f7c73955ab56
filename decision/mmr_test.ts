import assert from "node:assert/strict";
import { selectMmr } from "./mmr.ts";

interface Item {
  id: string;
  family: string;
  uplift: number;
}

const items: Item[] = [
  { id: "a1", family: "a", uplift: 0.30 },
  { id: "a2", family: "a", uplift: 0.28 },
  { id: "b1", family: "b", uplift: 0.10 },
  { id: "c1", family: "c", uplift: 0.05 },
  { id: "b2", family: "b", uplift: 0.04 },
];
const options = (k: number, lambda: number) => ({
  k,
  lambda,
  relevance: (item: Item) => item.uplift,
  group: (item: Item) => item.family,
});
const ids = (list: Item[]) => list.map((item) => item.id);

Deno.test("selectMmr at λ 0.5 picks the best item, then one per other family", () => {
  const result = selectMmr(items, options(3, 0.5));
  assert.deepEqual(ids(result.selected), ["a1", "b1", "c1"]);
  assert.deepEqual(ids(result.redundant).sort(), ["a2", "b2"]);
  assert.deepEqual(result.rest, []);
});

Deno.test("selectMmr at λ 1 ranks by relevance alone", () => {
  const result = selectMmr(items, options(3, 1));
  assert.deepEqual(ids(result.selected), ["a1", "a2", "b1"]);
  assert.deepEqual(result.redundant, []);
  assert.deepEqual(ids(result.rest), ["c1", "b2"]);
});

Deno.test("selectMmr at a high λ lets a strong same-family item beat a weak other family", () => {
  // a2 has relevance ≈ 0.93: 0.8·0.93 − 0.2 = 0.55 beats b1's 0.8·0.33 = 0.27.
  const result = selectMmr(items, options(2, 0.8));
  assert.deepEqual(ids(result.selected), ["a1", "a2"]);
});

Deno.test("selectMmr respects k bounds", () => {
  assert.deepEqual(selectMmr(items, options(0, 0.5)).selected, []);
  assert.deepEqual(ids(selectMmr(items, options(1, 0.5)).selected), ["a1"]);
  assert.deepEqual(ids(selectMmr(items, options(100, 0.5)).selected), ["a1", "b1", "c1"]);
  assert.deepEqual(selectMmr([], options(3, 0.5)), { selected: [], redundant: [], rest: [] });
});

Deno.test("selectMmr breaks ties by input order and survives non-finite relevance", () => {
  const tied: Item[] = [
    { id: "x", family: "x", uplift: 0.1 },
    { id: "y", family: "y", uplift: 0.1 },
    { id: "z", family: "z", uplift: Number.NaN },
  ];
  assert.deepEqual(ids(selectMmr(tied, options(3, 0.5)).selected), ["x", "y", "z"]);
  assert.deepEqual(ids(selectMmr([tied[1], tied[0]], options(1, 0.5)).selected), ["y"]);
});

Deno.test("selectMmr handles negative relevance without dropping other families", () => {
  const negative: Item[] = [
    { id: "p", family: "p", uplift: -0.01 },
    { id: "q", family: "q", uplift: -0.05 },
  ];
  assert.deepEqual(ids(selectMmr(negative, options(2, 0.5)).selected), ["p", "q"]);
});
