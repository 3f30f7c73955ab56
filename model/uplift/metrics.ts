/**
 * Uplift evaluation, computed the way scikit-uplift (`sklift.metrics`) does.
 *
 * Rows are ordered by predicted uplift, descending; ties keep sklift's order (a stable ascending sort,
 * reversed). Curve points are taken only at the last row of each run of equal scores, plus (0, 0).
 * With cumulative counts at a point — N rows, N_T treated, N_C control, Y_T treated responders,
 * Y_C control responders:
 * - Qini curve: `Y_T − Y_C · N_T / N_C` (0 where N_C = 0);
 * - uplift curve: `(Y_T / N_T − Y_C / N_C) · N` (each ratio 0 where its count is 0).
 * Areas use the trapezoid rule. The random baseline is the straight line from (0, 0) to the last point of
 * the perfect curve. Scores are normalised `(AUC_model − AUC_random) / (AUC_perfect − AUC_random)`:
 * - `qini_auc_score`: perfect curve = Qini curve of the score `y·t − y·(1 − t)` (negative effects allowed);
 * - `uplift_auc_score`: perfect curve = uplift curve of the score `2·[y = t] + (y if CR > TN else t)`, where
 *   CR counts control responders and TN treated non-responders.
 *
 * @module
 */

/** Points of a curve: `x` is the number of targeted rows. */
export interface Curve {
  x: number[];
  y: number[];
}

/** Row indices sorted by descending score, with sklift's tie order. */
export function descendingOrder(scores: ArrayLike<number>): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[a] - scores[b] || a - b);
  return order.reverse();
}

function cumulativeCurve(
  outcome: ArrayLike<number>,
  scores: ArrayLike<number>,
  treatment: ArrayLike<number>,
  value: (yT: number, yC: number, nT: number, nC: number, n: number) => number,
): Curve {
  const order = descendingOrder(scores);
  const x: number[] = [];
  const y: number[] = [];
  let nT = 0;
  let yT = 0;
  let yC = 0;
  for (let i = 0; i < order.length; i++) {
    const r = order[i];
    if (treatment[r]) {
      nT++;
      yT += outcome[r];
    } else yC += outcome[r];
    if (i < order.length - 1 && scores[order[i + 1]] === scores[r]) continue;
    const n = i + 1;
    x.push(n);
    y.push(value(yT, yC, nT, n - nT, n));
  }
  if (x.length === 0 || x[0] !== 0 || y[0] !== 0) {
    x.unshift(0);
    y.unshift(0);
  }
  return { x, y };
}

/** sklift `qini_curve`. */
export function qiniCurve(
  outcome: ArrayLike<number>,
  scores: ArrayLike<number>,
  treatment: ArrayLike<number>,
): Curve {
  return cumulativeCurve(
    outcome,
    scores,
    treatment,
    (yT, yC, nT, nC) => yT - (nC !== 0 ? (yC * nT) / nC : 0),
  );
}

/** sklift `uplift_curve`. */
export function upliftCurve(
  outcome: ArrayLike<number>,
  scores: ArrayLike<number>,
  treatment: ArrayLike<number>,
): Curve {
  return cumulativeCurve(
    outcome,
    scores,
    treatment,
    (yT, yC, nT, nC, n) => ((nT !== 0 ? yT / nT : 0) - (nC !== 0 ? yC / nC : 0)) * n,
  );
}

/** sklift `perfect_qini_curve` with `negative_effect=True`. */
export function perfectQiniCurve(outcome: ArrayLike<number>, treatment: ArrayLike<number>): Curve {
  const ideal = Array.from({ length: outcome.length }, (_, i) => outcome[i] * (treatment[i] ? 1 : -1));
  return qiniCurve(outcome, ideal, treatment);
}

/** sklift `perfect_uplift_curve`. */
export function perfectUpliftCurve(outcome: ArrayLike<number>, treatment: ArrayLike<number>): Curve {
  let controlResponders = 0;
  let treatedNonResponders = 0;
  for (let i = 0; i < outcome.length; i++) {
    if (outcome[i] && !treatment[i]) controlResponders++;
    if (!outcome[i] && treatment[i]) treatedNonResponders++;
  }
  const ideal = Array.from({ length: outcome.length }, (_, i) => {
    const summand = controlResponders > treatedNonResponders ? outcome[i] : treatment[i];
    return 2 * (outcome[i] === treatment[i] ? 1 : 0) + summand;
  });
  return upliftCurve(outcome, ideal, treatment);
}

