/**
 * Retrieval over the retail catalog for chat answers (the R of RAG). Every item is embedded once from its
 * Russian and English names, its category's name and its tags' phrases. A search scores each item that
 * passes the hard filters (stock at the user's location, price limit, required tags, categories) by
 *
 *     score = (1 − α) · cos(text, item) + α · Σ ŵ_k · s_k(item)
 *
 * where α is {@link PREFERENCE_WEIGHT} (0.3 unless the query sets `preferenceWeight`), the ŵ_k are the
 * user's preference weights divided by the sum of their absolute values (a dislike is negative), and s_k is
 * the cosine between the item and the embedding of a category or brand key (the preference vector is the
 * weighted sum of those embeddings), or 1/0 for a price band the item does / does not fall in. With no text
 * (or a text the model cannot read) α is 1; with no preferences it is 0. Each hit lists the filters it
 * passed and the preference terms that moved it.
 *
 * @module
 */

import { priceBand } from "../actors/preferences.ts";
import { CATEGORY_TEMPLATES } from "../datagen/_retail_catalog_data.ts";
import type { CatalogItem } from "../datagen/types.ts";
import { categoryPhrases, tagPhrases } from "./corpus.ts";
import type { Embedder } from "./embedder.ts";
import { parseShoppingQuery } from "./shopping_query.ts";

/** Default share of the preference term in the score (α). */
export const PREFERENCE_WEIGHT = 0.3;

/** One weighted key of a user's preference vectors; `dimension` is inferred when absent. */
export interface WeightedPreference {
  key: string;
  weight: number;
  dimension?: "category" | "brand" | "priceBand";
}

/** A search: text to embed, the user's preferences, and hard filters. */
export interface CatalogSearchQuery {
  text?: string;
  preferences?: readonly WeightedPreference[];
  /** Only items in stock here (`availability[location] > 0`). */
  location?: string;
  maxPrice?: number;
  requiredTags?: readonly string[];
  categories?: readonly string[];
  /** α in [0, 1]; default {@link PREFERENCE_WEIGHT}. */
  preferenceWeight?: number;
}

/** A preference term's share of a hit's score. */
export interface PreferenceContribution {
  key: string;
  dimension: "category" | "brand" | "priceBand";
  contribution: number;
}

/** One result. */
export interface CatalogHit {
  item: CatalogItem;
  score: number;
  /** cos(text, item), or 0 without text. */
  textScore: number;
  /** Σ ŵ_k · s_k(item). */
  preferenceScore: number;
  /** Filters the item passed: `location:msk`, `maxPrice:500`, `tag:vegan`, `category:dairy`. */
  filters: string[];
  /** Preference terms, largest absolute contribution first (those above 0.005). */
  preferences: PreferenceContribution[];
}

// One amount inside each band of `priceBand`, so the labels stay those of the actor's vectors.
const PRICE_BANDS: ReadonlySet<string> = new Set([50, 200, 1_000, 5_000, 20_000, 100_000].map(priceBand));
const CATEGORY_IDS = new Set(CATEGORY_TEMPLATES.map((category) => category.id));

