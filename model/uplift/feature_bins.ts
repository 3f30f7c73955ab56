/**
 * Quantile binning of float32 features for histogram gradient boosting.
 *
 * Each feature gets at most `maxBins - 1` value bins plus one bin reserved for NaN ({@link MISSING_BIN}).
 * Bin `b` holds the values `x` with `thresholds[b-1] < x <= thresholds[b]`; thresholds are float32 numbers,
 * so a split "bin <= b" is exactly the ONNX `BRANCH_LEQ` test `x <= thresholds[b]` on float32 inputs.
 *
 * @module
 */

/** The bin index that holds NaN for every feature; histograms have this many + 1 slots per feature. */
export const MISSING_BIN = 63;

/** Bin layout per feature, learned from training data. */
export interface FeatureBins {
  /** Ascending float32 thresholds per feature; feature `f` has `thresholds[f].length + 1` value bins. */
  thresholds: Float32Array[];
}

const SAMPLE_LIMIT = 200_000;

function thresholdsFor(sorted: Float32Array, maxValueBins: number): Float32Array {
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  }
  const cuts: number[] = [];
  const push = (low: number, high: number) => {
    let t = Math.fround((low + high) / 2);
    // A midpoint that rounds up to the higher value would merge the two bins.
    if (t >= high) t = low;
    if (cuts.length === 0 || t > cuts[cuts.length - 1]) cuts.push(t);
  };
  if (distinct.length <= maxValueBins) {
    for (let i = 1; i < distinct.length; i++) push(distinct[i - 1], distinct[i]);
  } else {
    for (let q = 1; q < maxValueBins; q++) {
      const at = Math.floor((q * sorted.length) / maxValueBins);
      if (at <= 0 || at >= sorted.length || sorted[at] === sorted[at - 1]) continue;
      push(sorted[at - 1], sorted[at]);
    }
  }
  return Float32Array.from(cuts);
}

/**
 * Learns quantile thresholds per feature from row-major `features` (`nRows` × `nCols`).
 * `maxBins` counts the NaN bin, so at most `maxBins - 1` value bins (and never more than 63).
 */
export function fitFeatureBins(
  features: Float32Array,
  nRows: number,
  nCols: number,
  maxBins = 64,
): FeatureBins {
  const maxValueBins = Math.max(2, Math.min(maxBins, MISSING_BIN + 1) - 1);
  const step = Math.max(1, Math.floor(nRows / SAMPLE_LIMIT));
  const thresholds: Float32Array[] = [];
  const column = new Float32Array(Math.ceil(nRows / step));
  for (let f = 0; f < nCols; f++) {
    let n = 0;
    for (let r = 0; r < nRows; r += step) {
      const v = features[r * nCols + f];
      if (v === v) column[n++] = v;
    }
    thresholds.push(thresholdsFor(column.subarray(0, n).sort(), maxValueBins));
  }
  return { thresholds };
}

/** Returns the bin of one float32 value (NaN goes to {@link MISSING_BIN}). */
export function binOf(thresholds: Float32Array, value: number): number {
  if (value !== value) return MISSING_BIN;
  let low = 0;
  let high = thresholds.length;
  // First threshold with value <= threshold; values above all thresholds land in the last value bin.
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (value <= thresholds[mid]) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** Maps row-major features to row-major bin indices (one byte per cell). */
export function binFeatures(bins: FeatureBins, features: Float32Array, nRows: number): Uint8Array {
  const nCols = bins.thresholds.length;
  const out = new Uint8Array(nRows * nCols);
  for (let r = 0; r < nRows; r++) {
    const base = r * nCols;
    for (let f = 0; f < nCols; f++) out[base + f] = binOf(bins.thresholds[f], features[base + f]);
  }
  return out;
}