/** Trapezoid area under a curve (sklearn `auc`). */
export function areaUnder(curve: Curve): number {
  let area = 0;
  for (let i = 1; i < curve.x.length; i++) {
    area += ((curve.x[i] - curve.x[i - 1]) * (curve.y[i] + curve.y[i - 1])) / 2;
  }
  return area;
}

function normalised(model: Curve, perfect: Curve): number {
  const last = perfect.x.length - 1;
  const random = areaUnder({ x: [0, perfect.x[last]], y: [0, perfect.y[last]] });
  return (areaUnder(model) - random) / (areaUnder(perfect) - random);
}

/** sklift `qini_auc_score` (negative effects allowed): 1 is perfect, 0 is random. */
export function qiniAucScore(
  outcome: ArrayLike<number>,
  scores: ArrayLike<number>,
  treatment: ArrayLike<number>,
): number {
  return normalised(qiniCurve(outcome, scores, treatment), perfectQiniCurve(outcome, treatment));
}

/** sklift `uplift_auc_score` (normalised AUUC). */
export function upliftAucScore(
  outcome: ArrayLike<number>,
  scores: ArrayLike<number>,
  treatment: ArrayLike<number>,
): number {
  return normalised(upliftCurve(outcome, scores, treatment), perfectUpliftCurve(outcome, treatment));
}

/**
 * sklift `uplift_at_k(strategy="overall")`: treated response rate minus control response rate among the
 * first `floor(n · k)` rows by score (an empty arm counts as NaN).
 */
export function upliftAtK(
  outcome: ArrayLike<number>,
  scores: ArrayLike<number>,
  treatment: ArrayLike<number>,
  k: number,
): number {
  const top = descendingOrder(scores).slice(0, Math.floor(outcome.length * k));
  let nT = 0;
  let yT = 0;
  let yC = 0;
  for (const r of top) {
    if (treatment[r]) {
      nT++;
      yT += outcome[r];
    } else yC += outcome[r];
  }
  return yT / nT - yC / (top.length - nT);
}

/**
 * Incremental conversions from contacting the `budget` rows with the highest scores. With `trueUplift`
 * it is the sum of the true uplift over those rows; otherwise the estimate `uplift@budget · budget`.
 */
export function incrementalConversions(
  outcome: ArrayLike<number>,
  scores: ArrayLike<number>,
  treatment: ArrayLike<number>,
  budget: number,
  trueUplift?: ArrayLike<number>,
): number {
  const count = Math.min(Math.floor(budget), outcome.length);
  if (trueUplift) return descendingOrder(scores).slice(0, count).reduce((s, r) => s + trueUplift[r], 0);
  return upliftAtK(outcome, scores, treatment, count / outcome.length) * count;
}

/** Headline figures for one scoring of a trial. */
export interface UpliftFigures {
  qini: number;
  auuc: number;
  upliftAtK: number;
  incrementalConversions: number;
}

/** Figures of a model and, when the true uplift is known, of the oracle ranking by true uplift. */
export interface UpliftReport extends UpliftFigures {
  oracle: UpliftFigures | null;
}

/** Evaluates `scores` on a trial; `k` is the top share for uplift@k and `budget` the contact count. */
export function upliftReport(
  outcome: ArrayLike<number>,
  scores: ArrayLike<number>,
  treatment: ArrayLike<number>,
  options: { k?: number; budget?: number; trueUplift?: ArrayLike<number> } = {},
): UpliftReport {
  const k = options.k ?? 0.3;
  const budget = options.budget ?? Math.floor(outcome.length * k);
  const figures = (s: ArrayLike<number>): UpliftFigures => ({
    qini: qiniAucScore(outcome, s, treatment),
    auuc: upliftAucScore(outcome, s, treatment),
    upliftAtK: upliftAtK(outcome, s, treatment, k),
    incrementalConversions: incrementalConversions(outcome, s, treatment, budget, options.trueUplift),
  });
  return { ...figures(scores), oracle: options.trueUplift ? figures(options.trueUplift) : null };
}
