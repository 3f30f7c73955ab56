/**
 * Uplift meta-learners on gradient-boosted trees: S, T, X (Künzel et al. 2019) and DR (Kennedy 2020).
 *
 * Every learner ends in the same {@link UpliftModel} shape: a control and a treated outcome classifier
 * (logits) and, for X and DR, an effect regressor whose raw output is the uplift.
 * - S: one classifier on features + treatment; it is split into control/treated trees by fixing the
 *   treatment feature to 0 and 1, so `uplift = σ(treated) − σ(control)`.
 * - T: separate classifiers on control and treated rows; `uplift = σ(treated) − σ(control)`.
 * - X: T-learner first, then imputed effects `D1 = Y − μ0(X)` (treated) and `D0 = μ1(X) − Y` (control) are
 *   regressed into τ1 and τ0 and blended `τ = e·τ0 + (1 − e)·τ1` with the design propensity `e` (the treated
 *   share, constant in a randomised trial), folded into one effect ensemble.
 * - DR: cross-fitted outcome models give doubly robust pseudo-outcomes
 *   `φ = μ1 − μ0 + T(Y − μ1)/e − (1 − T)(Y − μ0)/(1 − e)`, regressed on the features.
 * For X and DR `pControl`/`pTreated` come from T-learner outcome models fitted on all rows, while `uplift`
 * is the effect model, so `uplift` need not equal `pTreated − pControl`.
 *
 * @module
 */

import {
  DEFAULT_GBT_PARAMS,
  type GbtModel,
  type GbtParams,
  type GbtTree,
  Objective,
  predictRaw,
  trainGbt,
} from "./gbt.ts";
import { Prng } from "./prng.ts";

/** The meta-learners. */
export const Learner = { s: "s", t: "t", x: "x", dr: "dr" } as const;
/** One of {@link Learner}. */
export type Learner = typeof Learner[keyof typeof Learner];

/**
 * The shipped default, chosen by measurement in `learner_choice_test.ts`: on the synthetic RCT the X-learner
 * had the best held-out Qini/AUUC averaged over seeds and beat both the T- and the S-learner.
 */
export const DEFAULT_LEARNER: Learner = Learner.x;

/** A randomised trial: row-major features (NaN = missing), 0/1 treatment and 0/1 outcome per row. */
export interface UpliftData {
  features: Float32Array;
  nRows: number;
  nCols: number;
  treatment: ArrayLike<number>;
  outcome: ArrayLike<number>;
}

/** A fitted uplift model; plain JSON data. */
export interface UpliftModel {
  learner: Learner;
  nFeatures: number;
  /** Share of treated rows in training, used as the propensity. */
  treatedShare: number;
  /** Logit of the outcome without treatment. */
  control: GbtModel;
  /** Logit of the outcome with treatment. */
  treated: GbtModel;
  /** X/DR only: raw output is the uplift. */
  effect: GbtModel | null;
}

/** Options for {@link fitUplift}. */
export interface FitUpliftOptions {
  learner?: Learner;
  /** Overrides for the outcome classifiers. */
  params?: Partial<GbtParams>;
  /** Overrides for the X/DR effect regressors. */
  effectParams?: Partial<GbtParams>;
  seed?: number;
  /** X-learner: outcome models per arm (`"t"`, default) or one shared model (`"s"`). */
  xBase?: "t" | "s";
  /** Cross-fitting folds for DR (default 2). */
  folds?: number;
  /** Called as trees finish with (trees done, trees planned over all models). */
  onProgress?: (done: number, total: number) => void;
}

/** One row's scores; probabilities are of the positive outcome. */
export interface UpliftPrediction {
  pControl: number;
  pTreated: number;
  uplift: number;
}

