/**
 * Explanations for the recommendations endpoint. Template texts are returned
 * at once; when an LLM is configured and the client consents, one LLM call per
 * actor state explains all offers in the background, and its validated texts
 * are cached, so the next read of the same state shows them. The endpoint never
 * waits on the LLM, and an LLM that is down costs one breaker check.
 *
 * @module
 */

import type { UserActor } from "../actors/user_actor.ts";
import { DEFAULT_CONSENTS } from "../actors/engagement.ts";
import type { CatalogItem } from "../datagen/types.ts";
import { clientFactsFrom } from "../decision/client_facts.ts";
import type { DecidedOffer, Language } from "../decision/types.ts";
import { type ExplainContext, summarizeProfile } from "../llm/explain_context.ts";
import type { Explainer, ExplanationSource } from "../llm/explainer.ts";
import { explainOffers } from "../llm/template_explainer.ts";
import type { Logger } from "../obs/log.ts";
import { productByCode } from "../model/products.ts";

/** Cached LLM explanation sets at most. */
export const MAX_CACHED_EXPLANATIONS = 20_000;
/** Background LLM calls at once; beyond this, requests keep their template texts. */
export const MAX_LLM_IN_FLIGHT = 8;

/** Texts for a set of offers and where each came from. */
export interface ExplainedOffers {
  texts: Record<string, string>;
  sources: Record<string, ExplanationSource>;
}

/**
 * Texts and whether asking again for the same state gives the same ones until
 * a background LLM call for the user settles (see {@linkcode OfferExplainer.onSettled}).
 * Not stable when an LLM explanation was wanted but none could be started
 * (too many in flight): the next ask tries again.
 */
export type Explanation = ExplainedOffers & { stable: boolean };

/** The explainer's context for a user: coarse profile (if personalization is allowed), dialog, offers, items. */
export function contextFor(
  actor: UserActor,
  options: {
    lang: Language;
    nowMs: number;
    offers: readonly DecidedOffer[];
    items?: readonly CatalogItem[];
    message?: string | null;
  },
): ExplainContext {
  const consents = actor.engagement?.consents ?? DEFAULT_CONSENTS;
  const interests = actor.preferences.top("category").filter((entry) => entry.long > 0).slice(0, 5).map((
    entry,
  ) => entry.key);
  return {
    language: options.lang,
    consents,
    profile: consents.personalization
      ? summarizeProfile(clientFactsFrom(actor.bank, options.nowMs), { nowMs: options.nowMs, interests })
      : null,
    history: actor.session?.turns ?? [],
    message: options.message ?? null,
    offers: options.offers,
    items: options.items ?? [],
    location: actor.location,
    forbidden: [actor.userId],
  };
}

/** Template now, LLM texts from a per-state cache. */
export class OfferExplainer {
  #explainer: Explainer;
  #llmConfigured: boolean;
  #logger: Logger;
  #now: () => number;
  #cache = new Map<string, ExplainedOffers>();
  #inFlight = new Set<string>();
  #settled: ((userId: string) => void)[] = [];

  constructor(options: { explainer: Explainer; llmConfigured: boolean; logger: Logger; now: () => number }) {
    this.#explainer = options.explainer;
    this.#llmConfigured = options.llmConfigured;
    this.#logger = options.logger;
    this.#now = options.now;
  }

  /** The underlying explainer (the chat streams through it). */
  get explainer(): Explainer {
    return this.#explainer;
  }

  /** A product's display name. */
  productName(productId: string, lang: Language): string {
    return productByCode(productId)?.name[lang] ?? productId;
  }

  /** Calls `listener` with the user's id whenever a background LLM call for that user ends, whatever its outcome. */
  onSettled(listener: (userId: string) => void): void {
    this.#settled.push(listener);
  }

  /** Texts for the offers: cached LLM texts for this actor state, else templates (and an LLM call is started). */
  explain(
    actor: UserActor,
    offers: readonly DecidedOffer[],
    options: { lang: Language; llmInBackground?: boolean },
  ): Explanation {
    const key = `${actor.userId}|${actor.eventsApplied}|${options.lang}|${
      offers.map((offer) => offer.productId).join(",")
    }`;
    const cached = this.#cache.get(key);
    if (cached) return { ...cached, stable: true };
    const texts = explainOffers(offers, options.lang);
    const sources: Record<string, ExplanationSource> = {};
    for (const offer of offers) sources[offer.productId] = "template";
    const consents = actor.engagement?.consents ?? DEFAULT_CONSENTS;
    const wanted = this.#llmConfigured && options.llmInBackground !== false && consents.llm &&
      offers.length > 0;
    if (wanted && !this.#inFlight.has(key) && this.#inFlight.size < MAX_LLM_IN_FLIGHT) {
      this.#startLlm(
        key,
        actor.userId,
        contextFor(actor, { lang: options.lang, nowMs: this.#now(), offers }),
      );
    }
    return { texts, sources, stable: !wanted || this.#inFlight.has(key) };
  }

  #startLlm(key: string, userId: string, context: ExplainContext): void {
    this.#inFlight.add(key);
    this.#explainer.explainOffers(context, { budgetMs: 10_000 })
      .then((result) => {
        if (result.source !== "llm") return;
        if (this.#cache.size >= MAX_CACHED_EXPLANATIONS) this.#cache.delete(this.#cache.keys().next().value!);
        this.#cache.set(key, { texts: result.texts, sources: result.sources });
      })
      .catch((error) => this.#logger.log("debug", "llm explanation failed", { error: String(error) }))
      .finally(() => {
        this.#inFlight.delete(key);
        for (const listener of this.#settled) listener(userId);
      });
  }

  /** Drops every cached text about a user (erasure). */
  forget(userId: string): void {
    const prefix = `${userId}|`;
    for (const key of [...this.#cache.keys()]) if (key.startsWith(prefix)) this.#cache.delete(key);
  }

  /** Waits for background LLM calls (tests and shutdown). */
  async settle(timeoutMs = 15_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.#inFlight.size > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
