/**
 * Recommendations for one user, end to end on the owning node: the live actor
 * is scored by the uplift model, the decision layer applies the business and
 * regulatory rules, and each offer gets its explanation. Template texts are
 * immediate; LLM texts are generated in the background and cached per actor
 * state, so the endpoint never waits on an LLM and the next read shows them.
 *
 * Strategies exist for approach testing: `uplift` (the product), `propensity`
 * (rank by P(buy | shown), what most banks do) and `rules` (the expert-rules
 * baseline). All three go through the same eligibility, regulatory, consent
 * and contact rules; only the ranking differs, and the response always shows
 * the model's real uplift estimates so the strategies can be compared.
 *
 * @module
 */

import { armOf, type Experiment } from "./experiment.ts";
import { STRATEGIES, type Strategy } from "./strategies.ts";
import type { Supervisor } from "../actors/supervisor.ts";
import type { UserActor } from "../actors/user_actor.ts";
import { DEFAULT_CONSENTS } from "../actors/engagement.ts";
import { clientFactsFrom } from "../decision/client_facts.ts";
import { decide, type DecisionPolicy } from "../decision/decide.ts";
import type { DecidedOffer, Decision, Language } from "../decision/types.ts";
import { ruleScore } from "../model/baselines/rules.ts";
import { featureVector } from "../model/features.ts";
import type { OfferScore, UserScorer } from "../model/scorer.ts";
import type { ModelService } from "./models.ts";
import { Counter, type CounterSeries, type Registry } from "../obs/metrics.ts";
import type { OfferExplainer } from "./offer_explainer.ts";
import { type CachedDecision, DecisionCache, decisionVariant } from "./decision_cache.ts";

export { STRATEGIES, type Strategy } from "./strategies.ts";

/** One offer as the API shows it. */
export interface OfferView {
  productId: string;
  name: string;
  family: string;
  role: "primary" | "alternative";
  partner: boolean;
  uplift: number;
  pTreated: number;
  pControl: number;
  reasons: { code: string; text: string }[];
  explanation: string;
  explanationSource: "llm" | "template";
  disclosures: DecidedOffer["disclosures"];
}

/** The recommendations response. */
export interface Recommendations {
  userId: string;
  eventsApplied: number;
  strategy: Strategy;
  lang: Language;
  offers: OfferView[];
  suppressed: { productId: string; name: string; reason: string; detail: string }[];
  latencyMs: number;
}

/** Options of one request. */
export interface RecommendOptions {
  k: number;
  lang: Language;
  strategy: Strategy;
  /** Count the offers as shown to the user (contact policy). */
  record: boolean;
  /** Start a background LLM explanation when none is cached (default true; the chat explains by itself). */
  llmInBackground?: boolean;
}

/** The outcome: recommendations, or why there are none. */
export type RecommendResult =
  | { ok: true; value: Recommendations; decision: Decision; actor: UserActor }
  | { ok: false; status: 503; reason: string };

/** The outcome as the endpoint sends it: the {@linkcode Recommendations} as UTF-8 JSON, or why there are none. */
export type RecommendJsonResult =
  | { ok: true; json: Uint8Array<ArrayBuffer> }
  | { ok: false; status: 503; reason: string };

const encoder = new TextEncoder();

function rankedReason(strategy: Strategy, score: number): { code: string; text: { ru: string; en: string } } {
  const percent = Math.round(score * 100);
  return strategy === "rules"
    ? { code: "strategy:rules", text: { ru: "Подходит по правилам банка", en: "Fits the bank's rules" } }
    : {
      code: "strategy:propensity",
      text: {
        ru: `Вероятность покупки после показа: ${percent}%`,
        en: `Chance of purchase when shown: ${percent}%`,
      },
    };
}

/** Scores, decides and explains. */
export class Recommender {
  #supervisor: Supervisor;
  #models: ModelService;
  #explainer: OfferExplainer;
  #now: () => number;
  #policy: Partial<DecisionPolicy>;
  #decisions: Counter;
  #suppressed: Counter;
  #cache: DecisionCache;
  #experiment: Experiment | null;

