/**
 * Quality of an embedding model on the project's own data, measured through the public API (so the
 * same numbers hold for the shipped model and for one given by `EMBEDDING_MODEL_DIR`):
 *
 * - **cross-lingual**: each catalog item's Russian name against its English name (`sameItem`), against
 *   English names of items in other categories (`unrelated`), the margin between the means, the share
 *   of items whose own translation beats every unrelated item (`winRate`), and recall@1 of finding the
 *   translation among all English names (`recallAt1`, brands make same-product items near-duplicates) and
 *   among base products without brands (`productRecallAt1`);
 * - **retrieval**: labelled shopping requests against the catalog index, text only (no filters, no
 *   preferences): precision@5 and mean reciprocal rank, beside a lexical baseline that ranks the same item
 *   texts by the cosine of their bags of word stems;
 * - **bank**: top-1 accuracy of labelled questions against product embeddings alone (no name matching).
 *
 * @module
 */

import { CATEGORY_TEMPLATES } from "../datagen/_retail_catalog_data.ts";
import { generateCatalog } from "../datagen/retail_catalog.ts";
import type { CatalogItem } from "../datagen/types.ts";
import { PRODUCTS } from "../model/products.ts";
import { BANK_QUESTIONS, SHOPPING_QUERIES } from "./_quality_queries.ts";
import { productDocument } from "./bank_product_resolver.ts";
import { stem, words } from "./_stem.ts";
import { CatalogIndex, itemDocument } from "./catalog_index.ts";
import type { Embedder } from "./embedder.ts";

/** The measured figures (rounded to three decimals). */
export interface QualityReport {
  model: { source: string; dimension: number };
  crossLingual: {
    items: number;
    sameItem: number;
    unrelated: number;
    margin: number;
    winRate: number;
    recallAt1: number;
    productRecallAt1: number;
  };
  retrieval: {
    queries: number;
    precisionAt5: number;
    mrr: number;
    lexicalBaseline: { precisionAt5: number; mrr: number };
  };
  bank: { questions: number; accuracyAt1: number };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const mean = (xs: readonly number[]) => xs.reduce((sum, x) => sum + x, 0) / Math.max(1, xs.length);

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function argmax(query: Float32Array, candidates: readonly Float32Array[]): number {
  let best = -1;
  let bestScore = -Infinity;
  candidates.forEach((candidate, at) => {
    const score = dot(query, candidate);
    if (score > bestScore) {
      bestScore = score;
      best = at;
    }
  });
  return best;
}

async function crossLingual(embedder: Embedder, catalog: readonly CatalogItem[]) {
  const ru = await embedder.embed(catalog.map((item) => item.name.ru));
  const en = await embedder.embed(catalog.map((item) => item.name.en));
  const same: number[] = [];
  const unrelated: number[] = [];
  let wins = 0;
  let hits = 0;
  catalog.forEach((item, i) => {
    same.push(dot(ru[i], en[i]));
    let worst = -Infinity;
    catalog.forEach((other, j) => {
      if (other.category === item.category) return;
      const score = dot(ru[i], en[j]);
      unrelated.push(score);
      worst = Math.max(worst, score);
    });
    if (same[i] > worst) wins++;
    if (argmax(ru[i], en) === i) hits++;
  });
  const products = CATEGORY_TEMPLATES.flatMap((category) => category.products);
  const productRu = await embedder.embed(products.map(([name]) => name));
  const productEn = await embedder.embed(products.map(([, name]) => name));
  const productHits = productRu.filter((vector, i) => argmax(vector, productEn) === i).length;
  return {
    items: catalog.length,
    sameItem: round(mean(same)),
    unrelated: round(mean(unrelated)),
    margin: round(mean(same) - mean(unrelated)),
    winRate: round(wins / catalog.length),
    recallAt1: round(hits / catalog.length),
    productRecallAt1: round(productHits / products.length),
  };
}

/** Precision@5 and MRR of rankings (one list of items per labelled query). */
function rankingQuality(rankings: readonly (readonly CatalogItem[])[]) {
  const precision: number[] = [];
  const reciprocal: number[] = [];
  SHOPPING_QUERIES.forEach((query, i) => {
    const relevant = rankings[i].map((item) =>
      query.categories.includes(item.category) && (query.tags ?? []).every((tag) => item.tags.includes(tag))
    );
    precision.push(relevant.slice(0, 5).filter(Boolean).length / 5);
    const first = relevant.indexOf(true);
    reciprocal.push(first < 0 ? 0 : 1 / (first + 1));
  });
  return { precisionAt5: round(mean(precision)), mrr: round(mean(reciprocal)) };
}

const stemBag = (text: string) => new Set(words(text).filter((word) => /\p{L}/u.test(word)).map(stem));

/** Items ranked by the cosine of stem bags (ties by catalog order). */
function lexicalRanking(text: string, catalog: readonly CatalogItem[], bags: readonly Set<string>[]) {
  const query = stemBag(text);
  return bags.map((doc, at) => {
    let shared = 0;
    for (const s of query) if (doc.has(s)) shared++;
    return { at, score: shared / Math.sqrt(query.size * doc.size || 1) };
  }).sort((a, b) => b.score - a.score || a.at - b.at).map(({ at }) => catalog[at]);
}

async function retrieval(embedder: Embedder, catalog: readonly CatalogItem[]) {
  const index = await CatalogIndex.build(embedder, catalog);
  const rankings: CatalogItem[][] = [];
  for (const query of SHOPPING_QUERIES) {
    rankings.push((await index.search({ text: query.text }, catalog.length)).map((hit) => hit.item));
  }
  const bags = catalog.map((item) => stemBag(itemDocument(item)));
  const lexical = SHOPPING_QUERIES.map((query) => lexicalRanking(query.text, catalog, bags));
  return {
    queries: SHOPPING_QUERIES.length,
    ...rankingQuality(rankings),
    lexicalBaseline: rankingQuality(lexical),
  };
}

async function bank(embedder: Embedder) {
  const products = await embedder.embed(PRODUCTS.map(productDocument));
  const questions = await embedder.embed(BANK_QUESTIONS.map((question) => question.text));
  const correct = BANK_QUESTIONS.filter((question, i) =>
    question.codes.includes(PRODUCTS[argmax(questions[i], products)].code)
  );
  return { questions: BANK_QUESTIONS.length, accuracyAt1: round(correct.length / BANK_QUESTIONS.length) };
}

/** Measures `embedder` on the catalog of `catalogSeed` (default 1, the corpus's own catalog). */
export async function measureQuality(embedder: Embedder, catalogSeed = 1): Promise<QualityReport> {
  const catalog = generateCatalog(catalogSeed);
  return {
    model: { source: embedder.source, dimension: embedder.dimension },
    crossLingual: await crossLingual(embedder, catalog),
    retrieval: await retrieval(embedder, catalog),
    bank: await bank(embedder),
  };
}
