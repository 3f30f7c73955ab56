/**
 * Small statistics helpers for the benchmarks: percentiles over latency
 * samples, rounding for the JSON report, and a forced garbage collection.
 *
 * @module
 */

/** A latency distribution in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The `p`-th percentile (0..100) of ascending `sorted` samples, by the
 * nearest-rank method, so the figure is always one that was observed.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Summarises samples (in milliseconds); the input is not modified. */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50), 3),
    p90: round(percentile(sorted, 90), 3),
    p99: round(percentile(sorted, 99), 3),
    max: round(sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1], 3),
    mean: round(sorted.length === 0 ? Number.NaN : sum / sorted.length, 3),
  };
}

/** Rounds to `digits` decimals; NaN and infinities become null in JSON anyway. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** `numerator / denominator`, rounded, or null when the baseline is missing. */
export function ratio(numerator: number, denominator: number): number | null {
  if (!(denominator > 0) || !Number.isFinite(numerator)) return null;
  return round(numerator / denominator, 3);
}

/**
 * Runs V8's collector a few times (needs `--v8-flags=--expose-gc`) and
 * returns the settled memory usage in bytes.
 */
export function settledMemory(): Deno.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("Run with --v8-flags=--expose-gc to measure memory");
  for (let i = 0; i < 4; i++) gc();
  return Deno.memoryUsage();
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `intervalMs` until it is true, or throws after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = performance.now() + (options.timeoutMs ?? 60_000);
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(options.intervalMs ?? 10);
  }
}
