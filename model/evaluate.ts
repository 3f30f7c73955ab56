/**
 * The honest evaluation (`deno task eval`): models are trained on the
 * training clients only and scored on held-out clients against the
 * generator's ground truth. Our uplift model is compared with T- and
 * S-learners on the same features, the "obvious" propensity recommender, the
 * bank's rules, collaborative filtering and the oracle.
 *
 * @module
 */

import { scoreItemSimilarity, trainItemSimilarity } from "./baselines/collaborative.ts";
import { ruleScore } from "./baselines/rules.ts";
import { enrichAll, trainEnrichment } from "./enrichment.ts";
import { FEATURE_COUNT, FEATURE_NAMES } from "./features.ts";
import { productByCode, PRODUCTS, SANTANDER_PRODUCTS } from "./products.ts";
import { OUTCOME_PARAMS, pickRows, trainPooledUplift, trainPropensity, trainUpliftModels } from "./train.ts";
import { rowOf, type TrainingSet } from "./training_set.ts";
import { predictProbability, trainGbt } from "./uplift/gbt.ts";
import { type Learner, predictUpliftRow } from "./uplift/learners.ts";
import { qiniCurve, type UpliftReport, upliftReport } from "./uplift/metrics.ts";

/** Figures of one ranking model on the held-out campaign rows. */
export interface ModelEvaluation extends Omit<UpliftReport, "oracle"> {
  /** The Qini curve, down-sampled for plotting: share of rows targeted → incremental conversions. */
  curve: { x: number[]; y: number[] };
  perOffer: Record<string, number>;
}

/** The evaluation report written as JSON and rendered as HTML. */
export interface EvaluationReport {
  generatedAt: string;
  trainRows: number;
  testRows: number;
  testClients: number;
  /** Share of held-out rows targeted by the contact budget. */
  budgetShare: number;
  models: Record<string, ModelEvaluation>;
  nextProduct: { clientMonths: number; map7: Record<string, number> };
  recommendations: { coverage: Record<string, number>; diversity: Record<string, number> };
  checks: { atLeastTLearner: boolean; atLeastSLearner: boolean; beatsPropensityOnIncremental: boolean };
  /** Baselines that did not run, with why. */
  skipped: Record<string, string>;
}

const HOLD = FEATURE_NAMES.map((name) => name.startsWith("holds_") ? name.slice(6) : null);

function holdingsOf(features: ArrayLike<number>): number[] {
  return PRODUCTS.map((product) => features[HOLD.indexOf(product.code)] === 1 ? 1 : 0);
}

function downsample(curve: { x: number[]; y: number[] }, points = 120): { x: number[]; y: number[] } {
  const last = curve.x.length - 1;
  const step = Math.max(1, Math.floor(last / points));
  const x: number[] = [], y: number[] = [];
  for (let i = 0; i <= last; i += step) (x.push(curve.x[i] / curve.x[last]), y.push(curve.y[i]));
  if (x.at(-1) !== 1) (x.push(1), y.push(curve.y[last]));
  return { x, y };
}

/** Mean average precision at 7 (the Santander competition's metric). */
export function map7(rankings: readonly string[][], actual: readonly string[][]): number {
  let total = 0;
  for (let u = 0; u < rankings.length; u++) {
    let hits = 0, score = 0;
    rankings[u].slice(0, 7).forEach((product, k) => {
      if (actual[u].includes(product)) score += ++hits / (k + 1);
    });
    total += score / Math.min(actual[u].length, 7);
  }
  return rankings.length ? total / rankings.length : 0;
}

