/**
 * The explainer the chat and the recommendations endpoint share. It asks the
 * LLM when one is configured, the user consented and the breaker is closed,
 * validates everything the LLM says before it is shown, and falls back to the
 * template explainer on any failure within the caller's budget.
 *
 * Streaming fallback without duplicates: validated LLM sentences are emitted
 * as they complete. If the LLM then fails (stall, error, rejected output), the
 * sentences already shown stay, and only the template's *continuation* is
 * appended: the catalog items or offer disclosures the LLM had not named yet.
 * If nothing was shown, the whole template answer is emitted.
 *
 * @module
 */

import { ChatClient, type ChatClientOptions } from "./chat_client.ts";
import { LlmError, type LlmFailureReason } from "./chat_client.ts";
import { LlmMetrics } from "./llm_metrics.ts";
import type { LlmSettings } from "./settings.ts";
import type { ExplainContext } from "./explain_context.ts";
import { buildPrompt } from "./prompt.ts";
import {
  type DroppedSentence,
  type Entities,
  OutputValidator,
  type RejectReason,
  validationRules,
} from "./postprocess.ts";
import { explainOffers as templateOffers, templateChatAnswer } from "./template_explainer.ts";
import { SentenceSplitter } from "./sentence_splitter.ts";
import { explainOffersWithLlm } from "./_offer_explanations.ts";

/** Characters of validated text gathered before the first delta is shown. */
const FIRST_EMISSION_CHARS = 40;

/** Where a text came from. */
export type ExplanationSource = "llm" | "template";

/** Why the template was used instead of the LLM. */
export type FallbackReason =
  | LlmFailureReason
  | RejectReason
  | "not_configured"
  | "consent"
  | "injection_input"
  | "invalid";

/** Cancellation and the latency budget of one call. */
export interface ExplainCallOptions {
  signal?: AbortSignal;
  /** The whole call must end within this, fallback included (default 8 000 ms for chat, 3 000 for offers). */
  budgetMs?: number;
}

/** The outcome of {@linkcode Explainer.explainOffers}. */
export interface OfferExplanations {
  /** productId → explanation, for every offer. */
  texts: Record<string, string>;
  /** productId → where its text came from (the endpoint's `explanationSource`). */
  sources: Record<string, ExplanationSource>;
  /** `llm` when at least one text came from the LLM. */
  source: ExplanationSource;
  fallbackReason?: FallbackReason;
  timings: { llmMs: number; totalMs: number };
}

/** One piece of a streamed chat answer. */
export type ChatChunk =
  | { type: "delta"; text: string }
  | {
    type: "done";
    /** `template` whenever the template supplied any text (see `partial`). */
    source: ExplanationSource;
    fallbackReason?: FallbackReason;
    /** True when LLM sentences were shown before the fallback's continuation. */
    partial: boolean;
    entities: Entities;
    dropped: DroppedSentence[];
    fixes: string[];
    /** `firstTokenMs`: to the first delta of this answer; `llmMs`: time spent on the LLM (0 when not asked). */
    timings: { firstTokenMs: number | null; llmMs: number; totalMs: number };
  };

/** Options for {@linkcode Explainer}. */
export interface ExplainerOptions {
  /** The LLM client; null runs the template only. */
  client: ChatClient | null;
  /** Counters (default: the client's). */
  metrics?: LlmMetrics;
  /** No LLM text by then falls back to the template (default 2 500 ms, capped by the call's budget). */
  firstTokenBudgetMs?: number;
  /** Silence mid-answer longer than this falls back (default 2 000 ms). */
  stallMs?: number;
}

/** Explains offers and answers chat messages, through the LLM when possible. */
export class Explainer {
  readonly #client: ChatClient | null;
  readonly #metrics: LlmMetrics;
  readonly #firstTokenBudgetMs: number;
  readonly #stallMs: number;

