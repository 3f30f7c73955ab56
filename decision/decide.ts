/**
 * The decision: from one client's offer scores to the offers the client sees
 * and every product that was held back, with the reason.
 *
 * 1. Scores are read once per catalog product: codes outside the catalog are
 *    ignored, and of duplicates the first wins.
 * 2. Each product goes through the suppression rules in `rules.ts` (consent,
 *    owned, eligibility, regulatory, conflict, contact policy, sure thing,
 *    low uplift); the first rule that applies is its one reason.
 * 3. The rest are ranked by relevance: the uplift, or, when the client turned
 *    personalization off, the offer's population mean uplift from the policy
 *    (`nonPersonalPrior`) — the personal scores are then not read at all, the
 *    offer reports the population means, and its only reason is `popular`.
 *    Rules that protect the client (ownership, eligibility, regulation,
 *    stated dislikes, contact limits) still apply: they use contract data
 *    and the client's own feedback, not profiling.
 * 4. The primary is the most relevant; alternatives are picked by MMR with
 *    family similarity (`mmr.ts`), so they come from other families. Items
 *    MMR finds redundant are suppressed as `diversity`; items ranked out by k
 *    are not reported.
 *
 * The function is pure: the same input gives the same decision, and the
 * order of the scores does not matter (ties go by product code).
 *
 * @module
 */

import { productByCode, PRODUCTS } from "../model/products.ts";
import { type DecisionPolicy, type PriorScore, resolvePolicy } from "./policy.ts";
import { productTerms } from "./product_terms.ts";
import { disclosuresOf, nonPersonalReasons, personalReasons } from "./reasons.ts";
import { type Candidate, firstSuppression, ruleContext } from "./rules.ts";
import { selectMmr } from "./mmr.ts";
import type { DecidedOffer, Decision, DecisionInput, Suppressed } from "./types.ts";
import { FAMILY_NAMES } from "./_texts.ts";

export type { DecisionPolicy } from "./policy.ts";

const CATALOG_ORDER = new Map(PRODUCTS.map((product, index) => [product.code, index]));
const NO_PRIOR: PriorScore = { pTreated: 0, pControl: 0, uplift: 0 };

/** How many offers to return: `k` floored and clamped to [0, maxOffers]; NaN gives 0. */
export function offerCount(k: number, maxOffers: number): number {
  if (typeof k !== "number" || Number.isNaN(k)) return 0;
  return Math.min(maxOffers, Math.max(0, Math.floor(k)));
}

/**
 * Decides the offers for one client. Throws a RangeError when `nowMs` is not
 * a finite time (a programmer error: every cooldown would silently lapse);
 * bad scores, unknown products and odd contact records never throw.
 */
export function decide(input: DecisionInput, policy: Partial<DecisionPolicy> = {}): Decision {
  if (!Number.isFinite(input.nowMs)) throw new RangeError(`Decision time must be finite: ${input.nowMs}`);
  const resolved = resolvePolicy(policy);
  const context = ruleContext(input, resolved);
  const suppressed: Suppressed[] = [];
  const passed: Candidate[] = [];
  const seen = new Set<string>();
  for (const score of input.scores ?? []) {
    if (!score || typeof score.productId !== "string" || seen.has(score.productId)) continue;
    const product = productByCode(score.productId);
    if (!product) continue;
    seen.add(product.code);
    const candidate: Candidate = { score, product, terms: productTerms(product.code)! };
    const verdict = firstSuppression(candidate, context);
    if (verdict.ok) passed.push(candidate);
    else suppressed.push({ productId: product.code, reason: verdict.reason, detail: verdict.detail });
  }
  const personalized = context.personalized;
  const prior = (candidate: Candidate) => validPrior(resolved.nonPersonalPrior[candidate.product.code]);
  passed.sort((a, b) => a.product.code < b.product.code ? -1 : a.product.code > b.product.code ? 1 : 0);
  const selection = selectMmr(passed, {
    k: offerCount(input.k, resolved.maxOffers),
    lambda: resolved.mmrLambda,
    relevance: (candidate) => personalized ? candidate.score.uplift : prior(candidate).uplift,
    group: (candidate) => candidate.product.family,
  });
  const offers = selection.selected.map((candidate, index): DecidedOffer => {
    const numbers = personalized ? candidate.score : prior(candidate);
    return {
      productId: candidate.product.code,
      name: { ...candidate.product.name },
      family: candidate.product.family,
      role: index === 0 ? "primary" : "alternative",
      partner: candidate.product.family === "partner",
      uplift: numbers.uplift,
      pTreated: numbers.pTreated,
      pControl: numbers.pControl,
      reasons: personalized ? personalReasons(candidate, context) : nonPersonalReasons(numbers),
      disclosures: disclosuresOf(candidate),
    };
  });
  for (const candidate of selection.redundant) {
    const family = FAMILY_NAMES[candidate.product.family];
    const shown = selection.selected.find((other) => other.product.family === candidate.product.family)!;
    suppressed.push({
      productId: candidate.product.code,
      reason: "diversity",
      detail: {
        ru: `Из категории «${family.ru}» уже предложено «${shown.product.name.ru}»`,
        en: `"${shown.product.name.en}" already represents ${family.en}`,
      },
    });
  }
  suppressed.sort((a, b) => CATALOG_ORDER.get(a.productId)! - CATALOG_ORDER.get(b.productId)!);
  return { offers, suppressed };
}

function validPrior(prior: PriorScore | undefined): PriorScore {
  if (!prior) return NO_PRIOR;
  const { pTreated, pControl, uplift } = prior;
  return [pTreated, pControl, uplift].every(Number.isFinite) ? prior : NO_PRIOR;
}
