/**
 * Median product profiles (seed 004's client analytics): for each product,
 * the median of every feature over the clients who hold it, and a client's
 * standardised distance to that profile. A client close to a product's
 * holders resembles them; the distance feeds the ranking.
 *
 * @module
 */

/** Median profiles of products, plain JSON. */
export interface MedianProfiles {
  /** Feature indexes used, in order. */
  columns: number[];
  /** Robust scale per column (interquartile range / 1.349, or 1). */
  scales: number[];
  /** Product code → medians per column (null where no holder had a value). */
  medians: Record<string, (number | null)[]>;
  /** Product code → holders counted. */
  holders: Record<string, number>;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/**
 * Computes median profiles. `holds(row, product)` says whether the client of
 * `row` holds `product`; products with fewer than `minHolders` holders are skipped.
 */
export function medianProfiles(
  rows: readonly ArrayLike<number>[],
  products: readonly string[],
  holds: (rowIndex: number, product: string) => boolean,
  columns: number[],
  minHolders = 5,
): MedianProfiles {
  const scales = columns.map((column) => {
    const values = rows.map((row) => row[column]).filter(Number.isFinite).sort((a, b) => a - b);
    const iqr = quantile(values, 0.75) - quantile(values, 0.25);
    return iqr > 1e-9 ? iqr / 1.349 : 1;
  });
  const medians: MedianProfiles["medians"] = {};
  const holders: MedianProfiles["holders"] = {};
  for (const product of products) {
    const members = rows.map((_, i) => i).filter((i) => holds(i, product));
    if (members.length < minHolders) continue;
    holders[product] = members.length;
    medians[product] = columns.map((column) => {
      const values = members.map((i) => rows[i][column]).filter(Number.isFinite).sort((a, b) => a - b);
      return values.length ? quantile(values, 0.5) : null;
    });
  }
  return { columns, scales, medians, holders };
}

/** Per-column standardised differences (client − median) and their RMS distance. */
export function distanceToProfile(
  profiles: MedianProfiles,
  product: string,
  row: ArrayLike<number>,
): { distance: number; differences: (number | null)[] } | null {
  const median = profiles.medians[product];
  if (!median) return null;
  let sum = 0, count = 0;
  const differences = profiles.columns.map((column, j) => {
    const value = row[column];
    if (median[j] === null || !Number.isFinite(value)) return null;
    const difference = (value - median[j]!) / profiles.scales[j];
    sum += difference ** 2;
    count++;
    return difference;
  });
  return { distance: count ? Math.sqrt(sum / count) : Number.NaN, differences };
}
