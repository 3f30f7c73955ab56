/**
 * Retail retrieval for the chat: the catalog embedded on the device by the
 * project's own model (or `EMBEDDING_MODEL_DIR`), searched with the request's
 * text and the user's live preference vector, filtered by what the request
 * states (price limit, tags such as lactose-free, categories) and by stock at
 * the user's location. The index is built on first use and rebuilt by the
 * daily reindex job, so a catalog loaded after start is picked up.
 *
 * @module
 */

import type { UserActor } from "../actors/user_actor.ts";
import { CatalogIndex, type WeightedPreference } from "../embeddings/catalog_index.ts";
import { Embedder } from "../embeddings/embedder.ts";
import { parseShoppingQuery } from "../embeddings/shopping_query.ts";
import type { Logger } from "../obs/log.ts";
import type { Sql } from "../store/_sql.ts";
import { loadCatalog } from "../store/user_data.ts";
import type { RetailRetrieval } from "./chat_service.ts";

const LOCATIONS: ReadonlySet<string> = new Set(["msk", "spb", "kzn", "ekb"]);
/** Longest a request waits for an empty index to be rebuilt before it answers from the empty one. */
const REBUILD_WAIT_MS = 1_000;

/** The user's positive preference weights as the index takes them (short-term counts more). */
export function preferenceTerms(actor: UserActor): WeightedPreference[] {
  const terms: WeightedPreference[] = [];
  for (const dimension of ["category", "brand", "priceBand"] as const) {
    for (const entry of actor.preferences.top(dimension)) {
      if (entry.key.startsWith("bank:")) continue;
      const weight = 0.6 * Math.max(0, entry.short) + 0.4 * Math.max(0, entry.long);
      if (weight > 0) terms.push({ key: entry.key, weight, dimension });
    }
  }
  return terms;
}

/** The catalog index behind the retail chat. */
export class CatalogRetrieval implements RetailRetrieval {
  #embedder: Embedder;
  #sql: Sql;
  #logger: Logger;
  /** The last index built (possibly empty, when no catalog was loaded yet). */
  #built: CatalogIndex | null = null;
  /** A rebuild of an empty index in progress. */
  #building: Promise<void> | null = null;
  /** When an empty index may be looked up again. */
  #emptyRetryAt = 0;
  #emptyRetryMs: number;

  /**
   * @param options.emptyRetryMs While the catalog is empty, how long after a lookup the next one may run
   * (default 5 s): a bank-only deployment must not query Postgres on every chat that sounds like shopping.
   */
  constructor(embedder: Embedder, sql: Sql, logger: Logger, options: { emptyRetryMs?: number } = {}) {
    this.#embedder = embedder;
    this.#sql = sql;
    this.#logger = logger;
    this.#emptyRetryMs = options.emptyRetryMs ?? 5_000;
  }

  /** Rebuilds the index from the catalog in Postgres (the daily reindex); returns the item count. */
  async reindex(): Promise<number> {
    const started = performance.now();
    const building = loadCatalog(this.#sql).then((catalog) => CatalogIndex.build(this.#embedder, catalog));
    const index = await building;
    const previous = this.#built;
    this.#built = index;
    if (index.size === 0) this.#emptyRetryAt = Date.now() + this.#emptyRetryMs;
    // An empty catalog found empty again is not news.
    this.#logger.log(previous?.size === 0 && index.size === 0 ? "debug" : "info", "catalog indexed", {
      items: index.size,
      ms: Math.round(performance.now() - started),
    });
    return index.size;
  }

  async #current(): Promise<CatalogIndex> {
    const built = this.#built;
    if (built !== null && (built.size > 0 || Date.now() < this.#emptyRetryAt)) return built;
    // No index, or an empty one (the catalog was not loaded yet): look the catalog up again, once at a time.
    this.#building ??= this.reindex().then(() => {}, (error) => {
      this.#logger.log("debug", "catalog not indexed", { error: String(error) });
    }).finally(() => this.#building = null);
    if (built === null) {
      await this.#building;
      if (this.#built === null) throw new Error("The catalog could not be loaded");
      return this.#built;
    }
    // With an (empty) index to answer from, the lookup gets a short wait only: while Postgres is away
    // the chat answers without catalog items instead of failing or waiting for the database.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#building,
      new Promise((resolve) => timer = setTimeout(resolve, REBUILD_WAIT_MS)),
    ]);
    clearTimeout(timer);
    return this.#built ?? built;
  }

  async search(
    actor: UserActor,
    message: string,
    options: { k: number; usePreferences: boolean },
  ) {
    const index = await this.#current();
    const parsed = parseShoppingQuery(message);
    const query = {
      text: parsed.text,
      preferences: options.usePreferences ? preferenceTerms(actor) : [],
      location: actor.location !== null && LOCATIONS.has(actor.location) ? actor.location : undefined,
      maxPrice: parsed.maxPrice,
      requiredTags: parsed.requiredTags,
      categories: parsed.categories,
    };
    let hits = await index.search(query, options.k);
    // Categories are guessed from words; stated limits (price, tags, stock) are never relaxed.
    if (hits.length === 0 && parsed.categories.length > 0) {
      hits = await index.search({ ...query, categories: [] }, options.k);
    }
    return {
      items: hits.map((hit) => hit.item),
      request: {
        tags: parsed.requiredTags,
        maxPrice: parsed.maxPrice ?? null,
        category: parsed.categories[0] ?? null,
      },
    };
  }
}

/** Loads the embedding model; null (with a warning) when it cannot be loaded, and the chat answers without items. */
export async function startRetrieval(
  config: { embeddingModelDir: string | null },
  sql: Sql,
  logger: Logger,
): Promise<CatalogRetrieval | null> {
  try {
    const embedder = await Embedder.load(config.embeddingModelDir ?? undefined);
    logger.log("info", "embedding model loaded", { source: embedder.source, dimension: embedder.dimension });
    return new CatalogRetrieval(embedder, sql, logger);
  } catch (error) {
    logger.log("warn", "embedding model not loaded; the retail chat answers without catalog items", {
      error: String(error),
    });
    return null;
  }
}
