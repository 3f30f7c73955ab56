/**
 * `POST /v1/chat`: one dialog turn. With `Accept: text/event-stream` the answer
 * streams as SSE events `meta`, `delta`, `offers`, `done` (with the latency
 * breakdown) or `error`; otherwise the same turn comes back as one JSON
 * object. The turn runs on the node that owns the user.
 *
 * @module
 */

import type { Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { type ChatEvent, MAX_CHAT_MESSAGE_CHARS } from "../engine/chat_service.ts";
import { readValid } from "./body.ts";
import type { AppDeps } from "./deps.ts";
import { HttpError } from "./errors.ts";
import { forwardToOwner } from "./forward.ts";
import type { JsonSchema } from "./openapi.ts";
import { languageOf } from "./recommendation_routes.ts";
import { type Principal, requireUser, type UserAuthEnv } from "./user_auth.ts";

/** Longest chat message. */
export const MAX_MESSAGE_CHARS = MAX_CHAT_MESSAGE_CHARS;

/** The chat request. */
export const CHAT_SCHEMA: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["message"],
  properties: {
    message: { type: "string", minLength: 1, maxLength: MAX_MESSAGE_CHARS },
    sessionId: { type: "string", maxLength: 64, pattern: "^[A-Za-z0-9-]+$" },
    lang: { type: "string", enum: ["ru", "en"] },
  },
};

function chatUser(c: Context<UserAuthEnv>): string {
  const principal = c.get("principal") as Principal;
  return principal.kind === "user" ? principal.userId : c.req.query("userId") ?? "";
}

/** Registers the chat route. */
export function registerChatRoutes(app: Hono, deps: AppDeps): void {
  const anyUser = requireUser(deps.userTokens, () => deps.adminToken, deps.now);
  app.post("/v1/chat", anyUser, forwardToOwner(deps, chatUser), async (c: Context<UserAuthEnv>) => {
    const input = await readValid<{ message: string; sessionId?: string; lang?: "ru" | "en" }>(
      c,
      CHAT_SCHEMA,
      16 * 1024,
    );
    if (input.message.trim() === "") {
      throw new HttpError(400, "invalid request", { message: "must not be blank" });
    }
    const userId = chatUser(c);
    const turn = {
      message: input.message,
      sessionId: input.sessionId,
      // Without an explicit choice the answer follows the message's own language.
      lang: input.lang ??
        (c.req.query("lang") || c.req.header("accept-language")
          ? languageOf(c)
          : messageLanguage(input.message)),
      signal: c.req.raw.signal,
    };
    if (!(c.req.header("accept") ?? "").includes("text/event-stream")) {
      const events: ChatEvent[] = [];
      for await (const event of deps.chat.turn(userId, turn)) events.push(event);
      return c.json(collect(events));
    }
    return streamSSE(c, async (stream) => {
      try {
        for await (const event of deps.chat.turn(userId, turn)) {
          if (stream.aborted) break;
          await stream.writeSSE({ event: event.type, data: JSON.stringify(event.data) });
        }
      } catch (error) {
        deps.logger.log("warn", "chat turn failed", { error: String(error) });
        await stream.writeSSE({
          event: "error",
          data: JSON.stringify({ reason: "the answer could not be completed" }),
        });
      }
    });
  });
}

/** Russian when the message has Cyrillic letters or no letters at all, English when it has only Latin ones. */
export function messageLanguage(message: string): "ru" | "en" {
  if (/[\u0400-\u04ff]/.test(message)) return "ru";
  return /[A-Za-z]/.test(message) ? "en" : "ru";
}

/** Folds a turn's events into the JSON reply. */
function collect(events: ChatEvent[]): Record<string, unknown> {
  let text = "";
  const reply: Record<string, unknown> = {};
  for (const event of events) {
    if (event.type === "delta") text += event.data.text;
    else if (event.type === "error") reply.error = event.data.reason;
    else Object.assign(reply, event.data);
  }
  return { ...reply, text };
}
