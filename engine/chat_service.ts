/**
 * One chat turn on the node that owns the user. The message is classified
 * (bank question, retail request, injection attempt, other); bank turns get
 * the decision layer's offers, retail turns get catalog items retrieved with
 * the query and the user's live preference vector; the explainer streams the
 * answer (validated LLM sentences, or the template). The turn is kept in the
 * actor's session and logged with its context in `chat_turns`.
 *
 * @module
 */

import type { Supervisor } from "../actors/supervisor.ts";
import type { UserActor } from "../actors/user_actor.ts";
import type { CatalogItem } from "../datagen/types.ts";
import type { DecidedOffer, Language } from "../decision/types.ts";
import { classifyMessage } from "../llm/template_explainer.ts";
import type { RetailRequest } from "../llm/explain_context.ts";
import type { Logger } from "../obs/log.ts";
import { Counter, Histogram, type Registry } from "../obs/metrics.ts";
import type { Sql } from "../store/_sql.ts";
import { insertChatTurn } from "../store/user_data.ts";
import type { PiiVault } from "../privacy/pii_vault.ts";
import { contextFor, type OfferExplainer } from "./offer_explainer.ts";
import type { OfferView, Recommender } from "./recommender.ts";

/** A catalog item as the chat shows it. */
export interface ItemView {
  id: string;
  name: string;
  price: number;
  brand: string;
  category: string;
  tags: string[];
  available: boolean;
}

/** One event of a streamed turn (the SSE event name is `type`). */
export type ChatEvent =
  | { type: "meta"; data: { sessionId: string; turnId: string; domain: "bank" | "retail"; intent: string } }
  | { type: "delta"; data: { text: string } }
  | { type: "offers"; data: { offers: OfferView[]; items: ItemView[] } }
  | {
    type: "done";
    data: {
      turnId: string;
      source: "llm" | "template";
      fallbackReason?: string;
      dropped: number;
      /** Products and catalog items the answer names (all of them grounded). */
      entities: { products: string[]; items: string[] };
      latency: Record<string, number | null>;
    };
  }
  | { type: "error"; data: { reason: string } };

/** Retrieval for retail turns (the catalog index with on-device embeddings). */
export interface RetailRetrieval {
  search(
    actor: UserActor,
    message: string,
    options: { k: number; usePreferences: boolean },
  ): Promise<{ items: CatalogItem[]; request: RetailRequest | null }>;
}

/** A turn's input. */
export interface ChatTurnInput {
  message: string;
  sessionId?: string;
  lang: Language;
  signal?: AbortSignal;
}

/** Budget for a whole answer, fallback included. */
export const CHAT_BUDGET_MS = 8_000;

/** Longest chat message, in UTF-16 code units, on every way in (HTTP and the `requests` topic). */
export const MAX_CHAT_MESSAGE_CHARS = 2_000;
const ITEMS_PER_ANSWER = 5;

/** Runs chat turns. */
export class ChatService {
  #supervisor: Supervisor;
  #recommender: Recommender;
  #explainer: OfferExplainer;
  #retrieval: RetailRetrieval | null;
  #sql: Sql;
  #vault: PiiVault;
  #logger: Logger;
  #now: () => number;
  #turns = new Counter("engine_chat_turns_total", "Chat turns by domain and answer source");
  #firstByte = new Histogram("engine_chat_first_byte_seconds", "Chat turn time to the first SSE event");

