/**
 * The decision layer's tunable policy and its defaults.
 *
 * The score thresholds are tuned to the shipped model's real output
 * (`model/artifacts`, trained on generator seed 42), not to the generator's
 * ground-truth thresholds: the model is a noisy estimate of the truth. What
 * was measured, on generator seeds 11 and 23 (1 500 clients each, as of
 * 2026-11-01, i.e. clients the model never saw), scoring every client through
 * `UserScorer` on an actor replayed from its events:
 *
 * - **Score distributions** (5 250 randomized campaign decisions of seed 11,
 *   features replayed to each decision's time, true segments from the
 *   generator): model pControl has median 0.042, 90th percentile 0.21, 95th
 *   0.35; for true sure things it has median 0.27 (10th–90th: 0.09–0.66),
 *   for every other segment a median ≤ 0.07. Model uplift has 10th/50th/90th
 *   percentiles −0.021 / 0.017 / 0.065 overall; its median is 0.027 for true
 *   persuadables, 0.014 for lost causes, 0.004 for sleeping dogs. The model's
 *   uplift is the X-learner's effect model, not pTreated − pControl (they
 *   differ by up to 0.2), so the rules read `uplift` directly.
 * - **Sure thing** (pControl ≥ t and uplift < u): t = 0.3, u = 0.05 flags
 *   4.4 % of decisions with precision 0.88 for true sure things (24 true
 *   persuadables caught); t = 0.2 drops precision to 0.75, t = 0.4 keeps
 *   0.93 but halves recall to 0.21. 0.3 is also the truth's own cut.
 * - **Minimum uplift**, measured on the whole decision (k = 3, no contact
 *   history, the ground truth recomputed for all 12 offers at the decision
 *   time): without the score rules 99 % of clients get an offer, the
 *   primary's true uplift averages 0.065 and 2.7 % of offers are sleeping
 *   dogs. With minUplift 0 / 0.01 / 0.02 / 0.03 / 0.04, 86 / 79 / 68 / 58 /
 *   48 % of clients get an offer, the primary's true uplift is 0.070 /
 *   0.074 / 0.079 / 0.083 / 0.092 and the mean true uplift per offer 0.043 /
 *   0.046 / 0.050 / 0.054 / 0.062 (seed 23: uplifts within 0.002, the share
 *   served within 3 points). An oracle ranking by true uplift under the same
 *   rules reaches 0.111. 0.02 (2 pp) keeps two
 *   thirds of clients served while cutting sleeping dogs to 2 % of offers.
 * - **MMR λ**: 0.3–0.5 give identical decisions; 0.9 adds 3 % true uplift
 *   per client by allowing same-family alternatives. 0.5 is the largest λ at
 *   which a same-family alternative can never appear (λ·1 − (1−λ)·1 ≤ 0).
 * - **The car example** (seed 23, 78 clients with a car purchase in the last
 *   180 days): the partner accessories discount is the primary for 70 and an
 *   alternative for 3; car insurance is never offered (owned 36, sure thing
 *   22, outranked within the insurance family 20).
 * - **Non-personal prior**: the mean of each offer's pTreated, pControl and
 *   uplift over all 1 500 clients of seed 11.
 *
 * Contact limits (a product shown on at most 2 days a week, at most 6
 * products a day, 30 days after a dismissal, 90 days for the family after a
 * complaint) and the debt-burden limit (50 %, the ПДН band above which the
 * Bank of Russia's macroprudential limits bite) are illustrative bank
 * policy, not measured.
 *
 * @module
 */

/** Population means of one offer's scores, the non-personal prior. */
export interface PriorScore {
  pTreated: number;
  pControl: number;
  uplift: number;
}

