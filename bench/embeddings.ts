/**
 * On-device embeddings and catalog retrieval: latency of embedding one chat query (cache off, so every
 * call runs the tokenizer and the ONNX graph) beside a bare transformers.js pipeline call on the same
 * model, the same with the LRU cache warm, batch throughput, and catalog search latency (parse, embed,
 * filter, mix preferences, rank) beside a bare cosine scan over the same item vectors.
 *
 * @module
 */

import { pipeline } from "@xenova/transformers";
import { generateCatalog } from "../datagen/retail_catalog.ts";
import { SHOPPING_QUERIES } from "../embeddings/_quality_queries.ts";
import { CatalogIndex, type WeightedPreference } from "../embeddings/catalog_index.ts";
import { Embedder } from "../embeddings/embedder.ts";
import { type LatencySummary, ratio, summarize } from "./_stats.ts";

/** Options for {@linkcode runEmbeddingsBench}. */
export interface EmbeddingsBenchOptions {
  /** Timed queries per measurement. */
  queries: number;
}

/** What {@linkcode runEmbeddingsBench} reports (latencies in milliseconds). */
export interface EmbeddingsResult {
  model: { source: string; dimension: number };
  catalogItems: number;
  embedQuery: LatencySummary;
  embedQueryCached: LatencySummary;
  barePipeline: LatencySummary;
  embedOverBare: number | null;
  batch64TextsPerSecond: number;
  search: LatencySummary;
  searchCached: LatencySummary;
  bareScan: LatencySummary;
}

const PREFERENCES: WeightedPreference[] = [
  { key: "dairy", weight: 4 },
  { key: "Вкусвилл", weight: 2 },
  { key: "100-500", weight: 1 },
];

async function time(
  samples: number,
  run: (i: number) => Promise<unknown> | unknown,
): Promise<LatencySummary> {
  const ms = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await run(i);
    ms[i] = performance.now() - started;
  }
  return summarize(ms);
}

/** A distinct request per index: the labelled requests with a number appended (a different cache key). */
const query = (i: number) => `${SHOPPING_QUERIES[i % SHOPPING_QUERIES.length].text} ${i}`;

/** Runs the embeddings measurement on the shipped model. */
export async function runEmbeddingsBench(options: EmbeddingsBenchOptions): Promise<EmbeddingsResult> {
  const catalog = generateCatalog(1);
  const uncached = await Embedder.load(undefined, { cacheSize: 0 });
  const cached = await Embedder.load();
  const bare = await pipeline("feature-extraction", uncached.dir.slice(1), {
    quantized: true,
    local_files_only: true,
  });
  try {
    const n = options.queries;
    await time(50, (i) => uncached.embed([query(i)]));
    const barePipeline = await time(n, (i) => bare(query(i), { pooling: "mean", normalize: true }));
    const embedQuery = await time(n, (i) => uncached.embed([query(i)]));
    for (let i = 0; i < 64; i++) await cached.embed([query(i)]);
    const embedQueryCached = await time(n, (i) => cached.embed([query(i % 64)]));
    const texts = catalog.slice(0, 64).map((item) => item.name.ru);
    const batch = await time(20, () => uncached.embed(texts));
    const index = await CatalogIndex.build(uncached, catalog);
    const cachedIndex = await CatalogIndex.build(cached, catalog);
    const search = await time(
      n,
      (i) => index.search({ text: query(i), location: "msk", preferences: PREFERENCES }, 5),
    );
    for (let i = 0; i < 64; i++) await cachedIndex.search({ text: query(i), preferences: PREFERENCES }, 5);
    const searchCached = await time(
      n,
      (i) => cachedIndex.search({ text: query(i % 64), location: "msk", preferences: PREFERENCES }, 5),
    );
    const itemVectors = await uncached.embed(catalog.map((item) => `${item.name.ru} . ${item.name.en}`));
    const [probe] = await uncached.embed(["молоко без лактозы"]);
    const bareScan = await time(n, () => {
      const scores = itemVectors.map((vector) => vector.reduce((sum, x, j) => sum + x * probe[j], 0));
      return scores.map((score, at) => [score, at]).sort((a, b) => b[0] - a[0]).slice(0, 5);
    });
    return {
      model: { source: uncached.source, dimension: uncached.dimension },
      catalogItems: catalog.length,
      embedQuery,
      embedQueryCached,
      barePipeline,
      embedOverBare: ratio(embedQuery.p50, barePipeline.p50),
      batch64TextsPerSecond: Math.round(64 / (batch.p50 / 1000)),
      search,
      searchCached,
      bareScan,
    };
  } finally {
    await Promise.all([uncached.dispose(), cached.dispose(), bare.dispose()]);
  }
}