  constructor(options: ExplainerOptions) {
    this.#client = options.client;
    this.#metrics = options.metrics ?? options.client?.metrics ?? new LlmMetrics();
    this.#firstTokenBudgetMs = options.firstTokenBudgetMs ?? 2_500;
    this.#stallMs = options.stallMs ?? 2_000;
  }

  /** An explainer for resolved settings (null: template only), with its own client, breaker and metrics. */
  static fromSettings(
    settings: LlmSettings | null,
    options: Omit<ExplainerOptions, "client"> & ChatClientOptions = {},
  ): Explainer {
    const metrics = options.metrics ?? new LlmMetrics();
    const client = settings ? new ChatClient(settings, { ...options, metrics }) : null;
    return new Explainer({ ...options, client, metrics });
  }

  /** The counters of the LLM layer. */
  get metrics(): LlmMetrics {
    return this.#metrics;
  }

  /** The template texts at once (no I/O): for the hot path and as the fallback. */
  templateOffers(context: ExplainContext): Record<string, string> {
    return templateOffers(context.offers, context.language);
  }

  /** Why the LLM will not be asked, or null when it will. */
  #skipReason(context: ExplainContext): FallbackReason | null {
    if (!this.#client) return "not_configured";
    // The LLM sees the user's data: without the consent it is never called.
    if (!context.consents.llm) return "consent";
    if (!this.#client.available) return "circuit_open";
    return null;
  }

  #budgets(options: ExplainCallOptions, fallbackMs: number) {
    const totalBudgetMs = Math.max(1, options.budgetMs ?? fallbackMs);
    return {
      signal: options.signal,
      totalBudgetMs,
      firstTokenBudgetMs: Math.min(this.#firstTokenBudgetMs, totalBudgetMs),
      stallMs: this.#stallMs,
    };
  }

  /** Explains every offer with one LLM call, validated per offer; the template fills in any that fail. */
  async explainOffers(context: ExplainContext, options: ExplainCallOptions = {}): Promise<OfferExplanations> {
    const startedMs = performance.now();
    const texts = this.templateOffers(context);
    const sources: Record<string, ExplanationSource> = {};
    for (const offer of context.offers) sources[offer.productId] = "template";
    const skip = context.offers.length === 0 ? null : this.#skipReason(context);
    if (context.offers.length === 0 || skip) {
      if (skip) this.#metrics.fallback(skip);
      const timings = { llmMs: 0, totalMs: performance.now() - startedMs };
      return { texts, sources, source: "template", ...(skip ? { fallbackReason: skip } : {}), timings };
    }
    const outcome = await explainOffersWithLlm(this.#client!, context, this.#budgets(options, 3_000));
    let fallbackReason: FallbackReason | undefined = outcome.failure ?? undefined;
    for (const offer of context.offers) {
      const text = outcome.texts[offer.productId];
      if (text === undefined) {
        fallbackReason ??= "invalid";
        this.#metrics.fallback(outcome.failure ?? "invalid");
        continue;
      }
      texts[offer.productId] = text;
      sources[offer.productId] = "llm";
    }
    for (const rejection of outcome.rejections) this.#metrics.rejection(rejection);
    const source = Object.values(sources).includes("llm") ? "llm" : "template";
    const timings = { llmMs: outcome.llmMs, totalMs: performance.now() - startedMs };
    return { texts, sources, source, ...(fallbackReason ? { fallbackReason } : {}), timings };
  }

  /**
   * Streams the answer to `context.message`: validated LLM sentences, or the
   * template (see the module doc for the fallback rule). Ends with one `done`
   * chunk, except when `signal` aborts, which ends the stream quietly.
   */
  async *chat(
    context: ExplainContext,
    options: ExplainCallOptions = {},
  ): AsyncGenerator<ChatChunk, void, undefined> {
    const startedMs = performance.now();
    let firstTokenMs: number | null = null;
    let shown = false;
    const emit = (text: string): ChatChunk => {
      firstTokenMs ??= performance.now() - startedMs;
      const chunk: ChatChunk = { type: "delta", text: shown ? ` ${text}` : text };
      shown = true;
      return chunk;
    };
    const done = (fields: Omit<Extract<ChatChunk, { type: "done" }>, "type" | "timings">, llmMs: number) => ({
      type: "done" as const,
      ...fields,
      timings: { firstTokenMs, llmMs, totalMs: performance.now() - startedMs },
    });
    const template = templateChatAnswer(context);
    // An obvious injection gets the safe reply without reaching the LLM.
    const skip = template.intent === "injection" ? "injection_input" : this.#skipReason(context);
    if (skip) {
      this.#metrics.fallback(skip);
      yield emit(template.text);
      const fields = { source: "template", fallbackReason: skip, partial: false } as const;
      yield done({ ...fields, entities: template.entities, dropped: [], fixes: [] }, 0);
      return;
    }
    const prompt = buildPrompt(context, "chat");
    const validator = new OutputValidator(validationRules(context, prompt));
    const llmStartedMs = performance.now();
    let failure: FallbackReason | null = null;
    // The first emission waits for a little text, so a short preamble ("Sure!") is not
    // shown on its own just before the leak it introduces is rejected.
    let pending: string[] = [];
    const release = (force: boolean) => {
      const text = pending.join(" ");
      if (!text || (!force && !shown && text.length < FIRST_EMISSION_CHARS)) return null;
      pending = [];
      return emit(text);
    };
    try {
      for await (
        const sentence of sentences(this.#client!.stream(prompt.messages, this.#budgets(options, 8_000)))
      ) {
        const result = validator.check(sentence);
        if (!result.ok) {
          failure = result.reason;
          this.#metrics.rejection(result.reason);
          break;
        }
        if (!result.text) continue;
        pending.push(result.text);
        const chunk = release(false);
        if (chunk) yield chunk;
      }
    } catch (error) {
      if (!(error instanceof LlmError)) throw error;
      if (error.reason === "aborted") return;
      failure = error.reason;
    }
    const llmMs = performance.now() - llmStartedMs;
    for (const dropped of validator.dropped) this.#metrics.rejection(dropped.reason);
    const { dropped, fixes } = validator;
    if (failure === null) {
      const end = validator.finish();
      if (end.ok) {
        const rest = release(true);
        if (rest) yield rest;
        if (end.tail) yield emit(end.tail);
        yield done({ source: "llm", partial: false, entities: validator.entities, dropped, fixes }, llmMs);
        return;
      }
      failure = end.reason;
    }
    this.#metrics.fallback(failure);
    if (!shown) {
      yield emit(template.text);
      yield done({
        source: "template",
        fallbackReason: failure,
        partial: false,
        entities: template.entities,
        dropped,
        fixes,
      }, llmMs);
      return;
    }
    // LLM sentences are on screen: add only what they did not cover, then the AI disclosure.
    const shownEntities = validator.entities;
    const continuation = template.continuation(shownEntities, validator.text);
    if (continuation) yield emit(continuation);
    const end = validator.finish();
    if (end.ok && end.tail) yield emit(end.tail);
    const entities = continuation ? union(shownEntities, template.entities) : shownEntities;
    yield done(
      { source: "template", fallbackReason: failure, partial: true, entities, dropped, fixes },
      llmMs,
    );
  }
}

/** Whole sentences from a stream of deltas; stopping early cancels the stream. */
async function* sentences(deltas: AsyncIterable<string>): AsyncGenerator<string, void, undefined> {
  const splitter = new SentenceSplitter();
  for await (const piece of deltas) yield* splitter.push(piece);
  yield* splitter.flush();
}

function union(a: Entities, b: Entities): Entities {
  return {
    products: [...new Set([...a.products, ...b.products])],
    items: [...new Set([...a.items, ...b.items])],
  };
}
