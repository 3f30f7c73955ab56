/**
 * User clusters: k-means with k-means++ seeding on standardised features
 * (missing values imputed with the column mean). Deterministic by seed.
 *
 * @module
 */

/** A trained clustering, plain JSON. */
export interface ClusterModel {
  /** Feature indexes used, in order. */
  columns: number[];
  means: number[];
  stds: number[];
  centroids: number[][];
  /** Training users per cluster. */
  sizes: number[];
  inertia: number;
}

/** Options for {@linkcode trainClusters}. */
export interface ClusterOptions {
  k: number;
  columns: number[];
  seed?: number;
  maxIterations?: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The standardised projection of one feature row. */
export function standardise(
  model: Pick<ClusterModel, "columns" | "means" | "stds">,
  row: ArrayLike<number>,
): number[] {
  return model.columns.map((column, j) => {
    const value = row[column];
    return Number.isFinite(value) ? (value - model.means[j]) / model.stds[j] : 0;
  });
}

function distance2(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum;
}

/** Trains k-means on `rows` (feature vectors). */
export function trainClusters(rows: readonly ArrayLike<number>[], options: ClusterOptions): ClusterModel {
  const { k, columns } = options;
  if (rows.length < k) throw new RangeError(`Need at least ${k} rows to form ${k} clusters`);
  const means = columns.map((column) => {
    let sum = 0, count = 0;
    for (const row of rows) if (Number.isFinite(row[column])) (sum += row[column], count++);
    return count ? sum / count : 0;
  });
  const stds = columns.map((column, j) => {
    let sum = 0, count = 0;
    for (const row of rows) if (Number.isFinite(row[column])) (sum += (row[column] - means[j]) ** 2, count++);
    const std = count > 1 ? Math.sqrt(sum / (count - 1)) : 0;
    return std > 1e-9 ? std : 1;
  });
  const points = rows.map((row) => standardise({ columns, means, stds }, row));
  const random = mulberry32(options.seed ?? 7);
  // k-means++ seeding.
  const centroids: number[][] = [points[Math.floor(random() * points.length)].slice()];
  const nearest = points.map((point) => distance2(point, centroids[0]));
  while (centroids.length < k) {
    const total = nearest.reduce((sum, d) => sum + d, 0);
    let target = random() * total;
    let chosen = points.length - 1;
    for (let i = 0; i < points.length; i++) {
      target -= nearest[i];
      if (target <= 0) {
        chosen = i;
        break;
      }
    }
    centroids.push(points[chosen].slice());
    for (let i = 0; i < points.length; i++) {
      nearest[i] = Math.min(nearest[i], distance2(points[i], centroids.at(-1)!));
    }
  }
  const assignment = new Int32Array(points.length).fill(-1);
  let inertia = 0;
  for (let iteration = 0; iteration < (options.maxIterations ?? 50); iteration++) {
    let moved = 0;
    inertia = 0;
    for (let i = 0; i < points.length; i++) {
      let best = 0, bestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        const d = distance2(points[i], centroids[c]);
        if (d < bestDistance) (best = c, bestDistance = d);
      }
      inertia += bestDistance;
      if (assignment[i] !== best) (assignment[i] = best, moved++);
    }
    const sums = centroids.map((centroid) => new Array(centroid.length).fill(0));
    const counts = new Array(k).fill(0);
    for (let i = 0; i < points.length; i++) {
      counts[assignment[i]]++;
      points[i].forEach((value, j) => sums[assignment[i]][j] += value);
    }
    for (let c = 0; c < k; c++) if (counts[c] > 0) centroids[c] = sums[c].map((sum) => sum / counts[c]);
    if (moved === 0) break;
  }
  const sizes = new Array(k).fill(0);
  for (const cluster of assignment) sizes[cluster]++;
  return { columns, means, stds, centroids, sizes, inertia };
}

/** The nearest cluster of a feature row and the distance to its centroid. */
export function assignCluster(
  model: ClusterModel,
  row: ArrayLike<number>,
): { cluster: number; distance: number } {
  const point = standardise(model, row);
  let cluster = 0, best = Infinity;
  model.centroids.forEach((centroid, c) => {
    const d = distance2(point, centroid);
    if (d < best) (best = d, cluster = c);
  });
  return { cluster, distance: Math.sqrt(best) };
}
