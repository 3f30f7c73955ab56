/**
 * Histogram gradient-boosted decision trees (logistic and squared-error objectives).
 *
 * The trained {@link GbtModel} is plain JSON data. Thresholds, leaf values and the base score are
 * float32-representable and prediction compares `Math.fround(x) <= threshold`, which is what ONNX
 * `TreeEnsembleRegressor` does with `BRANCH_LEQ` on float inputs, so exported models agree within 1e-5.
 *
 * @module
 */

import { binFeatures, type FeatureBins, fitFeatureBins, MISSING_BIN } from "./feature_bins.ts";
import { type GbtTree, GrowPolicy, growTree, type TreeData, type TreeGrowthParams } from "./gbt_tree.ts";
import { Prng } from "./prng.ts";

export { type GbtTree, GrowPolicy } from "./gbt_tree.ts";

/** The loss being boosted. */
export const Objective = { logistic: "logistic", squaredError: "squared_error" } as const;
/** One of {@link Objective}. */
export type Objective = typeof Objective[keyof typeof Objective];

/** A trained ensemble: raw score = `baseScore + Σ tree leaf values` (a logit for `logistic`). */
export interface GbtModel {
  objective: Objective;
  nFeatures: number;
  baseScore: number;
  trees: GbtTree[];
}

/** Boosting options; every field has a default in {@link DEFAULT_GBT_PARAMS}. */
export interface GbtParams extends TreeGrowthParams {
  objective: Objective;
  nTrees: number;
  maxBins: number;
  /** Fraction of rows drawn (without replacement) for each tree. */
  subsample: number;
  /** Fraction of columns drawn for each tree. */
  colsample: number;
  /** When > 0, this share of rows is held out and boosting stops after `earlyStoppingRounds` without gain. */
  validationFraction: number;
  earlyStoppingRounds: number;
  seed: number;
  /** Called after each tree with (trees done, trees planned). */
  onTree?: (done: number, total: number) => void;
}

/** Defaults tuned for ~50k rows × 40 features. */
export const DEFAULT_GBT_PARAMS: GbtParams = {
  objective: Objective.logistic,
  nTrees: 100,
  learningRate: 0.1,
  maxDepth: 6,
  maxLeaves: 31,
  growPolicy: GrowPolicy.lossguide,
  minSamplesLeaf: 20,
  minHessianLeaf: 1e-3,
  l2: 1,
  minSplitGain: 0,
  maxBins: 64,
  subsample: 1,
  colsample: 1,
  validationFraction: 0,
  earlyStoppingRounds: 10,
  seed: 1,
};

