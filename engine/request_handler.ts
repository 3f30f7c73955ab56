/**
 * Kafka request/reply: any Kafka client writes `{"type":"recommend","k":3}` or
 * `{"type":"chat","message":"…"}` to `requests`, keyed by `userId`, with the
 * headers `reply-to` and `correlation-id`. The node that owns the user answers
 * (a request read elsewhere is forwarded to the owner over HTTP, one hop), and
 * the reply goes to the `reply-to` topic with the same `correlation-id`.
 *
 * A request that cannot be answered still gets a reply with `ok: false` and a
 * reason, when it names somewhere to reply to; one that does not is counted
 * and logged.
 *
 * @module
 */

import { type EventBus, type IncomingRecord, type OutgoingRecord, TOPICS } from "../bus/bus.ts";
import type { Logger } from "../obs/log.ts";
import { MAX_CHAT_MESSAGE_CHARS } from "./chat_service.ts";

/** The topic names a reply may not go to: the engine's own topics. */
const RESERVED_TOPICS: ReadonlySet<string> = new Set<string>([...Object.values(TOPICS), "users.tombstones"]);
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const USER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const CORRELATION_ID = /^[\x21-\x7e]{1,128}$/;
/** Sends of one reply before it is given up (with backoff: about 3 s in all). */
const REPLY_ATTEMPTS = 5;
/** Largest request value. */
export const MAX_REQUEST_BYTES = 16 * 1024;

/** A parsed request. */
export type EngineRequest =
  | { type: "recommend"; k: number; lang: "ru" | "en" }
  | { type: "chat"; message: string; sessionId?: string; lang: "ru" | "en" };

/** The outcome of parsing one record. */
export type ParsedRequest =
  | { ok: true; userId: string; replyTo: string; correlationId: string; request: EngineRequest }
  | {
    ok: false;
    reason: string;
    replyTo: string | null;
    correlationId: string | null;
    userId: string | null;
  };

/** Validates one `requests` record. Never throws. */
export function parseRequest(record: IncomingRecord): ParsedRequest {
  const rawReplyTo = record.headers["reply-to"] ?? null;
  const rawCorrelation = record.headers["correlation-id"] ?? null;
  const replyTo = rawReplyTo !== null && TOPIC_NAME.test(rawReplyTo) && !RESERVED_TOPICS.has(rawReplyTo)
    ? rawReplyTo
    : null;
  const correlationId = rawCorrelation !== null && CORRELATION_ID.test(rawCorrelation)
    ? rawCorrelation
    : null;
  const userId = record.key !== null && USER_ID.test(record.key) ? record.key : null;
  const fail = (reason: string): ParsedRequest => ({ ok: false, reason, replyTo, correlationId, userId });
  if (rawReplyTo === null) return fail("missing reply-to header");
  if (replyTo === null) return fail("reply-to must name a topic that is not one of the engine's own");
  if (correlationId === null) return fail("missing or malformed correlation-id header");
  if (userId === null) return fail("the record key must be a user id");
  if (record.value.length > MAX_REQUEST_BYTES) return fail("request too large");
  let value: unknown;
  try {
    value = JSON.parse(record.value);
  } catch {
    return fail("malformed JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail("request must be an object");
  }
  const body = value as Record<string, unknown>;
  const lang = body.lang === "en" ? "en" : "ru";
  if (body.lang !== undefined && body.lang !== "en" && body.lang !== "ru") {
    return fail("lang must be ru or en");
  }
  if (body.type === "recommend") {
    const k = body.k ?? 3;
    if (typeof k !== "number" || !Number.isInteger(k) || k < 1 || k > 10) {
      return fail("k must be an integer from 1 to 10");
    }
    return { ok: true, userId, replyTo, correlationId, request: { type: "recommend", k, lang } };
  }
  if (body.type === "chat") {
    if (typeof body.message !== "string" || body.message.trim() === "") return fail("chat needs a message");
    if (body.message.length > MAX_CHAT_MESSAGE_CHARS) {
      return fail(`message too long (at most ${MAX_CHAT_MESSAGE_CHARS} characters)`);
    }
    const sessionId = typeof body.sessionId === "string" && /^[A-Za-z0-9-]{1,64}$/.test(body.sessionId)
      ? body.sessionId
      : undefined;
    return {
      ok: true,
      userId,
      replyTo,
      correlationId,
      request: { type: "chat", message: body.message, sessionId, lang },
    };
  }
  return fail("type must be recommend or chat");
}

/** Answers one request for a user (on the owner, or by forwarding to it). */
export type RequestAnswerer = (userId: string, request: EngineRequest) => Promise<unknown>;

/** Handles batches of the `requests` topic. */
export class RequestHandler {
  #bus: EventBus;
  #answer: RequestAnswerer;
  #logger: Logger;
  #nodeId: string;
  handled = 0;
  failed = 0;
  unanswerable = 0;

  constructor(options: { bus: EventBus; answer: RequestAnswerer; logger: Logger; nodeId: string }) {
    this.#bus = options.bus;
    this.#answer = options.answer;
    this.#logger = options.logger;
    this.#nodeId = options.nodeId;
  }

  /** Answers every record of a batch (concurrently), then resolves. */
  async handleBatch(records: IncomingRecord[]): Promise<void> {
    await Promise.all(records.map((record) => this.#handle(record)));
  }

  async #handle(record: IncomingRecord): Promise<void> {
    const parsed = parseRequest(record);
    if (!parsed.ok) {
      this.failed++;
      if (parsed.replyTo === null) {
        this.unanswerable++;
        this.#logger.log("warn", "request without a usable reply-to dropped", { reason: parsed.reason });
        return;
      }
      await this.#reply(parsed.replyTo, parsed.correlationId, parsed.userId, {
        ok: false,
        error: parsed.reason,
      });
      return;
    }
    let body: Record<string, unknown>;
    try {
      const result = await this.#answer(parsed.userId, parsed.request);
      body = { ok: true, type: parsed.request.type, result };
      this.handled++;
    } catch (error) {
      this.failed++;
      body = {
        ok: false,
        type: parsed.request.type,
        error: error instanceof Error ? error.message : String(error),
      };
    }
    await this.#reply(parsed.replyTo, parsed.correlationId, parsed.userId, body);
  }

  async #reply(
    topic: string,
    correlationId: string | null,
    userId: string | null,
    body: Record<string, unknown>,
  ) {
    const record: OutgoingRecord = {
      key: userId,
      value: JSON.stringify({ ...body, userId, nodeId: this.#nodeId }),
      headers: correlationId === null ? {} : { "correlation-id": correlationId },
    };
    // A producer can fail a send for a moment ("Broker not connected" while a connection comes back): the
    // asker waits for this reply, so it is sent again. Replies are matched by correlation id, so a rare
    // duplicate is harmless; a lost one leaves the asker waiting.
    for (let attempt = 1;; attempt++) {
      try {
        await this.#bus.produce(topic, [record]);
        return;
      } catch (error) {
        if (attempt >= REPLY_ATTEMPTS) {
          this.#logger.log("warn", "reply failed", { topic, attempts: attempt, error: String(error) });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }
}
