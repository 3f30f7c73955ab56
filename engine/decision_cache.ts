/**
 * Serialised recommendation answers, kept per user for the actor state they
 * were decided from. A warm read of an unchanged actor then costs a lookup
 * instead of the decision layer, the explanations and `JSON.stringify`.
 *
 * An entry is valid while all of these hold:
 * - the user's live actor is the same object (a restart or a new activation
 *   makes a new one) at the same {@linkcode UserActor.revision} (every message
 *   that may change the state bumps it);
 * - the scorer is the same object (a model reload replaces it);
 * - it is younger than the TTL. Some rules read the clock, not only the state:
 *   contact cooldowns and frequency windows, life-event recency, the client's
 *   age. An answer may therefore be up to the TTL behind a window that closes,
 *   never behind a change of state;
 * - no background LLM explanation for the user settled since (the owner calls
 *   {@linkcode DecisionCache.invalidate}), so a later read shows the LLM texts.
 *
 * Memory is bounded by `maxEntries` answers (a few KB each), users evicted in
 * the order they were last written.
 *
 * @module
 */

import type { UserActor } from "../actors/user_actor.ts";
import type { Language } from "../decision/types.ts";
import type { CounterSeries } from "../obs/metrics.ts";

/** How long an answer is served for an unchanged actor. */
export const DECISION_CACHE_TTL_MS = 30_000;
/** Answers kept at most over all users (each a few KB of JSON). */
export const MAX_CACHED_DECISIONS = 20_000;

/** One cached answer and what serving it must still do. */
export interface CachedDecision {
  /** The response body, UTF-8 JSON exactly as first sent (encoded once: a response copies it cheaply). */
  body: Uint8Array<ArrayBuffer>;
  /** Offered products, for recording the impression when asked to. */
  productIds: readonly string[];
  /** What the fresh decision counted (its outcome, its suppression reasons), each series with its increment. */
  counts: readonly (readonly [series: CounterSeries, by: number])[];
  expiresAtMs: number;
}

interface UserEntry {
  actor: UserActor;
  revision: number;
  source: object;
  /** Answers by variant (k, language, strategy). */
  variants: Map<number, CachedDecision>;
}

/** The variant number of a request's options (k 1–10, two languages, a strategy index). */
export function decisionVariant(k: number, lang: Language, strategyIndex: number): number {
  return (k * 2 + (lang === "en" ? 1 : 0)) * 8 + strategyIndex;
}

/** Answers by user, actor object, revision and variant. */
export class DecisionCache {
  #ttlMs: number;
  #maxEntries: number;
  #users = new Map<string, UserEntry>();
  #entries = 0;

  constructor(options: { ttlMs?: number; maxEntries?: number } = {}) {
    this.#ttlMs = options.ttlMs ?? DECISION_CACHE_TTL_MS;
    this.#maxEntries = options.maxEntries ?? MAX_CACHED_DECISIONS;
  }

  /** Whether answers are kept at all (a TTL or a cap of 0 turns the cache off). */
  get enabled(): boolean {
    return this.#ttlMs > 0 && this.#maxEntries > 0;
  }

  /** Answers held. */
  get size(): number {
    return this.#entries;
  }

  /** The valid answer for this actor's current state, if any; `source` is the scorer in use. */
  get(actor: UserActor, source: object, variant: number, nowMs: number): CachedDecision | undefined {
    const entry = this.#users.get(actor.userId);
    if (
      entry === undefined || entry.actor !== actor || entry.revision !== actor.revision ||
      entry.source !== source
    ) {
      return undefined;
    }
    const cached = entry.variants.get(variant);
    return cached !== undefined && cached.expiresAtMs > nowMs ? cached : undefined;
  }

  /** Stores an answer decided from `actor` at `revision` (read before deciding) as of `nowMs`. */
  set(
    actor: UserActor,
    revision: number,
    source: object,
    variant: number,
    answer: Omit<CachedDecision, "expiresAtMs">,
    nowMs: number,
  ): void {
    if (!this.enabled) return;
    let entry = this.#users.get(actor.userId);
    if (entry !== undefined) {
      this.#users.delete(actor.userId);
      if (entry.actor !== actor || entry.revision !== revision || entry.source !== source) {
        this.#entries -= entry.variants.size;
        entry = undefined;
      }
    }
    entry ??= { actor, revision, source, variants: new Map() };
    // Re-inserting keeps the map in the order users were last written: the first is evicted first.
    this.#users.set(actor.userId, entry);
    if (!entry.variants.has(variant)) this.#entries++;
    entry.variants.set(variant, { ...answer, expiresAtMs: nowMs + this.#ttlMs });
    while (this.#entries > this.#maxEntries) {
      const [userId, oldest] = this.#users.entries().next().value!;
      this.#users.delete(userId);
      this.#entries -= oldest.variants.size;
    }
  }

  /** Forgets every answer for a user (a new LLM explanation landed, say). */
  invalidate(userId: string): void {
    const entry = this.#users.get(userId);
    if (entry === undefined) return;
    this.#users.delete(userId);
    this.#entries -= entry.variants.size;
  }
}