/** The thresholds and limits {@linkcode decide} applies. */
export interface DecisionPolicy {
  /** Sure thing: P(buy | not shown) at or above this … */
  sureThingMinPControl: number;
  /** … while the uplift stays below this. */
  sureThingMaxUplift: number;
  /** Offers with a smaller estimated uplift are not shown (lost causes, sleeping dogs). */
  minUplift: number;
  /** At or below this uplift the text calls the offer counterproductive (a sleeping dog). */
  sleepingDogUplift: number;
  /** MMR trade-off: 1 ranks by relevance alone, lower values favour other product families. */
  mmrLambda: number;
  /** Upper bound on k (primary plus alternatives). */
  maxOffers: number;
  /** Days one product may be shown within {@linkcode DecisionPolicy.impressionWindowDays}. */
  maxImpressionsPerProduct: number;
  /** The frequency cap's window. */
  impressionWindowDays: number;
  /** Products that may be shown on one UTC day. */
  maxImpressionsPerDay: number;
  /** No re-offer of a product this long after the client dismissed it. */
  dismissCooldownDays: number;
  /** No offer from a product's whole family this long after a complaint about it. */
  complaintCooldownDays: number;
  /** Debt-burden limit (ПДН): monthly credit payments over monthly salary, with the new product. */
  maxDebtBurden: number;
  /** Population means per offer, used to rank when the client has turned personalization off. */
  nonPersonalPrior: Readonly<Record<string, PriorScore>>;
}

/** Means of the shipped model's scores over a generated base (see the module doc). */
export const NON_PERSONAL_PRIOR: Readonly<Record<string, PriorScore>> = Object.freeze({
  ind_tjcr_fin_ult1: { pTreated: 0.1119, pControl: 0.0942, uplift: 0.0185 },
  ind_pres_fin_ult1: { pTreated: 0.0564, pControl: 0.0453, uplift: 0.0133 },
  ind_deco_fin_ult1: { pTreated: 0.0991, pControl: 0.0811, uplift: 0.014 },
  ind_fond_fin_ult1: { pTreated: 0.0467, pControl: 0.0349, uplift: 0.0147 },
  ind_plan_fin_ult1: { pTreated: 0.039, pControl: 0.0321, uplift: 0.0143 },
  ind_ecue_fin_ult1: { pTreated: 0.1581, pControl: 0.1369, uplift: 0.0167 },
  ind_valo_fin_ult1: { pTreated: 0.0294, pControl: 0.0211, uplift: 0.0149 },
  ind_hip_fin_ult1: { pTreated: 0.0239, pControl: 0.0205, uplift: 0.0111 },
  ins_auto: { pTreated: 0.1533, pControl: 0.138, uplift: 0.0154 },
  partner_auto_accessories: { pTreated: 0.0529, pControl: 0.0282, uplift: 0.0294 },
  ins_property: { pTreated: 0.1285, pControl: 0.0931, uplift: 0.0365 },
  partner_kids_goods: { pTreated: 0.0783, pControl: 0.0617, uplift: 0.0213 },
});

/** The defaults, tuned as the module doc describes. */
export const DEFAULT_DECISION_POLICY: Readonly<DecisionPolicy> = Object.freeze({
  sureThingMinPControl: 0.3,
  sureThingMaxUplift: 0.05,
  minUplift: 0.02,
  sleepingDogUplift: -0.03,
  mmrLambda: 0.5,
  maxOffers: 5,
  maxImpressionsPerProduct: 2,
  impressionWindowDays: 7,
  maxImpressionsPerDay: 6,
  dismissCooldownDays: 30,
  complaintCooldownDays: 90,
  maxDebtBurden: 0.5,
  nonPersonalPrior: NON_PERSONAL_PRIOR,
});

/**
 * The defaults with `overrides` applied. Overrides that are not numbers, or
 * NaN, are ignored; infinities are kept, since they mean "never" (for
 * example `sureThingMinPControl: Infinity` turns the sure-thing rule off). λ
 * is clamped to [0, 1] and `maxOffers` to a whole number ≥ 0.
 */
export function resolvePolicy(overrides: Partial<DecisionPolicy> = {}): DecisionPolicy {
  const policy: DecisionPolicy = { ...DEFAULT_DECISION_POLICY };
  for (const [key, value] of Object.entries(overrides) as [keyof DecisionPolicy, unknown][]) {
    if (!Object.hasOwn(DEFAULT_DECISION_POLICY, key)) continue;
    if (key === "nonPersonalPrior") {
      if (value && typeof value === "object") policy.nonPersonalPrior = value as Record<string, PriorScore>;
    } else if (typeof value === "number" && !Number.isNaN(value)) {
      (policy as unknown as Record<string, number>)[key] = value;
    }
  }
  policy.mmrLambda = Math.min(1, Math.max(0, policy.mmrLambda));
  policy.maxOffers = Math.max(0, Math.floor(policy.maxOffers));
  return policy;
}