/** Trains on the training clients and evaluates every model on the held-out ones. */
export function evaluate(
  set: TrainingSet,
  offers: readonly string[],
  options: {
    learner?: Learner;
    budgetShare?: number;
    onProgress?: (fraction: number, note: string) => void;
  } = {},
): EvaluationReport {
  const progress = options.onProgress ?? (() => {});
  const budgetShare = options.budgetShare ?? 0.2;
  const trainUsers = set.users.map((user, i) => ({ user, i })).filter(({ user }) => !user.test);
  const enrichment = trainEnrichment(
    pickRows(set.userFeatures, FEATURE_COUNT, trainUsers.map(({ i }) => i)),
    offers,
  );
  const enriched = enrichAll(enrichment, set.campaignFeatures);
  const fit = (learner: Learner, from: number, to: number) =>
    trainUpliftModels(set, enriched, offers, {
      learner,
      onProgress: (f, note) => progress(from + (to - from) * f, `${learner}-learner: ${note}`),
    });
  const pooled = (learner: Learner, from: number, to: number) =>
    trainPooledUplift(set, enriched, offers, {
      learner,
      onProgress: (f, note) => progress(from + (to - from) * f, `${learner}-learner: ${note}`),
    });
  const ours = pooled(options.learner ?? "x", 0, 0.2);
  const tLearner = pooled("t", 0.2, 0.3);
  const sLearner = pooled("s", 0.3, 0.4);
  const perOfferX = fit("x", 0.4, 0.65);
  // The "obvious" recommender: P(convert) per offer, treatment ignored.
  const propensity = Object.fromEntries(offers.map((offer) => {
    const rows = set.examples.filter((example) => example.offer === offer && !example.test);
    return [
      offer,
      trainGbt({
        features: pickRows(enriched.features, enriched.width, rows.map((example) => example.row)),
        nRows: rows.length,
        nCols: enriched.width,
        target: rows.map((example) => example.converted),
      }, { ...OUTCOME_PARAMS, objective: "logistic" }),
    ];
  }));
  progress(0.7, "baselines");
  const cf = trainItemSimilarity(
    trainUsers.map(({ i }) => holdingsOf(rowOf(set.userFeatures, i))),
    PRODUCTS.map((product) => product.code),
  );
  const test = set.examples.filter((example) => example.test && ours[example.offer]);
  const row = (example: (typeof test)[number]) =>
    enriched.features.subarray(example.row * enriched.width, (example.row + 1) * enriched.width);
  const upliftOf = (models: typeof ours) => (example: (typeof test)[number]) =>
    models[example.offer] ? predictUpliftRow(models[example.offer], row(example)).uplift : 0;
  const rankers: Record<string, (example: (typeof test)[number]) => number> = {
    [`uplift (${options.learner ?? "x"}-learner, ours)`]: upliftOf(ours),
    "t-learner": upliftOf(tLearner),
    "s-learner": upliftOf(sLearner),
    "x-learner per offer (unpooled)": upliftOf(perOfferX),
    "propensity only": (example) => predictProbability(propensity[example.offer], row(example)),
    "rules (if-else)": (example) => ruleScore(rowOf(set.campaignFeatures, example.row), example.offer),
    "collaborative filtering": (example) =>
      scoreItemSimilarity(cf, holdingsOf(rowOf(set.campaignFeatures, example.row)))[
        PRODUCTS.findIndex((product) => product.code === example.offer)
      ],
    "oracle": (example) => example.trueUplift,
  };
  const outcome = test.map((example) => example.converted);
  const treatment = test.map((example) => example.treated);
  const trueUplift = test.map((example) => example.trueUplift);
  const budget = Math.floor(test.length * budgetShare);
  const models: Record<string, ModelEvaluation> = {};
  for (const [name, score] of Object.entries(rankers)) {
    const scores = test.map(score);
    const { oracle: _oracle, ...figures } = upliftReport(outcome, scores, treatment, {
      k: budgetShare,
      budget,
      trueUplift,
    });
    const perOffer: Record<string, number> = {};
    for (const offer of offers) {
      const idx = test.map((example, i) => example.offer === offer ? i : -1).filter((i) => i >= 0);
      if (idx.length < 40) continue;
      perOffer[offer] = upliftReport(
        idx.map((i) => outcome[i]),
        idx.map((i) => scores[i]),
        idx.map((i) => treatment[i]),
      ).qini;
    }
    models[name] = { ...figures, curve: downsample(qiniCurve(outcome, scores, treatment)), perOffer };
  }
  progress(0.8, "next-product propensity");
  const nextProduct = evaluateNextProduct(set, enrichment, cf);
  const recommendations = evaluateRecommendations(set, enrichment, offers, ours, propensity);
  const oursName = Object.keys(rankers)[0];
  progress(1, "done");
  return {
    generatedAt: new Date().toISOString(),
    trainRows: set.examples.filter((example) => !example.test).length,
    testRows: test.length,
    testClients: new Set(test.map((example) => example.userId)).size,
    budgetShare,
    models,
    nextProduct,
    recommendations,
    checks: {
      atLeastTLearner: models[oursName].qini >= models["t-learner"].qini,
      atLeastSLearner: models[oursName].qini >= models["s-learner"].qini,
      beatsPropensityOnIncremental:
        models[oursName].incrementalConversions > models["propensity only"].incrementalConversions,
    },
    skipped: {},
  };
}