  constructor(options: {
    supervisor: Supervisor;
    recommender: Recommender;
    explainer: OfferExplainer;
    retrieval: RetailRetrieval | null;
    sql: Sql;
    /** Seals the turn's text before it is logged. */
    vault: PiiVault;
    logger: Logger;
    now: () => number;
    registry?: Registry;
  }) {
    options.registry?.add(this.#turns);
    options.registry?.add(this.#firstByte);
    this.#supervisor = options.supervisor;
    this.#recommender = options.recommender;
    this.#explainer = options.explainer;
    this.#retrieval = options.retrieval;
    this.#sql = options.sql;
    this.#vault = options.vault;
    this.#logger = options.logger;
    this.#now = options.now;
  }

  /** Streams one turn. The user's partition must be owned here. */
  async *turn(userId: string, input: ChatTurnInput): AsyncGenerator<ChatEvent, void, undefined> {
    const started = performance.now();
    const actor = await this.#supervisor.activate(userId);
    const nowMs = this.#now();
    const session = actor.session;
    const sessionId = input.sessionId ??
      (session !== null && session.expiresAtMs > nowMs ? session.id : crypto.randomUUID());
    const turnId = crypto.randomUUID();
    const intent = classifyMessage(input.message);
    const domain = intent === "bank" || intent === "bank_why" || (intent !== "retail" && actor.bank !== null)
      ? "bank"
      : "retail";
    const consents = actor.engagement?.consents ?? { personalization: true, marketing: true, llm: true };

    let offers: readonly DecidedOffer[] = [];
    let offerViews: OfferView[] = [];
    let items: CatalogItem[] = [];
    let request: RetailRequest | null = null;
    const decisionStarted = performance.now();
    if (intent !== "injection" && domain === "bank") {
      const result = await this.#recommender.recommend(userId, {
        k: 3,
        lang: input.lang,
        strategy: this.#recommender.defaultStrategy(userId),
        record: true,
        llmInBackground: false,
      });
      if (result.ok) {
        offers = result.decision.offers;
        offerViews = result.value.offers;
      }
    }
    const decisionMs = performance.now() - decisionStarted;
    const retrievalStarted = performance.now();
    if (intent !== "injection" && domain === "retail" && this.#retrieval !== null) {
      const found = await this.#retrieval.search(actor, input.message, {
        k: ITEMS_PER_ANSWER,
        usePreferences: consents.personalization,
      });
      items = found.items;
      request = found.request;
    }
    const retrievalMs = performance.now() - retrievalStarted;
    yield { type: "meta", data: { sessionId, turnId, domain, intent } };
    const firstByteMs = performance.now() - started;
    this.#firstByte.observe(firstByteMs / 1000);

    const context = {
      ...contextFor(actor, { lang: input.lang, nowMs, offers, items, message: input.message }),
      request,
    };
    // History is what came before this message; the message joins the session now.
    await this.#supervisor.tell(userId, {
      type: "session.turn",
      sessionId,
      role: "user",
      text: input.message,
      atMs: nowMs,
    });
    let answer = "";
    let done: Extract<ChatEvent, { type: "done" }>["data"] | null = null;
    for await (
      const chunk of this.#explainer.explainer.chat(context, {
        signal: input.signal,
        budgetMs: CHAT_BUDGET_MS,
      })
    ) {
      if (chunk.type === "delta") {
        answer += chunk.text;
        yield { type: "delta", data: { text: chunk.text } };
        continue;
      }
      done = {
        turnId,
        source: chunk.source,
        ...(chunk.fallbackReason ? { fallbackReason: chunk.fallbackReason } : {}),
        dropped: chunk.dropped.length,
        entities: { products: [...chunk.entities.products], items: [...chunk.entities.items] },
        latency: {
          firstByteMs,
          decisionMs,
          retrievalMs,
          firstTokenMs: chunk.timings.firstTokenMs,
          llmMs: chunk.timings.llmMs,
          totalMs: performance.now() - started,
        },
      };
    }
    if (input.signal?.aborted) return;
    yield {
      type: "offers",
      data: { offers: offerViews, items: items.map((item) => itemView(item, input.lang, actor.location)) },
    };
    await this.#supervisor.tell(userId, {
      type: "session.turn",
      sessionId,
      role: "assistant",
      text: answer,
      atMs: this.#now(),
    });
    if (done === null) {
      yield { type: "error", data: { reason: "the answer ended early" } };
      return;
    }
    yield { type: "done", data: done };
    this.#turns.inc({ domain, source: done.source });
    insertChatTurn(this.#sql, this.#vault, {
      turnId,
      userId,
      sessionId,
      message: input.message,
      answer,
      source: done.source,
      context: {
        domain,
        intent,
        offers: offers.map((offer) => offer.productId),
        items: items.map((item) => item.id),
        request,
        latency: done.latency,
        fallbackReason: done.fallbackReason ?? null,
        dropped: done.dropped,
      },
    }).catch((error) => this.#logger.log("warn", "chat turn not logged", { error: String(error) }));
  }
}

function itemView(item: CatalogItem, lang: Language, location: string | null): ItemView {
  return {
    id: item.id,
    name: item.name[lang],
    price: item.price,
    brand: item.brand,
    category: item.category,
    tags: item.tags,
    available: location === null ? true : (item.availability[location] ?? 0) > 0,
  };
}