/** Defaults for the effect regressors: the targets are noisy, so trees are smaller and shrunk harder. */
export const DEFAULT_EFFECT_PARAMS: Partial<GbtParams> = {
  objective: Objective.squaredError,
  nTrees: 150,
  learningRate: 0.05,
  maxDepth: 3,
  maxLeaves: 7,
  minSamplesLeaf: 200,
  subsample: 0.8,
};

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function selectRows(
  data: UpliftData,
  keep: (r: number) => boolean,
): { features: Float32Array; rows: number[] } {
  const rows: number[] = [];
  for (let r = 0; r < data.nRows; r++) if (keep(r)) rows.push(r);
  const features = new Float32Array(rows.length * data.nCols);
  rows.forEach((r, i) =>
    features.set(data.features.subarray(r * data.nCols, (r + 1) * data.nCols), i * data.nCols)
  );
  return { features, rows };
}

/** Copies a tree with the splits on `feature` resolved for the fixed `value`. */
export function specializeTree(tree: GbtTree, feature: number, value: number): GbtTree {
  const out: GbtTree = { feature: [], threshold: [], missingLeft: [], left: [], right: [], value: [] };
  const x = Math.fround(value);
  const copy = (start: number): number => {
    let n = start;
    while (tree.feature[n] === feature) n = x <= tree.threshold[n] ? tree.left[n] : tree.right[n];
    const id = out.feature.length;
    out.feature.push(tree.feature[n]);
    out.threshold.push(tree.threshold[n]);
    out.missingLeft.push(tree.missingLeft[n]);
    out.left.push(-1);
    out.right.push(-1);
    out.value.push(tree.value[n]);
    if (tree.feature[n] >= 0) {
      out.left[id] = copy(tree.left[n]);
      out.right[id] = copy(tree.right[n]);
    }
    return id;
  };
  copy(0);
  return out;
}

function blend(parts: { model: GbtModel; scale: number }[]): GbtModel {
  const trees = parts.flatMap(({ model, scale }) =>
    model.trees.map((t) => ({ ...t, value: t.value.map((v) => Math.fround(v * scale)) }))
  );
  const baseScore = Math.fround(parts.reduce((s, { model, scale }) => s + model.baseScore * scale, 0));
  return { objective: Objective.squaredError, nFeatures: parts[0].model.nFeatures, baseScore, trees };
}