function evaluateNextProduct(
  set: TrainingSet,
  enrichment: ReturnType<typeof trainEnrichment>,
  cf: ReturnType<typeof trainItemSimilarity>,
): EvaluationReport["nextProduct"] {
  const enrichedMonths = enrichAll(enrichment, set.monthFeatures);
  const models = trainPropensity(set, enrichedMonths);
  const months = set.months.filter((month) => month.test && month.added.length > 0);
  const popularity = new Map<string, number>();
  for (const month of set.months) {
    if (!month.test) { for (const p of month.added) popularity.set(p, (popularity.get(p) ?? 0) + 1); }
  }
  const codes = SANTANDER_PRODUCTS.map((product) => product.code);
  const rank = (month: (typeof months)[number], score: (code: string) => number) =>
    codes.filter((code) => !month.held.includes(code)).sort((a, b) => score(b) - score(a));
  const actual = months.map((month) => month.added);
  const width = enrichedMonths.width;
  const rankings: Record<string, string[][]> = {
    "propensity (ours)": months.map((month) =>
      rank(
        month,
        (code) =>
          models[code]
            ? predictProbability(
              models[code],
              enrichedMonths.features.subarray(month.row * width, (month.row + 1) * width),
            )
            : 0,
      )
    ),
    "collaborative filtering": months.map((month) => {
      const scores = scoreItemSimilarity(cf, holdingsOf(rowOf(set.monthFeatures, month.row)));
      return rank(month, (code) => scores[PRODUCTS.findIndex((product) => product.code === code)]);
    }),
    "rules (if-else)": months.map((month) =>
      rank(month, (code) => ruleScore(rowOf(set.monthFeatures, month.row), code))
    ),
    "popularity": months.map((month) => rank(month, (code) => popularity.get(code) ?? 0)),
  };
  return {
    clientMonths: months.length,
    map7: Object.fromEntries(Object.entries(rankings).map(([name, ranked]) => [name, map7(ranked, actual)])),
  };
}

function evaluateRecommendations(
  set: TrainingSet,
  enrichment: ReturnType<typeof trainEnrichment>,
  offers: readonly string[],
  uplift: ReturnType<typeof trainUpliftModels>,
  propensity: Record<string, ReturnType<typeof trainGbt>>,
): EvaluationReport["recommendations"] {
  const users = set.users.map((user, i) => ({ user, i })).filter(({ user }) => user.test);
  const enriched = enrichAll(enrichment, pickRows(set.userFeatures, FEATURE_COUNT, users.map(({ i }) => i)));
  const top3: Record<string, string[][]> = { "uplift (ours)": [], "propensity only": [] };
  users.forEach((_, u) => {
    const features = enriched.features.subarray(u * enriched.width, (u + 1) * enriched.width);
    const open = offers.filter((offer) => uplift[offer] && features[HOLD.indexOf(offer)] !== 1);
    const by = (score: (offer: string) => number) =>
      open.slice().sort((a, b) => score(b) - score(a)).slice(0, 3);
    top3["uplift (ours)"].push(by((offer) => predictUpliftRow(uplift[offer], features).uplift));
    top3["propensity only"].push(by((offer) => predictProbability(propensity[offer], features)));
  });
  const coverage: Record<string, number> = {};
  const diversity: Record<string, number> = {};
  for (const [name, lists] of Object.entries(top3)) {
    coverage[name] = new Set(lists.flat()).size / offers.length;
    const families = lists.map((list) =>
      new Set(list.map((code) => productByCode(code)?.family)).size / Math.max(1, list.length)
    );
    diversity[name] = families.reduce((sum, value) => sum + value, 0) / Math.max(1, families.length);
  }
  return { coverage, diversity };
}
