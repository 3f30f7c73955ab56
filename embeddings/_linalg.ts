/**
 * The linear algebra the embedding trainer needs, deterministic and dependency-free: a sparse symmetric
 * matrix, Gram–Schmidt, the cyclic Jacobi eigenvalue method, and a randomized eigendecomposition
 * (Halko, Martinsson and Tropp 2011) for the top eigenpairs of a large sparse symmetric matrix.
 *
 * @module
 */

import { Random } from "../datagen/random.ts";

/** A symmetric matrix in compressed sparse rows (both triangles stored). */
export interface SparseSymmetric {
  size: number;
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float64Array;
}

/** Builds a {@link SparseSymmetric} from `(row, column) → value` entries holding both triangles. */
export function sparseFromEntries(size: number, entries: Map<number, number>): SparseSymmetric {
  const keys = [...entries.keys()].sort((a, b) => a - b);
  const rowStart = new Int32Array(size + 1);
  const columns = new Int32Array(keys.length);
  const values = new Float64Array(keys.length);
  keys.forEach((key, at) => {
    const row = Math.floor(key / size);
    rowStart[row + 1]++;
    columns[at] = key % size;
    values[at] = entries.get(key)!;
  });
  for (let row = 0; row < size; row++) rowStart[row + 1] += rowStart[row];
  return { size, rowStart, columns, values };
}

/** `M · X` for a row-major `size × width` dense `X`. */
export function multiplySparse(m: SparseSymmetric, x: Float64Array, width: number): Float64Array {
  const out = new Float64Array(m.size * width);
  for (let row = 0; row < m.size; row++) {
    const base = row * width;
    for (let at = m.rowStart[row]; at < m.rowStart[row + 1]; at++) {
      const value = m.values[at];
      const from = m.columns[at] * width;
      for (let c = 0; c < width; c++) out[base + c] += value * x[from + c];
    }
  }
  return out;
}

/** Orthonormalises the columns of a row-major `rows × width` matrix in place (Gram–Schmidt, twice). */
export function orthonormalizeColumns(y: Float64Array, rows: number, width: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < width; c++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let r = 0; r < rows; r++) dot += y[r * width + c] * y[r * width + p];
        for (let r = 0; r < rows; r++) y[r * width + c] -= dot * y[r * width + p];
      }
      let norm = 0;
      for (let r = 0; r < rows; r++) norm += y[r * width + c] ** 2;
      norm = Math.sqrt(norm);
      for (let r = 0; r < rows; r++) y[r * width + c] = norm > 1e-12 ? y[r * width + c] / norm : 0;
    }
  }
}

/** Eigenvalues and column eigenvectors (row-major `n × n`) of a dense symmetric matrix (cyclic Jacobi). */
export function jacobiEigen(
  matrix: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}

/**
 * The `rank` eigenpairs of largest magnitude of a sparse symmetric matrix: a seeded Gaussian sketch with
 * `oversample` extra columns, `powerIterations` subspace iterations, then Jacobi on the projected matrix.
 * Returns row-major `size × rank` eigenvectors, ordered by |eigenvalue| descending.
 */
export function randomizedEigen(
  m: SparseSymmetric,
  rank: number,
  options: { seed: number; oversample?: number; powerIterations?: number },
): { values: Float64Array; vectors: Float64Array } {
  const width = Math.min(m.size, rank + (options.oversample ?? 16));
  const rng = new Random(options.seed).fork("randomized-eigen");
  let y: Float64Array = new Float64Array(m.size * width);
  for (let i = 0; i < y.length; i++) y[i] = rng.normal();
  y = multiplySparse(m, y, width);
  orthonormalizeColumns(y, m.size, width);
  for (let i = 0; i < (options.powerIterations ?? 4); i++) {
    y = multiplySparse(m, y, width);
    orthonormalizeColumns(y, m.size, width);
  }
  const my = multiplySparse(m, y, width);
  const small = new Float64Array(width * width);
  for (let r = 0; r < m.size; r++) {
    for (let i = 0; i < width; i++) {
      const yi = y[r * width + i];
      if (yi === 0) continue;
      for (let j = 0; j < width; j++) small[i * width + j] += yi * my[r * width + j];
    }
  }
  for (let i = 0; i < width; i++) {
    for (let j = i + 1; j < width; j++) {
      const mean = (small[i * width + j] + small[j * width + i]) / 2;
      small[i * width + j] = mean;
      small[j * width + i] = mean;
    }
  }
  const { values, vectors } = jacobiEigen(small, width);
  const order = [...values.keys()].sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b)
    .slice(0, rank);
  const out = new Float64Array(m.size * rank);
  for (let r = 0; r < m.size; r++) {
    for (let k = 0; k < rank; k++) {
      const col = order[k];
      let sum = 0;
      for (let i = 0; i < width; i++) sum += y[r * width + i] * vectors[i * width + col];
      out[r * rank + k] = sum;
    }
  }
  return { values: Float64Array.from(order, (i) => values[i]), vectors: out };
}