/** The text an item is embedded from. */
export function itemDocument(item: CatalogItem): string {
  const category = categoryPhrases(item.category).slice(0, 2);
  const tags = item.tags.flatMap((tag) => tagPhrases(tag).slice(0, 1));
  return [item.name.ru, item.name.en, ...category, ...tags].join(" . ");
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** An embedded catalog. */
export class CatalogIndex {
  #embedder: Embedder;
  #items: readonly CatalogItem[];
  #vectors: Float32Array[];

  private constructor(embedder: Embedder, items: readonly CatalogItem[], vectors: Float32Array[]) {
    this.#embedder = embedder;
    this.#items = items;
    this.#vectors = vectors;
  }

  /** Embeds every item of `catalog`. */
  static async build(embedder: Embedder, catalog: readonly CatalogItem[]): Promise<CatalogIndex> {
    const vectors = await embedder.embed(catalog.map(itemDocument));
    return new CatalogIndex(embedder, [...catalog], vectors);
  }

  /** Items indexed. */
  get size(): number {
    return this.#items.length;
  }

  /**
   * The `k` best items for a query; a string is read with `parseShoppingQuery` first (its price limit,
   * tags and categories become filters). Never throws for a string or a well-typed query object.
   */
  async search(query: CatalogSearchQuery | string, k = 5): Promise<CatalogHit[]> {
    const q: CatalogSearchQuery = typeof query === "string" ? parseShoppingQuery(query) : query;
    const limit = Math.max(0, Math.floor(Number.isFinite(k) ? k : 0));
    const candidates = this.#filter(q);
    if (limit === 0 || candidates.length === 0) return [];
    const text = (q.text ?? "").trim();
    const [textVector] = text ? await this.#embedder.embed([text]) : [new Float32Array(0)];
    const hasText = textVector.some((x) => x !== 0);
    const terms = await this.#preferenceTerms(q.preferences ?? []);
    const requested = Math.min(1, Math.max(0, q.preferenceWeight ?? PREFERENCE_WEIGHT));
    const alpha = terms.length === 0 ? 0 : hasText ? requested : 1;
    const hits = candidates.map(({ index, filters }) => {
      const item = this.#items[index];
      const vector = this.#vectors[index];
      const textScore = hasText ? dot(textVector, vector) : 0;
      const preferences = terms.map((term) => ({
        key: term.key,
        dimension: term.dimension,
        contribution: term.weight *
          (term.vector ? dot(term.vector, vector) : priceBand(item.price) === term.key ? 1 : 0),
      }));
      const preferenceScore = preferences.reduce((sum, term) => sum + term.contribution, 0);
      return {
        item,
        score: (1 - alpha) * textScore + alpha * preferenceScore,
        textScore,
        preferenceScore,
        filters,
        preferences: preferences.filter((term) => Math.abs(term.contribution) > 0.005)
          .map((term) => ({ ...term, contribution: alpha * term.contribution }))
          .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)),
      };
    });
    hits.sort((a, b) => b.score - a.score || (a.item.id < b.item.id ? -1 : 1));
    return hits.slice(0, limit);
  }

  #filter(q: CatalogSearchQuery): { index: number; filters: string[] }[] {
    const tags = [...new Set(q.requiredTags ?? [])];
    const categories = new Set(q.categories ?? []);
    const maxPrice = typeof q.maxPrice === "number" && !Number.isNaN(q.maxPrice) ? q.maxPrice : undefined;
    const out: { index: number; filters: string[] }[] = [];
    this.#items.forEach((item, index) => {
      if (q.location !== undefined && !((item.availability[q.location] ?? 0) > 0)) return;
      if (maxPrice !== undefined && item.price > maxPrice) return;
      if (!tags.every((tag) => item.tags.includes(tag))) return;
      if (categories.size > 0 && !categories.has(item.category)) return;
      const filters = [
        ...(q.location !== undefined ? [`location:${q.location}`] : []),
        ...(maxPrice !== undefined ? [`maxPrice:${maxPrice}`] : []),
        ...tags.map((tag) => `tag:${tag}`),
        ...(categories.size > 0 ? [`category:${item.category}`] : []),
      ];
      out.push({ index, filters });
    });
    return out;
  }

  async #preferenceTerms(preferences: readonly WeightedPreference[]) {
    const usable = preferences.filter((p) =>
      typeof p.key === "string" && p.key && Number.isFinite(p.weight) && p.weight !== 0
    );
    const total = usable.reduce((sum, p) => sum + Math.abs(p.weight), 0);
    if (total === 0) return [];
    const typed = usable.map((p) => ({ ...p, dimension: p.dimension ?? this.#dimensionOf(p.key) }));
    const texts = typed.map((p) =>
      p.dimension === "category" ? categoryPhrases(p.key).slice(0, 3).join(" . ") || p.key : p.key
    );
    const vectors = await this.#embedder.embed(
      typed.map((p, at) => p.dimension === "priceBand" ? "" : texts[at]),
    );
    return typed.map((p, at) => ({
      key: p.key,
      dimension: p.dimension,
      weight: p.weight / total,
      vector: p.dimension === "priceBand" ? null : vectors[at],
    }));
  }

  /** Category ids and price-band labels are recognised; any other key is embedded as a brand. */
  #dimensionOf(key: string): "category" | "brand" | "priceBand" {
    if (CATEGORY_IDS.has(key)) return "category";
    return PRICE_BANDS.has(key) ? "priceBand" : "brand";
  }
}
