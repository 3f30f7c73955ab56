/**
 * Maximal marginal relevance (Carbonell & Goldstein, 1998) with a group
 * similarity: two items are similar (1) when they share a group, here a
 * product family, and dissimilar (0) otherwise. Each step picks the item with
 * the highest λ·relevance − (1−λ)·(max similarity to the items picked so
 * far), so after the first pick the next ones come from other groups unless
 * an item of a picked group is relevant enough to pay for the penalty.
 *
 * @module
 */

/** What {@linkcode selectMmr} returns. */
export interface MmrSelection<T> {
  /** Picked items, in pick order (the first is the most relevant). */
  selected: T[];
  /**
   * Items whose MMR score is at most 0 because an item of their group was
   * picked: they add more redundancy than relevance, whatever k is.
   */
  redundant: T[];
  /** Items that were neither picked nor redundant (ranked out by k). */
  rest: T[];
}

/** How {@linkcode selectMmr} reads an item. */
export interface MmrOptions<T> {
  /** Items to pick; at most this many are picked. */
  k: number;
  /** Trade-off in [0, 1]: 1 is plain relevance order, 0 is pure diversity. */
  lambda: number;
  relevance(item: T): number;
  group(item: T): string;
}

/**
 * Picks up to `k` items by MMR. Relevance is rescaled to (0, 1] over the
 * items (the best item gets 1, the worst a small positive value), so λ means
 * the same whatever the scale of the scores; a relevance that is not finite
 * counts as 0. Ties keep the input order, so the result is deterministic.
 */
export function selectMmr<T>(items: readonly T[], options: MmrOptions<T>): MmrSelection<T> {
  const k = Math.max(0, Math.floor(options.k));
  const lambda = Math.min(1, Math.max(0, options.lambda));
  const raw = items.map((item) => {
    const relevance = options.relevance(item);
    return Number.isFinite(relevance) ? relevance : 0;
  });
  const top = Math.max(...raw);
  const floor = Math.min(0, ...raw);
  // The small offset keeps the least relevant item above 0, so only similarity can make a score non-positive.
  const span = top - floor + 1e-9;
  const entries = items
    .map((item, index) => ({ item, index, relevance: (raw[index] - floor + 1e-9) / span }))
    .sort((a, b) => b.relevance - a.relevance || a.index - b.index);
  const pickedGroups = new Set<string>();
  const selected: T[] = [];
  const redundant: T[] = [];
  let remaining = entries;
  const score = (entry: typeof entries[number]) => {
    const similarity = pickedGroups.has(options.group(entry.item)) ? 1 : 0;
    return { similarity, mmr: lambda * entry.relevance - (1 - lambda) * similarity };
  };
  while (remaining.length > 0) {
    const next: typeof entries = [];
    let best: typeof entries[number] | null = null;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const entry of remaining) {
      const { similarity, mmr } = score(entry);
      if (similarity > 0 && mmr <= 0) {
        redundant.push(entry.item);
        continue;
      }
      next.push(entry);
      if (selected.length < k && mmr > bestScore) {
        best = entry;
        bestScore = mmr;
      }
    }
    remaining = next;
    if (best === null) break;
    selected.push(best.item);
    pickedGroups.add(options.group(best.item));
    remaining = remaining.filter((entry) => entry !== best);
  }
  return { selected, redundant, rest: remaining.map((entry) => entry.item) };
}
