/**
 * Token vectors from document co-occurrence: positive pointwise mutual information (PPMI) over token
 * pairs that share a corpus document, a truncated eigendecomposition of that matrix (randomized, seeded),
 * then the sentence-embedding treatment of Arora, Liang and Ma (2017, "SIF"): the common direction of
 * document embeddings is removed and each token is weighted by `a / (a + p(token))`, so frequent pieces
 * (endings such as `##ые`) count little under mean pooling. Tokens the corpus never shows keep a zero
 * vector unless they are a prefix of seen stems (`напит`), which then back off to those stems' mean.
 *
 * Every step is deterministic for a seed: sorted iteration, seeded Gaussian sketch, fixed sweep order.
 *
 * @module
 */

import { randomizedEigen, sparseFromEntries } from "./_linalg.ts";

/** A tokenized document. */
export interface TokenizedDocument {
  ids: readonly number[];
  weight: number;
}

/** Options of {@link trainTokenVectors}. */
export interface TrainVectorOptions {
  dimension: number;
  seed: number;
  /** SIF smoothing `a` (default 1e-3). */
  sifA?: number;
  /** Exponent of the context distribution smoothing (default 0.75). */
  contextAlpha?: number;
  /** Token ids that must stay zero (special tokens, fillers, digits). */
  zeroIds: ReadonlySet<number>;
  /** For prefix back-off: the vocabulary, so `tok` can borrow from seen tokens starting with `tok`. */
  vocab: readonly string[];
}

/** The trained `vocab × dimension` matrix (row-major) and each token's SIF weight. */
export interface TokenVectors {
  matrix: Float32Array;
  dimension: number;
  sifWeights: Float64Array;
}

function cooccurrence(docs: readonly TokenizedDocument[], size: number, zero: ReadonlySet<number>) {
  const pairs = new Map<number, number>();
  const frequency = new Float64Array(size);
  for (const doc of docs) {
    const ids = doc.ids.filter((id) => !zero.has(id));
    for (const id of ids) frequency[id] += doc.weight;
    if (ids.length < 2) continue;
    const share = doc.weight / (ids.length - 1);
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        if (ids[i] === ids[j]) continue;
        const a = ids[i] * size + ids[j];
        const b = ids[j] * size + ids[i];
        pairs.set(a, (pairs.get(a) ?? 0) + share);
        pairs.set(b, (pairs.get(b) ?? 0) + share);
      }
    }
  }
  return { pairs, frequency };
}

function ppmi(pairs: Map<number, number>, size: number, alpha: number): Map<number, number> {
  const rows = new Float64Array(size);
  for (const [key, count] of pairs) rows[Math.floor(key / size)] += count;
  let total = 0;
  let smoothed = 0;
  for (const row of rows) {
    total += row;
    smoothed += row ** alpha;
  }
  const out = new Map<number, number>();
  for (const [key, count] of pairs) {
    const i = Math.floor(key / size);
    const j = key % size;
    // Symmetrised: the smoothed context distribution applies to each side in turn.
    const pmi = (Math.log(count / total / ((rows[i] / total) * (rows[j] ** alpha / smoothed))) +
      Math.log(count / total / ((rows[j] / total) * (rows[i] ** alpha / smoothed)))) / 2;
    if (pmi > 0) out.set(key, pmi);
  }
  return out;
}

function normalizeRows(matrix: Float64Array, rows: number, width: number): void {
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let c = 0; c < width; c++) norm += matrix[r * width + c] ** 2;
    if (norm === 0) continue;
    norm = Math.sqrt(norm);
    for (let c = 0; c < width; c++) matrix[r * width + c] /= norm;
  }
}

/** The first principal direction (uncentred) of the documents' SIF-weighted mean vectors. */
function commonDirection(
  docs: readonly TokenizedDocument[],
  w: Float64Array,
  weights: Float64Array,
  dim: number,
): Float64Array {
  const scatter = new Float64Array(dim * dim);
  const v = new Float64Array(dim);
  for (const doc of docs) {
    v.fill(0);
    for (const id of doc.ids) for (let c = 0; c < dim; c++) v[c] += weights[id] * w[id * dim + c];
    const norm = Math.hypot(...v);
    if (norm === 0) continue;
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b < dim; b++) scatter[a * dim + b] += v[a] * v[b] / norm ** 2;
    }
  }
  let u = new Float64Array(dim).fill(1 / Math.sqrt(dim));
  for (let iteration = 0; iteration < 200; iteration++) {
    const next = new Float64Array(dim);
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) next[a] += scatter[a * dim + b] * u[b];
    const norm = Math.hypot(...next);
    if (norm === 0) return next;
    for (let a = 0; a < dim; a++) next[a] /= norm;
    u = next;
  }
  return u;
}

/** Trains token vectors for `vocab.length` tokens from tokenized documents. */
export function trainTokenVectors(
  docs: readonly TokenizedDocument[],
  options: TrainVectorOptions,
): TokenVectors {
  const size = options.vocab.length;
  const dim = options.dimension;
  const { pairs, frequency } = cooccurrence(docs, size, options.zeroIds);
  const matrix = sparseFromEntries(size, ppmi(pairs, size, options.contextAlpha ?? 0.75));
  const { values, vectors } = randomizedEigen(matrix, dim, { seed: options.seed });
  const w = new Float64Array(size * dim);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < dim; c++) w[r * dim + c] = vectors[r * dim + c] * Math.sqrt(Math.abs(values[c]));
  }
  normalizeRows(w, size, dim);
  const totalFrequency = frequency.reduce((sum, f) => sum + f, 0);
  const a = options.sifA ?? 1e-3;
  const sifWeights = Float64Array.from(frequency, (f) => a / (a + f / totalFrequency));
  backOffPrefixes(w, frequency, options, dim);
  const u = commonDirection(docs, w, sifWeights, dim);
  const out = new Float32Array(size * dim);
  for (let r = 0; r < size; r++) {
    if (options.zeroIds.has(r)) continue;
    let projection = 0;
    for (let c = 0; c < dim; c++) projection += w[r * dim + c] * u[c];
    const weight = frequency[r] > 0 ? sifWeights[r] : 1;
    for (let c = 0; c < dim; c++) out[r * dim + c] = (w[r * dim + c] - projection * u[c]) * weight;
  }
  return { matrix: out, dimension: dim, sifWeights };
}

/** Gives each unseen token of four or more letters the frequency-weighted mean of seen tokens it prefixes. */
function backOffPrefixes(
  w: Float64Array,
  frequency: Float64Array,
  options: TrainVectorOptions,
  dim: number,
): void {
  const seen = options.vocab.map((token, id) => ({ token, id })).filter(({ id }) =>
    frequency[id] > 0 && !options.zeroIds.has(id)
  );
  options.vocab.forEach((token, id) => {
    if (frequency[id] > 0 || options.zeroIds.has(id) || token.replace(/^##/, "").length < 4) return;
    const sum = new Float64Array(dim);
    let any = false;
    for (const other of seen) {
      if (other.token.length <= token.length || !other.token.startsWith(token)) continue;
      any = true;
      for (let c = 0; c < dim; c++) sum[c] += frequency[other.id] * w[other.id * dim + c];
    }
    if (!any) return;
    const norm = Math.hypot(...sum);
    for (let c = 0; c < dim; c++) w[id * dim + c] = sum[c] / norm;
  });
}
