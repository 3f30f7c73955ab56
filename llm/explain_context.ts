/**
 * What the explainer reads about one request: the user's language and
 * consents, a coarse profile summary, the dialog so far, the decided offers
 * and the catalog items retrieval found. It carries no user id, name or raw
 * PII by construction (data minimisation): the prompt cannot leak what the
 * context does not hold.
 *
 * @module
 */

import type { DialogTurn } from "../actors/user_actor.ts";
import type { CatalogItem } from "../datagen/types.ts";
import type { ClientFacts, Consents, DecidedOffer, Language } from "../decision/types.ts";

/** Coarse facts about the user, fit to show an LLM; every field may be unknown. */
export interface ProfileSummary {
  /** An age band such as `25–34`, never the exact age. */
  ageBand: string | null;
  /** The client segment: `top`, `particulares` or `universitario`. */
  segment: string | null;
  /** A coarse income band, never the figure. */
  incomeBand: "low" | "middle" | "high" | null;
  /** Life events of the last year (`car_purchase`, `child`, …). */
  lifeEvents: string[];
  /** Product codes the user holds. */
  holdings: string[];
  /** Spending categories or catalog categories/tags the user prefers, strongest first. */
  interests: string[];
}

/** The retail request as parsed from the chat message (by the retrieval layer). */
export interface RetailRequest {
  /** Required catalog tags (`lactose_free`, `vegan`, …). */
  tags: string[];
  /** Price ceiling in rubles, or null. */
  maxPrice: number | null;
  /** Catalog category id, or null. */
  category: string | null;
}

/** Everything one explanation or chat answer is built from. */
export interface ExplainContext {
  /** The language to answer in (Russian is the default). */
  language: Language;
  /** `llm` off means the LLM is never called; `personalization` off keeps the profile out of the prompt. */
  consents: Consents;
  /** The profile summary, or null when none is known. */
  profile: ProfileSummary | null;
  /** Earlier turns of this session, oldest first (untrusted text). */
  history: readonly DialogTurn[];
  /** The chat message being answered (untrusted), or null for offer explanations. */
  message: string | null;
  /** The decided offers, primary first. */
  offers: readonly DecidedOffer[];
  /** Catalog items retrieval found for the message, best first. */
  items: readonly CatalogItem[];
  /** The parsed retail request, when the message is a retail search. */
  request?: RetailRequest | null;
  /** The user's location code (`msk`, `spb`, …) for availability. */
  location?: string | null;
  /**
   * Strings that must never reach the LLM or the user: other users' ids and
   * anything else the caller knows to be secret. Redacted from untrusted input,
   * and an output containing one is rejected.
   */
  forbidden?: readonly string[];
}

const DAY_MS = 86_400_000;
const SEGMENT_NAMES: Record<string, string> = {
  "01 - TOP": "top",
  "02 - PARTICULARES": "particulares",
  "03 - UNIVERSITARIO": "universitario",
};

function ageBand(age: number | null): string | null {
  if (age === null || !Number.isFinite(age) || age < 18) return null;
  const bands: [number, string][] = [[25, "18–24"], [35, "25–34"], [45, "35–44"], [55, "45–54"], [
    65,
    "55–64",
  ]];
  return bands.find(([below]) => age < below)?.[1] ?? "65+";
}

/**
 * Builds a {@linkcode ProfileSummary} from the decision layer's facts:
 * bands instead of figures, life events of the last year only.
 */
export function summarizeProfile(
  facts: ClientFacts,
  options: { nowMs: number; interests?: readonly string[] },
): ProfileSummary {
  const income = facts.income;
  return {
    ageBand: ageBand(facts.age),
    segment: facts.segment === null ? null : SEGMENT_NAMES[facts.segment] ?? null,
    // Bands on the dataset's `renta` scale (median near 98 000 a year).
    incomeBand: income === null || !Number.isFinite(income)
      ? null
      : income < 60_000
      ? "low"
      : income < 160_000
      ? "middle"
      : "high",
    lifeEvents: Object.entries(facts.lifeEvents)
      .filter(([, atMs]) => atMs !== undefined && options.nowMs - atMs <= 365 * DAY_MS)
      .map(([event]) => event),
    holdings: [...facts.holdings].sort(),
    interests: [...(options.interests ?? [])],
  };
}
