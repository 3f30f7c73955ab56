/**
 * The decision layer's inputs and outputs: plain data, so the same rules run
 * in the actor's node, in tests and in the analytics without the engine.
 *
 * @module
 */

import type { SpendCategory } from "../datagen/types.ts";
import type { OfferScore } from "../model/scorer.ts";

/** Languages end users see. Russian is the default. */
export const LANGUAGES = ["ru", "en"] as const;
/** One of {@linkcode LANGUAGES}. */
export type Language = typeof LANGUAGES[number];

/** A text in every user-facing language. */
export interface LocalizedText {
  ru: string;
  en: string;
}

/** Uses of personal data a client consents to, one flag each. */
export const CONSENT_PURPOSES = ["personalization", "marketing", "llm"] as const;
/** One of {@linkcode CONSENT_PURPOSES}. */
export type ConsentPurpose = typeof CONSENT_PURPOSES[number];
/** The client's consents; a purpose that was never set counts as its default (see `DEFAULT_CONSENTS`). */
export type Consents = Record<ConsentPurpose, boolean>;

/** What the decision layer knows about the client (from the actor's bank profile). */
export interface ClientFacts {
  /** Years; null when unknown. */
  age: number | null;
  /** False for non-residents (`indext` = "S"); null when unknown. */
  resident: boolean | null;
  /** `segmento` as in the dataset ("01 - TOP", "02 - PARTICULARES", "03 - UNIVERSITARIO"), or null. */
  segment: string | null;
  /** Gross household income (`renta`, euros a year in the dataset), or null. */
  income: number | null;
  /** Product codes the client holds. */
  holdings: ReadonlySet<string>;
  /** Life events with the last time each happened (epoch ms). */
  lifeEvents: Readonly<
    Partial<Record<"car_purchase" | "mortgage" | "child" | "relocation" | "salary_rise", number>>
  >;
  /**
   * Monthly salary inflow, 0 when none: the profile's decayed salary sum
   * (30-day half-life) times ln 2, which estimates the monthly rate.
   */
  salary: number;
  /** Monthly card spending per category, estimated like `salary`; absent or empty when unknown. */
  spending?: Readonly<Partial<Record<SpendCategory, number>>>;
}

/** The contact history of one product with this client, kept by the actor. */
export interface ContactRecord {
  productId: string;
  /** Impression times (epoch ms), newest last; only the recent ones are kept. */
  shownAtMs: readonly number[];
  /** Last "not interested"/dislike, or null. */
  dismissedAtMs: number | null;
  /** Last complaint, or null. */
  complainedAtMs: number | null;
  /** Last attributed conversion, or null. */
  convertedAtMs: number | null;
}

/** Why an offer was not shown. The first five are the SPEC's; the rest refine them. */
export const SUPPRESSION_REASONS = [
  "owned",
  "sure_thing",
  "conflict",
  "regulatory",
  "consent",
  "eligibility",
  "contact_policy",
  "low_uplift",
  "diversity",
] as const;
/** One of {@linkcode SUPPRESSION_REASONS}. */
export type SuppressionReason = typeof SUPPRESSION_REASONS[number];

/** One suppressed product and why. */
export interface Suppressed {
  productId: string;
  reason: SuppressionReason;
  /** Human-readable detail in both languages. */
  detail: LocalizedText;
}

/** One reason an offer was chosen, machine-readable plus text. */
export interface OfferReason {
  /** A stable code such as `uplift`, `life_event:car_purchase`, `spend:travel`. */
  code: string;
  text: LocalizedText;
}

/** Mandatory disclosures an offer's text must carry. */
export interface Disclosures {
  /** Full cost of credit (ПСК) range in percent a year, for credit offers; stated before any rate. */
  fullCostRange: { min: number; max: number } | null;
  /** Rate range in percent a year, when the product has one. */
  rateRange: { min: number; max: number } | null;
}

/** One offer the client sees. */
export interface DecidedOffer {
  productId: string;
  name: LocalizedText;
  family: string;
  role: "primary" | "alternative";
  /** Partner offer (the seed's car example), not a bank product. */
  partner: boolean;
  uplift: number;
  pTreated: number;
  pControl: number;
  reasons: OfferReason[];
  disclosures: Disclosures;
}

/** The decision: offers in display order (primary first) and every suppressed product. */
export interface Decision {
  offers: DecidedOffer[];
  suppressed: Suppressed[];
}

/** Everything one decision reads. */
export interface DecisionInput {
  scores: readonly OfferScore[];
  client: ClientFacts;
  contacts: readonly ContactRecord[];
  consents: Consents;
  /** Product families the client disliked or complained about recently (conflicting preferences). */
  dislikedFamilies?: ReadonlySet<string>;
  nowMs: number;
  /** How many offers to return (primary plus alternatives). */
  k: number;
}
