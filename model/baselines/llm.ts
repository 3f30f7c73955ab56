/**
 * The LLM baseline (seed 004): the LLM sees a client's profile and cluster and
 * ranks the offers itself. Only codes from the offer list count; anything the
 * model invents is dropped. It runs in `deno task eval` when an LLM is configured.
 *
 * @module
 */

import type { ChatClient } from "../../llm/chat_client.ts";
import { FEATURE_NAMES } from "../features.ts";
import { productByCode } from "../products.ts";

const SHOWN = [
  "age",
  "log_renta",
  "antiguedad_months",
  "products_held",
  "salary_decayed_log",
  "recency_days",
];

/** The prompt describing one client (no identifiers, only derived features). */
export function llmPrompt(features: ArrayLike<number>, cluster: number, offers: readonly string[]): string {
  const facts = SHOWN.map((name) => `${name}=${Number(features[FEATURE_NAMES.indexOf(name)]).toFixed(2)}`);
  const held = FEATURE_NAMES.filter((name, i) => name.startsWith("holds_") && features[i] === 1).map((n) =>
    n.slice(6)
  );
  const life = FEATURE_NAMES.filter((name, i) => name.endsWith("_recent") && features[i] === 1);
  const list = offers.map((code) => `${code}: ${productByCode(code)?.name.en ?? code}`).join("\n");
  return `Client profile: ${facts.join(", ")}; cluster ${cluster}; holds ${held.join(", ") || "nothing"}; ` +
    `recent life events: ${life.join(", ") || "none"}.\nOffers:\n${list}\n` +
    "Rank the offers by how much showing each would CHANGE this client's decision to take it " +
    "(not by how likely they are to take it anyway). Answer with offer codes only, one per line, best first.";
}

/** Turns the LLM's answer into a score per offer (higher is better); unknown codes are ignored. */
export function parseRanking(answer: string, offers: readonly string[]): Map<string, number> {
  const scores = new Map<string, number>();
  const codes = answer.match(/[a-z][a-z0-9_]*/g) ?? [];
  for (const code of codes) {
    if (offers.includes(code) && !scores.has(code)) scores.set(code, offers.length - scores.size);
  }
  return scores;
}

/** Asks the LLM to rank the offers for one client. */
export async function llmScores(
  client: ChatClient,
  features: ArrayLike<number>,
  cluster: number,
  offers: readonly string[],
): Promise<Map<string, number>> {
  const answer = await client.complete([
    {
      role: "system",
      content: "You are a bank's next-best-offer analyst. Follow the answer format exactly.",
    },
    { role: "user", content: llmPrompt(features, cluster, offers) },
  ]);
  return parseRanking(answer, offers);
}
