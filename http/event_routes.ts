/**
 * `POST /v1/events`: the validating ingest gateway. Valid events go to the
 * `events` log keyed by `userId`; invalid ones are answered with a reason and
 * kept in `events.dlq`, so nothing is lost.
 *
 * @module
 */

import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { parseEvent, type UserEvent } from "../domain/event.ts";
import { requireBearer } from "./auth.ts";
import type { AppDeps, Rejected } from "./deps.ts";
import type { Operation } from "./openapi.ts";
import { requestIdOf } from "./request_id.ts";

/** Events per request. */
export const MAX_EVENTS_PER_REQUEST = 1_000;
/** Request body cap for ingest. */
export const MAX_INGEST_BODY_BYTES = 4 * 1024 * 1024;

/** Documented operations of this module. */
export const EVENT_OPERATIONS: Operation[] = [{
  method: "post",
  path: "/v1/events",
  summary: "Ingest up to 1000 events; invalid ones are rejected with a reason and kept in events.dlq",
  tag: "ingest",
  auth: "ingest",
  requestBody: {
    type: "array",
    maxItems: MAX_EVENTS_PER_REQUEST,
    items: { $ref: "#/components/schemas/Event" },
  },
  responses: {
    "202": {
      description: "Accepted into the log",
      schema: {
        type: "object",
        properties: {
          accepted: { type: "integer" },
          rejected: {
            type: "array",
            items: { type: "object", properties: { index: { type: "integer" }, reason: { type: "string" } } },
          },
        },
      },
    },
    "400": { description: "Malformed JSON or not an array" },
    "401": { description: "Missing or wrong token" },
    "413": { description: "Too many events or body too large" },
    "503": { description: "The log is unreachable; nothing was accepted, retry" },
  },
}];

/** Registers the ingest endpoint. */
export function registerEventRoutes(app: Hono, deps: AppDeps): void {
  app.post(
    "/v1/events",
    requireBearer(() => deps.ingestToken, "ingest"),
    bodyLimit({
      maxSize: MAX_INGEST_BODY_BYTES,
      onError: (c) => c.json({ error: "request body too large", limitBytes: MAX_INGEST_BODY_BYTES }, 413),
    }),
    async (c) => {
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return c.json({ error: "malformed JSON" }, 400);
      }
      if (!Array.isArray(body)) return c.json({ error: "body must be a JSON array of events" }, 400);
      if (body.length > MAX_EVENTS_PER_REQUEST) {
        return c.json({ error: "too many events", limit: MAX_EVENTS_PER_REQUEST }, 413);
      }
      const nowMs = deps.now();
      const accepted: UserEvent[] = [];
      const rejected: Rejected[] = [];
      body.forEach((raw, index) => {
        const parsed = parseEvent(raw, { nowMs });
        if (parsed.ok) accepted.push(parsed.event);
        else rejected.push({ index, reason: parsed.reason, raw });
      });
      try {
        await deps.ingest(accepted, rejected, requestIdOf(c));
      } catch (error) {
        deps.logger.log("warn", "ingest failed", { error: String(error) });
        return c.json({ error: "event log unavailable, nothing was accepted; retry" }, 503);
      }
      return c.json({
        accepted: accepted.length,
        rejected: rejected.map(({ index, reason }) => ({ index, reason })),
      }, 202);
    },
  );
}