/** Training rows: row-major float32 features (NaN = missing), a target and optional weights. */
export interface GbtTrainingData {
  features: Float32Array;
  nRows: number;
  nCols: number;
  target: ArrayLike<number>;
  weights?: ArrayLike<number>;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function routeBinned(tree: GbtTree, binSplit: number[], binned: Uint8Array, base: number): number {
  let n = 0;
  while (tree.feature[n] >= 0) {
    const b = binned[base + tree.feature[n]];
    const goLeft = b === MISSING_BIN ? tree.missingLeft[n] === 1 : b <= binSplit[n];
    n = goLeft ? tree.left[n] : tree.right[n];
  }
  return tree.value[n];
}

function lossOf(objective: Objective, raw: number, y: number): number {
  if (objective === Objective.squaredError) return (raw - y) * (raw - y);
  const p = Math.min(Math.max(sigmoid(raw), 1e-15), 1 - 1e-15);
  return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
}

/** Trains a boosted ensemble; deterministic for a given `seed`. */
export function trainGbt(data: GbtTrainingData, options: Partial<GbtParams> = {}): GbtModel {
  const p: GbtParams = { ...DEFAULT_GBT_PARAMS, ...options };
  const { features, nRows, nCols, target } = data;
  if (features.length !== nRows * nCols) throw new RangeError("Feature array length must be nRows × nCols");
  const prng = new Prng(p.seed);
  const weight = (r: number) => (data.weights ? data.weights[r] : 1);
  const isValidation = new Uint8Array(nRows);
  if (p.validationFraction > 0) {
    for (let r = 0; r < nRows; r++) isValidation[r] = prng.next() < p.validationFraction ? 1 : 0;
  }
  const trainRows: number[] = [];
  const validRows: number[] = [];
  for (let r = 0; r < nRows; r++) (isValidation[r] ? validRows : trainRows).push(r);
  const trainFeatures = new Float32Array(trainRows.length * nCols);
  trainRows.forEach((r, i) => trainFeatures.set(features.subarray(r * nCols, (r + 1) * nCols), i * nCols));
  const bins: FeatureBins = fitFeatureBins(trainFeatures, trainRows.length, nCols, p.maxBins);
  const binned = binFeatures(bins, features, nRows);

  let sw = 0;
  let swy = 0;
  for (const r of trainRows) {
    sw += weight(r);
    swy += weight(r) * target[r];
  }
  const mean = sw > 0 ? swy / sw : 0;
  const baseScore = Math.fround(
    p.objective === Objective.logistic ? Math.log(Math.max(mean, 1e-6) / Math.max(1 - mean, 1e-6)) : mean,
  );
  const raw = new Float64Array(nRows).fill(baseScore);
  const grad = new Float64Array(nRows);
  const hess = new Float64Array(nRows);
  const model: GbtModel = { objective: p.objective, nFeatures: nCols, baseScore, trees: [] };
  const allColumns = Int32Array.from({ length: nCols }, (_, i) => i);
  const nColumns = Math.max(1, Math.round(nCols * p.colsample));
  const inTree = new Uint8Array(nRows);
  const scratch = new Uint32Array(trainRows.length);
  const histPool: Float64Array[] = [];
  let bestLoss = Infinity;
  let bestTrees = 0;

  for (let t = 0; t < p.nTrees; t++) {
    for (const r of trainRows) {
      const w = weight(r);
      if (p.objective === Objective.logistic) {
        const prob = sigmoid(raw[r]);
        grad[r] = (prob - target[r]) * w;
        hess[r] = Math.max(prob * (1 - prob), 1e-16) * w;
      } else {
        grad[r] = (raw[r] - target[r]) * w;
        hess[r] = w;
      }
    }
    let rows: Uint32Array;
    if (p.subsample < 1) {
      const picked: number[] = [];
      for (const r of trainRows) if (prng.next() < p.subsample) picked.push(r);
      rows = Uint32Array.from(picked);
    } else rows = Uint32Array.from(trainRows);
    const columns = nColumns < nCols ? prng.sample(nCols, nColumns) : allColumns;
    const treeData: TreeData = { binned, nCols, bins, grad, hess, rows, columns, scratch, histPool };
    const grown = growTree(treeData, p);
    model.trees.push(grown.tree);
    inTree.fill(0);
    for (const leaf of grown.leaves) {
      const v = grown.tree.value[leaf.node];
      for (let i = leaf.start; i < leaf.end; i++) {
        raw[rows[i]] += v;
        inTree[rows[i]] = 1;
      }
    }
    for (let r = 0; r < nRows; r++) {
      if (!inTree[r]) raw[r] += routeBinned(grown.tree, grown.binSplit, binned, r * nCols);
    }
    p.onTree?.(t + 1, p.nTrees);
    if (validRows.length > 0) {
      let loss = 0;
      for (const r of validRows) loss += weight(r) * lossOf(p.objective, raw[r], target[r]);
      if (loss < bestLoss - 1e-12) {
        bestLoss = loss;
        bestTrees = t + 1;
      } else if (t + 1 - bestTrees >= p.earlyStoppingRounds) break;
    }
  }
  if (validRows.length > 0) model.trees.length = bestTrees;
  return model;
}

/** Raw score of one row (`row[offset + f]` is feature `f`); a logit for the logistic objective. */
export function predictRaw(model: GbtModel, row: ArrayLike<number>, offset = 0): number {
  let sum = model.baseScore;
  for (const tree of model.trees) {
    const { feature, threshold, missingLeft, left, right } = tree;
    let n = 0;
    while (feature[n] >= 0) {
      const x = Math.fround(row[offset + feature[n]]);
      // Same as ONNX BRANCH_LEQ with nodes_missing_value_tracks_true.
      n = x <= threshold[n] || (x !== x && missingLeft[n] === 1) ? left[n] : right[n];
    }
    sum += tree.value[n];
  }
  return sum;
}

/** Raw scores of `features.length / model.nFeatures` row-major rows. */
export function predictRawBatch(model: GbtModel, features: Float32Array): Float64Array {
  const nRows = Math.floor(features.length / model.nFeatures);
  const out = new Float64Array(nRows);
  for (let r = 0; r < nRows; r++) out[r] = predictRaw(model, features, r * model.nFeatures);
  return out;
}

/** Probability for a logistic model (sigmoid of the raw score). */
export function predictProbability(model: GbtModel, row: ArrayLike<number>, offset = 0): number {
  return sigmoid(predictRaw(model, row, offset));
}
