/**
 * Maps a chat message about a bank offer («почему мне предлагают эту карту?», "why the credit card") to
 * product codes of `model/products.ts`. Two signals:
 *
 * - **name match**: the message contains a product's Russian or English name or an everyday alias
 *   («кредитка», "home loan") as consecutive word stems, so any inflection counts («эту карту» matches
 *   «карта»); a longer phrase scores higher (`1 + words / 10`), so «кредитная карта» beats «карта»;
 * - **embedding similarity**: the cosine between the message and each product's names and aliases,
 *   kept when at least `minSimilarity` (default 0.35).
 *
 * Name matches rank first. `candidates` narrows the answer to the offers the user was actually shown.
 *
 * @module
 */

import { type Product, PRODUCTS } from "../model/products.ts";
import { PRODUCT_ALIASES } from "./_lexicon_bank.ts";
import { stem, words } from "./_stem.ts";
import type { Embedder } from "./embedder.ts";

/** One product the message refers to. */
export interface ProductMatch {
  code: string;
  product: Product;
  /** `1 + words / 10` for a name match, else the cosine similarity. */
  score: number;
  via: "name" | "embedding";
  /** The name or alias found, for a name match. */
  matched?: string;
}

/** Options of {@link BankProductResolver.resolve}. */
export interface ResolveOptions {
  /** Only these product codes (e.g. the offers on screen). */
  candidates?: readonly string[];
  /** Lowest cosine for an embedding match (default 0.35). */
  minSimilarity?: number;
}

interface Entry {
  product: Product;
  phrases: { text: string; stems: string[] }[];
  vector: Float32Array;
}

const stemsOf = (text: string) => words(text).map(stem);

/** The text a product is embedded from: its names and aliases. */
export function productDocument(product: Product): string {
  const aliases = PRODUCT_ALIASES[product.code];
  return [product.name.ru, product.name.en, ...(aliases?.ru ?? []), ...(aliases?.en ?? [])].join(" . ");
}

function phraseMatch(message: readonly string[], phrase: readonly string[]): boolean {
  if (phrase.length === 0) return false;
  for (let start = 0; start + phrase.length <= message.length; start++) {
    if (phrase.every((s, i) => message[start + i] === s)) return true;
  }
  return false;
}

/** Resolves messages to bank products. */
export class BankProductResolver {
  #embedder: Embedder;
  #entries: Entry[];

  private constructor(embedder: Embedder, entries: Entry[]) {
    this.#embedder = embedder;
    this.#entries = entries;
  }

  /** Embeds the products (default: every product of the bank). */
  static async build(
    embedder: Embedder,
    products: readonly Product[] = PRODUCTS,
  ): Promise<BankProductResolver> {
    const vectors = await embedder.embed(products.map(productDocument));
    const entries = products.map((product, at) => {
      const aliases = PRODUCT_ALIASES[product.code];
      const texts = [product.name.ru, product.name.en, ...(aliases?.ru ?? []), ...(aliases?.en ?? [])];
      return { product, phrases: texts.map((text) => ({ text, stems: stemsOf(text) })), vector: vectors[at] };
    });
    return new BankProductResolver(embedder, entries);
  }

  /** Up to `k` products the message refers to, best first; none when it names nothing close enough. */
  async resolve(message: string, k = 3, options: ResolveOptions = {}): Promise<ProductMatch[]> {
    if (typeof message !== "string") throw new TypeError("resolve expects a string");
    const allowed = options.candidates ? new Set(options.candidates) : null;
    const entries = this.#entries.filter((entry) => !allowed || allowed.has(entry.product.code));
    if (entries.length === 0 || k < 1) return [];
    const stems = stemsOf(message.slice(0, 2_000));
    const [vector] = await this.#embedder.embed([message]);
    const minSimilarity = options.minSimilarity ?? 0.35;
    const matches: ProductMatch[] = [];
    for (const entry of entries) {
      let best: { text: string; length: number } | null = null;
      for (const phrase of entry.phrases) {
        if (phraseMatch(stems, phrase.stems) && (!best || phrase.stems.length > best.length)) {
          best = { text: phrase.text, length: phrase.stems.length };
        }
      }
      const code = entry.product.code;
      if (best) {
        matches.push({
          code,
          product: entry.product,
          score: 1 + best.length / 10,
          via: "name",
          matched: best.text,
        });
        continue;
      }
      let similarity = 0;
      for (let i = 0; i < vector.length; i++) similarity += vector[i] * entry.vector[i];
      if (similarity >= minSimilarity) {
        matches.push({ code, product: entry.product, score: similarity, via: "embedding" });
      }
    }
    matches.sort((a, b) => b.score - a.score || (a.code < b.code ? -1 : 1));
    return matches.slice(0, Math.floor(k));
  }
}
