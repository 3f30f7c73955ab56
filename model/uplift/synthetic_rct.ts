/**
 * A synthetic randomised trial with known per-row uplift, for measuring uplift learners.
 *
 * Baseline log-odds `b(x)` and treatment shift `δ(x)` are nonlinear with interactions; the true uplift is
 * `τ(x) = σ(b + δ) − σ(b)`. The population mixes persuadables (δ > 0), sleeping dogs (δ < 0: `x1 > 1`),
 * sure things (high `b`) and lost causes (low `b`). `x2` is missing for 10% of rows and `channel` is a
 * categorical column (its level index is the last numeric feature).
 *
 * @module
 */

import type { UpliftData } from "./learners.ts";
import { Prng } from "./prng.ts";

/** Channel levels of the categorical column. */
export const CHANNELS = ["app", "branch", "web", "call"] as const;

/** A generated trial plus its ground truth. */
export interface SyntheticRct extends UpliftData {
  featureNames: string[];
  channel: string[];
  trueUplift: Float64Array;
}

/** Options for {@link generateRct}. */
export interface GenerateRctOptions {
  seed?: number;
  /** Extra pure-noise features (default 4). */
  noiseFeatures?: number;
  /** Probability of treatment (default 0.5). */
  treatedShare?: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Generates `nRows` rows of a randomised trial. */
export function generateRct(nRows: number, options: GenerateRctOptions = {}): SyntheticRct {
  const prng = new Prng(options.seed ?? 1);
  const noise = options.noiseFeatures ?? 4;
  const share = options.treatedShare ?? 0.5;
  const base = ["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"];
  const featureNames = [...base, ...Array.from({ length: noise }, (_, i) => `noise${i}`), "channel_code"];
  const nCols = featureNames.length;
  const features = new Float32Array(nRows * nCols);
  const treatment = new Uint8Array(nRows);
  const outcome = new Uint8Array(nRows);
  const trueUplift = new Float64Array(nRows);
  const channel: string[] = new Array(nRows);
  for (let r = 0; r < nRows; r++) {
    const x = Array.from({ length: base.length + noise }, () => prng.normal());
    const missing = prng.next() < 0.1;
    const c = prng.int(CHANNELS.length);
    channel[r] = CHANNELS[c];
    const b = -1 + 0.8 * x[0] - 0.5 * x[1] * x[1] + 0.5 * x[3] * x[4] + 0.6 * Math.sin(2 * x[5]) +
      (c === 1 ? 0.5 : 0);
    const delta = 1.3 * (x[0] > 0 && x[6] > -0.3 ? 1 : 0) -
      1.2 * (x[1] > 1 ? 1 : 0) +
      (missing ? 0 : 0.5 * Math.tanh(2 * x[2])) +
      0.4 * x[7] * (x[3] > 0 ? 1 : -1) +
      (c === 0 ? 0.4 : 0);
    const p0 = sigmoid(b);
    const p1 = sigmoid(b + delta);
    trueUplift[r] = p1 - p0;
    treatment[r] = prng.next() < share ? 1 : 0;
    outcome[r] = prng.next() < (treatment[r] ? p1 : p0) ? 1 : 0;
    const row = features.subarray(r * nCols, (r + 1) * nCols);
    x.forEach((v, i) => (row[i] = v));
    if (missing) row[2] = NaN;
    row[nCols - 1] = c;
  }
  return { features, nRows, nCols, treatment, outcome, trueUplift, featureNames, channel };
}

/** Splits a trial into the first `nFirst` rows and the rest. */
export function splitRct(rct: SyntheticRct, nFirst: number): [SyntheticRct, SyntheticRct] {
  const part = (from: number, to: number): SyntheticRct => ({
    features: rct.features.slice(from * rct.nCols, to * rct.nCols),
    nRows: to - from,
    nCols: rct.nCols,
    treatment: (rct.treatment as Uint8Array).slice(from, to),
    outcome: (rct.outcome as Uint8Array).slice(from, to),
    trueUplift: rct.trueUplift.slice(from, to),
    featureNames: rct.featureNames,
    channel: rct.channel.slice(from, to),
  });
  return [part(0, nFirst), part(nFirst, rct.nRows)];
}