  constructor(options: {
    supervisor: Supervisor;
    models: ModelService;
    explainer: OfferExplainer;
    now: () => number;
    policy?: Partial<DecisionPolicy>;
    registry?: Registry;
    /** Answers of {@linkcode Recommender.recommendJson} kept per actor state (see `decision_cache.ts`). */
    decisionCache?: { ttlMs?: number; maxEntries?: number };
    /** A live experiment between strategies (see `experiment.ts`), or none. */
    experiment?: Experiment | null;
  }) {
    this.#decisions = new Counter(
      "engine_decisions_total",
      "Decisions by strategy and outcome (offered, none)",
    );
    this.#suppressed = new Counter(
      "engine_suppressed_offers_total",
      "Products held back by the decision layer, by reason",
    );
    options.registry?.add(this.#decisions);
    options.registry?.add(this.#suppressed);
    this.#supervisor = options.supervisor;
    this.#models = options.models;
    this.#explainer = options.explainer;
    this.#now = options.now;
    this.#policy = options.policy ?? {};
    this.#cache = new DecisionCache(options.decisionCache);
    this.#experiment = options.experiment ?? null;
    // A background LLM explanation that settles changes what the next read shows.
    this.#explainer.onSettled((userId) => this.#cache.invalidate(userId));
  }

  /** The running experiment, or null. */
  get experiment(): Experiment | null {
    return this.#experiment;
  }

  /**
   * The strategy for a user who did not ask for one: the experiment arm's while an experiment runs,
   * uplift otherwise. Recommendations, Kafka requests, notifications and the chat all decide with it.
   */
  defaultStrategy(userId: string): Strategy {
    return this.#experiment === null ? "uplift" : armOf(this.#experiment, userId);
  }

  /** The explainer (the chat shares it). */
  get explainer(): OfferExplainer {
    return this.#explainer;
  }

  /** Forgets everything cached about a user: decided answers and LLM texts (erasure). */
  forget(userId: string): void {
    this.#cache.invalidate(userId);
    this.#explainer.forget(userId);
  }

  /** Decides for the user's live actor; the user's partition must be owned here. */
  async recommend(userId: string, options: RecommendOptions): Promise<RecommendResult> {
    const started = performance.now();
    const scorer = this.#models.scorer;
    if (scorer === null) return { ok: false, status: 503, reason: "no trained models are loaded" };
    const actor = await this.#supervisor.activate(userId);
    const fresh = await this.#fresh(actor, scorer, options, started);
    await this.#recordShown(
      actor,
      fresh.decision.offers.map((offer) => offer.productId),
      options,
      fresh.nowMs,
    );
    return { ok: true, value: fresh.value, decision: fresh.decision, actor };
  }

  /**
   * What `GET /v1/users/:id/recommendations` sends: the serialised
   * recommendations, served from the decision cache while the actor's state
   * is unchanged (its `latencyMs` is then the time the cached decision took).
   */
  async recommendJson(userId: string, options: RecommendOptions): Promise<RecommendJsonResult> {
    const started = performance.now();
    const scorer = this.#models.scorer;
    if (scorer === null) return { ok: false, status: 503, reason: "no trained models are loaded" };
    const actor = await this.#supervisor.activate(userId);
    const nowMs = this.#now();
    const variant = decisionVariant(options.k, options.lang, STRATEGIES.indexOf(options.strategy));
    // Answers are cached as the endpoint asks: with LLM texts started in the background when wanted.
    const cacheable = options.llmInBackground !== false;
    const cached = cacheable ? this.#cache.get(actor, scorer, variant, nowMs) : undefined;
    if (cached !== undefined) {
      this.countCached(cached);
      await this.#recordShown(actor, cached.productIds, options, nowMs);
      return { ok: true, json: cached.body };
    }
    const revision = actor.revision;
    const fresh = await this.#fresh(actor, scorer, options, started);
    const json = encoder.encode(JSON.stringify(fresh.value));
    const productIds = fresh.decision.offers.map((offer) => offer.productId);
    // Nothing awaited since the texts were made: an LLM call they started cannot have settled yet.
    if (cacheable && fresh.stable) {
      const suppressed = new Map<string, number>();
      for (const entry of fresh.decision.suppressed) {
        suppressed.set(entry.reason, (suppressed.get(entry.reason) ?? 0) + 1);
      }
      const counts: [CounterSeries, number][] = [[
        this.#decisions.series({
          strategy: options.strategy,
          outcome: productIds.length > 0 ? "offered" : "none",
        }),
        1,
      ]];
      for (const [reason, count] of suppressed) counts.push([this.#suppressed.series({ reason }), count]);
      this.#cache.set(actor, revision, scorer, variant, { body: json, productIds, counts }, fresh.nowMs);
    }
    await this.#recordShown(actor, productIds, options, fresh.nowMs);
    return { ok: true, json };
  }

  /**
   * The cached answer for a resident actor's current state, if any, without
   * serving it: the HTTP fast path looks first, and serves it only when every
   * other check passes (then it calls {@linkcode Recommender.countCached}).
   */
  cached(
    actor: UserActor,
    options: Pick<RecommendOptions, "k" | "lang" | "strategy">,
  ): CachedDecision | undefined {
    const scorer = this.#models.scorer;
    if (scorer === null) return undefined;
    const variant = decisionVariant(options.k, options.lang, STRATEGIES.indexOf(options.strategy));
    return this.#cache.get(actor, scorer, variant, this.#now());
  }

  /** Counts a cached answer served, as deciding it afresh would have. */
  countCached(cached: CachedDecision): void {
    for (const [series, by] of cached.counts) series.inc(by);
  }

  /** Scores, decides, counts and explains for the actor's current state. */
  async #fresh(actor: UserActor, scorer: UserScorer, options: RecommendOptions, started: number) {
    const nowMs = this.#now();
    const scores = await scorer.score(actor, nowMs);
    const decision = this.decide(actor, scores.offers, options, nowMs);
    this.#decisions.inc({
      strategy: options.strategy,
      outcome: decision.offers.length > 0 ? "offered" : "none",
    });
    for (const entry of decision.suppressed) this.#suppressed.inc({ reason: entry.reason });
    const texts = this.#explainer.explain(actor, decision.offers, {
      lang: options.lang,
      llmInBackground: options.llmInBackground ?? true,
    });
    const lang = options.lang;
    const value: Recommendations = {
      userId: actor.userId,
      eventsApplied: actor.eventsApplied,
      strategy: options.strategy,
      lang,
      offers: decision.offers.map((offer) => ({
        productId: offer.productId,
        name: offer.name[lang],
        family: offer.family,
        role: offer.role,
        partner: offer.partner,
        uplift: offer.uplift,
        pTreated: offer.pTreated,
        pControl: offer.pControl,
        reasons: offer.reasons.map((reason) => ({ code: reason.code, text: reason.text[lang] })),
        explanation: texts.texts[offer.productId],
        explanationSource: texts.sources[offer.productId] ?? "template",
        disclosures: offer.disclosures,
      })),
      suppressed: decision.suppressed.map((entry) => ({
        productId: entry.productId,
        name: this.#explainer.productName(entry.productId, lang),
        reason: entry.reason,
        detail: entry.detail[lang],
      })),
      latencyMs: performance.now() - started,
    };
    return { value, decision, nowMs, stable: texts.stable };
  }

  /** Counts the offers as shown (contact policy) when asked to and when that records anything. */
  async #recordShown(
    actor: UserActor,
    productIds: readonly string[],
    options: Pick<RecommendOptions, "record">,
    atMs: number,
  ): Promise<void> {
    // An impression counts once a day per product: a message that would record nothing is not sent.
    if (!options.record || !actor.wouldRecordImpression(productIds, atMs)) return;
    await this.#supervisor.tell(actor.userId, { type: "offer.shown", productIds, atMs });
  }

  /** The decision for given scores, ranked by the strategy (real uplift values kept). */
  decide(
    actor: UserActor,
    offers: readonly OfferScore[],
    options: Pick<RecommendOptions, "k" | "strategy">,
    nowMs: number,
  ): Decision {
    const consents = actor.engagement?.consents ?? DEFAULT_CONSENTS;
    const input = {
      client: clientFactsFrom(actor.bank, nowMs),
      contacts: actor.engagement?.contacts ?? [],
      consents,
      dislikedFamilies: actor.dislikedFamilies(),
      nowMs,
      k: options.k,
    };
    if (options.strategy === "uplift") return decide({ ...input, scores: offers }, this.#policy);
    // Other strategies rank by their own score: it stands in for uplift while deciding, and sure-thing and
    // low-uplift suppression are off, since not modelling them is what these strategies are.
    const features = options.strategy === "rules" ? featureVector(actor, nowMs) : null;
    const ranked = offers.map((offer) => ({
      ...offer,
      uplift: features ? ruleScore(features, offer.productId) : offer.pTreated,
    }));
    const decision = decide({ ...input, scores: ranked }, {
      ...this.#policy,
      sureThingMinPControl: Number.POSITIVE_INFINITY,
      minUplift: Number.NEGATIVE_INFINITY,
    });
    const real = new Map(offers.map((offer) => [offer.productId, offer]));
    return {
      offers: decision.offers.map((offer) => ({
        ...offer,
        uplift: real.get(offer.productId)?.uplift ?? offer.uplift,
        // The layer's effect reason would state the stand-in score as uplift; say what ranked the offer instead.
        reasons: [
          rankedReason(options.strategy, offer.uplift),
          ...offer.reasons.filter((reason) => !reason.code.startsWith("uplift")),
        ],
      })),
      suppressed: decision.suppressed.filter((entry) =>
        entry.reason !== "sure_thing" && entry.reason !== "low_uplift"
      ),
    };
  }
}