/** Fits an uplift model with the chosen meta-learner (default {@link DEFAULT_LEARNER}). */
export function fitUplift(data: UpliftData, options: FitUpliftOptions = {}): UpliftModel {
  const learner = options.learner ?? DEFAULT_LEARNER;
  const seed = options.seed ?? 1;
  const outcomeParams = { ...DEFAULT_GBT_PARAMS, ...options.params, objective: Objective.logistic };
  const effectParams = { ...DEFAULT_GBT_PARAMS, ...DEFAULT_EFFECT_PARAMS, ...options.effectParams };
  const folds = Math.max(2, options.folds ?? 2);
  const { nCols, treatment, outcome } = data;
  let nTreated = 0;
  for (let r = 0; r < data.nRows; r++) nTreated += treatment[r] ? 1 : 0;
  const e = nTreated / data.nRows;
  const planned = {
    s: outcomeParams.nTrees,
    t: 2 * outcomeParams.nTrees,
    x: 2 * outcomeParams.nTrees + 2 * effectParams.nTrees,
    dr: 2 * (folds + 1) * outcomeParams.nTrees + effectParams.nTrees,
  }[learner];
  let done = 0;
  let modelIndex = 0;
  const train = (
    rows: { features: Float32Array; rows: number[] },
    target: ArrayLike<number>,
    p: GbtParams,
  ) => {
    const before = done;
    const model = trainGbt(
      { features: rows.features, nRows: rows.rows.length, nCols, target },
      {
        ...p,
        seed: seed * 7919 + modelIndex++,
        onTree: (k) => options.onProgress?.(done = before + k, planned),
      },
    );
    done = before + p.nTrees;
    return model;
  };
  const pick = (rows: number[], values: ArrayLike<number>) => Float64Array.from(rows, (r) => values[r]);
  const fitArms = (keep: (r: number) => boolean) => {
    const c = selectRows(data, (r) => keep(r) && !treatment[r]);
    const t = selectRows(data, (r) => keep(r) && !!treatment[r]);
    return {
      control: train(c, pick(c.rows, outcome), outcomeParams),
      treated: train(t, pick(t.rows, outcome), outcomeParams),
    };
  };
  const prob = (m: GbtModel, r: number) => sigmoid(predictRaw(m, data.features, r * nCols));

  const fitShared = () => {
    const augmented = new Float32Array(data.nRows * (nCols + 1));
    for (let r = 0; r < data.nRows; r++) {
      augmented.set(data.features.subarray(r * nCols, (r + 1) * nCols), r * (nCols + 1));
      augmented[r * (nCols + 1) + nCols] = treatment[r] ? 1 : 0;
    }
    const s = trainGbt(
      { features: augmented, nRows: data.nRows, nCols: nCols + 1, target: outcome },
      { ...outcomeParams, seed, onTree: (k) => options.onProgress?.(k, planned) },
    );
    const arm = (v: number): GbtModel => ({
      ...s,
      nFeatures: nCols,
      trees: s.trees.map((t) => specializeTree(t, nCols, v)),
    });
    return { control: arm(0), treated: arm(1) };
  };
  if (learner === Learner.s) {
    return { learner, nFeatures: nCols, treatedShare: e, ...fitShared(), effect: null };
  }
  if (learner === Learner.t) {
    const arms = fitArms(() => true);
    return { learner, nFeatures: nCols, treatedShare: e, ...arms, effect: null };
  }
  if (learner === Learner.x) {
    // The outcome models that impute effects: one per arm, or one shared model (S) whose arms
    // borrow strength from each other — better when each arm has few rows.
    const arms = options.xBase === "s" ? fitShared() : fitArms(() => true);
    const c = selectRows(data, (r) => !treatment[r]);
    const t = selectRows(data, (r) => !!treatment[r]);
    const d1 = Float64Array.from(t.rows, (r) => outcome[r] - prob(arms.control, r));
    const d0 = Float64Array.from(c.rows, (r) => prob(arms.treated, r) - outcome[r]);
    const tau1 = train(t, d1, effectParams);
    const tau0 = train(c, d0, effectParams);
    const effect = blend([{ model: tau0, scale: e }, { model: tau1, scale: 1 - e }]);
    return { learner, nFeatures: nCols, treatedShare: e, ...arms, effect };
  }
  // DR-learner with cross-fitting: outcome models never score the rows they were trained on.
  const prng = new Prng(seed);
  const fold = Uint8Array.from({ length: data.nRows }, () => prng.int(folds));
  const pseudo = new Float64Array(data.nRows);
  for (let k = 0; k < folds; k++) {
    const arms = fitArms((r) => fold[r] !== k);
    for (let r = 0; r < data.nRows; r++) {
      if (fold[r] !== k) continue;
      const m0 = prob(arms.control, r);
      const m1 = prob(arms.treated, r);
      const y = outcome[r];
      pseudo[r] = m1 - m0 + (treatment[r] ? (y - m1) / e : -(y - m0) / (1 - e));
    }
  }
  const arms = fitArms(() => true);
  const all = { features: data.features, rows: Array.from({ length: data.nRows }, (_, r) => r) };
  const effect = train(all, pseudo, effectParams);
  return { learner, nFeatures: nCols, treatedShare: e, ...arms, effect };
}

/** Scores one row (`row[offset + f]` is feature `f`). */
export function predictUpliftRow(model: UpliftModel, row: ArrayLike<number>, offset = 0): UpliftPrediction {
  const pControl = sigmoid(predictRaw(model.control, row, offset));
  const pTreated = sigmoid(predictRaw(model.treated, row, offset));
  const uplift = model.effect ? predictRaw(model.effect, row, offset) : pTreated - pControl;
  return { pControl, pTreated, uplift };
}

/** Scores row-major `rows` (`rows.length / model.nFeatures` rows). */
export function predictUplift(model: UpliftModel, rows: Float32Array): UpliftPrediction[] {
  const n = Math.floor(rows.length / model.nFeatures);
  const out: UpliftPrediction[] = new Array(n);
  for (let r = 0; r < n; r++) out[r] = predictUpliftRow(model, rows, r * model.nFeatures);
  return out;
}
