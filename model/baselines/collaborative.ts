/**
 * Collaborative filtering on the user × product matrix: item-item cosine
 * similarity between products' holder sets. A client's score for a product is
 * the similarity-weighted vote of the products they already hold.
 *
 * @module
 */

/** A trained item-item model, plain JSON. */
export interface ItemSimilarity {
  products: string[];
  /** Row-major products × products cosine similarities (diagonal zero). */
  similarity: number[];
  /** Share of clients holding each product, for cold-start fallback. */
  popularity: number[];
}

/** Trains item-item similarities from holding rows (each a 0/1 vector over `products`). */
export function trainItemSimilarity(
  holdings: readonly ArrayLike<number>[],
  products: string[],
): ItemSimilarity {
  const n = products.length;
  const counts = new Array(n).fill(0);
  const co = new Array(n * n).fill(0);
  for (const row of holdings) {
    const held: number[] = [];
    for (let p = 0; p < n; p++) if (row[p] === 1) held.push(p);
    for (const p of held) {
      counts[p]++;
      for (const q of held) if (p !== q) co[p * n + q]++;
    }
  }
  const similarity = co.map((value, k) => {
    const p = Math.floor(k / n), q = k % n;
    return counts[p] && counts[q] ? value / Math.sqrt(counts[p] * counts[q]) : 0;
  });
  return { products, similarity, popularity: counts.map((c) => c / Math.max(1, holdings.length)) };
}

/** Scores for every product a client does not hold yet (held products score −1). */
export function scoreItemSimilarity(model: ItemSimilarity, holding: ArrayLike<number>): number[] {
  const n = model.products.length;
  const held: number[] = [];
  for (let p = 0; p < n; p++) if (holding[p] === 1) held.push(p);
  return model.products.map((_, p) => {
    if (holding[p] === 1) return -1;
    if (held.length === 0) return model.popularity[p];
    let sum = 0;
    for (const q of held) sum += model.similarity[q * n + p];
    // A small popularity prior breaks ties between products with no co-holders.
    return sum / held.length + 1e-3 * model.popularity[p];
  });
}
