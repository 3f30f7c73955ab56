/**
 * Private: one LLM call that explains every offer at once (a JSON object of
 * productId → text), validated per offer. An output that leaks the prompt or
 * carries a forbidden string is dropped whole; an offer whose text is missing
 * or fails validation is left out, so the caller uses its template text.
 *
 * @module
 */

import type { ChatClient, StreamOptions } from "./chat_client.ts";
import type { ExplainContext } from "./explain_context.ts";
import { LlmError, type LlmFailureReason } from "./chat_client.ts";
import { postprocess, type RejectReason, validationRules } from "./postprocess.ts";
import { buildPrompt } from "./prompt.ts";

/** What the LLM call gave: validated texts for some offers, and why the rest are missing. */
export interface LlmOfferOutcome {
  /** productId → validated text, only for offers the LLM explained acceptably. */
  texts: Record<string, string>;
  /** Why the whole output was unusable, or null. */
  failure: LlmFailureReason | RejectReason | null;
  /** Reasons of every dropped sentence and rejected offer text, for the metrics. */
  rejections: string[];
  llmMs: number;
}

const LEAKS: ReadonlySet<RejectReason> = new Set(["canary", "system_prompt", "forbidden", "prompt_marker"]);

/** The JSON object in `raw` (code fences and chatter around it are tolerated), or null. */
export function parseExplanations(raw: string): Record<string, unknown> | null {
  const start = raw.indexOf("{");
  const end = raw.lastIndexOf("}");
  if (start < 0 || end <= start) return null;
  try {
    const value: unknown = JSON.parse(raw.slice(start, end + 1));
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? value as Record<string, unknown>
      : null;
  } catch {
    return null;
  }
}

/** Asks the LLM for every offer's explanation and validates each. */
export async function explainOffersWithLlm(
  client: ChatClient,
  context: ExplainContext,
  budgets: StreamOptions,
): Promise<LlmOfferOutcome> {
  const startedMs = performance.now();
  const prompt = buildPrompt(context, "explain_offers");
  const outcome: LlmOfferOutcome = { texts: {}, failure: null, rejections: [], llmMs: 0 };
  let raw = "";
  try {
    for await (const piece of client.stream(prompt.messages, budgets)) raw += piece;
  } catch (error) {
    if (!(error instanceof LlmError)) throw error;
    outcome.failure = error.reason;
  }
  outcome.llmMs = performance.now() - startedMs;
  if (outcome.failure) return outcome;
  if (raw.toLowerCase().includes(prompt.canary.toLowerCase())) {
    outcome.rejections.push("canary");
    return { ...outcome, failure: "canary" };
  }
  const parsed = parseExplanations(raw);
  if (!parsed) {
    outcome.rejections.push("garbage");
    return { ...outcome, failure: "garbage" };
  }
  for (const offer of context.offers) {
    const text = parsed[offer.productId];
    if (typeof text !== "string") continue;
    // Each text may name only its own offer, and a credit offer's text must carry its ПСК.
    const rules = { ...validationRules(context, prompt), offers: [offer], items: [], requireFullCost: true };
    const result = postprocess(text, rules);
    if (!result.ok) {
      outcome.rejections.push(result.reason);
      if (LEAKS.has(result.reason)) return { ...outcome, texts: {}, failure: result.reason };
      continue;
    }
    outcome.rejections.push(...result.dropped.map((dropped) => dropped.reason));
    outcome.texts[offer.productId] = result.text;
  }
  return outcome;
}
