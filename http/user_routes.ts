/**
 * The user-facing endpoints around recommendations: the demo login picker,
 * cold-start registration, consents, feedback and the operation history.
 * Writes become events through the log and are answered once the owning
 * actor has applied them, so the next read sees them.
 *
 * @module
 */

import type { Context, Hono } from "hono";
import { DEFAULT_CONSENTS } from "../actors/engagement.ts";
import type { UserEvent } from "../domain/event.ts";
import { findUser, insertUser, rateChatTurn, saveConsents, searchUsers } from "../store/user_data.ts";
import { readValid } from "./body.ts";
import type { AppDeps } from "./deps.ts";
import { HttpError } from "./errors.ts";
import { forwardToOwner } from "./forward.ts";
import {
  consentEvents,
  CONSENTS_SCHEMA,
  FEEDBACK_SCHEMA,
  feedbackEvent,
  type FeedbackInput,
  OPERATION_SCHEMA,
  operationEvents,
  type OperationInput,
  type Registration,
  REGISTRATION_SCHEMA,
  registrationEvents,
} from "./user_inputs.ts";
import { type Principal, requireUser, type UserAuthEnv } from "./user_auth.ts";
import { describeOperation, isHistoryEntry } from "./operation_view.ts";
import { constantTimeEqual } from "./auth.ts";
import { requestIdOf } from "./request_id.ts";
import { languageOf, recommendationOptions } from "./recommendation_routes.ts";

/** How long a write waits for its actor to apply the events. */
// Under the 5 s a forwarding node waits for the owner's answer, so a slow apply answers `applied: false`.
const APPLY_TIMEOUT_MS = 3_000;

/** Sends events through the log and waits until the (local) actor has applied the last one. */
export async function emitAndAwait(
  deps: AppDeps,
  userId: string,
  events: UserEvent[],
  requestId?: string,
): Promise<boolean> {
  // An erased user's token must not start a new profile: activation answers 410 for them.
  await deps.supervisor.activate(userId);
  try {
    await deps.ingest(events, [], requestId);
  } catch (error) {
    deps.logger.log("warn", "ingest failed", { error: String(error) });
    throw new HttpError(503, "event log unavailable, nothing was changed; retry");
  }
  const last = events[events.length - 1].eventId;
  const deadline = performance.now() + APPLY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (deps.supervisor.peek(userId)?.hasRecentEvent(last)) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

function userOf(principal: Principal, fallback: string | undefined): string {
  if (principal.kind === "user") return principal.userId;
  if (fallback === undefined) throw new HttpError(400, "a service request must name the userId");
  return fallback;
}

/** Registers the user routes. */
export function registerUserRoutes(app: Hono, deps: AppDeps): void {
  const demoOnly = (c: Context) =>
    deps.authMode === "demo"
      ? null
      : c.json({ error: "demo login is disabled (AUTH_MODE is not demo)" }, 404);
  const user = requireUser(deps.userTokens, () => deps.adminToken, deps.now, "id");
  const anyUser = requireUser(deps.userTokens, () => deps.adminToken, deps.now);
  const owner = forwardToOwner(deps);

  app.get("/v1/users", async (c) => {
    const blocked = demoOnly(c);
    if (blocked) return blocked;
    const query = (c.req.query("query") ?? "").slice(0, 64);
    const limit = Math.min(50, Math.max(1, Number(c.req.query("limit")) || 20));
    return c.json({ users: await searchUsers(deps.sql, deps.vault, query, limit) });
  });

  app.post("/v1/auth/demo-login", async (c) => {
    const blocked = demoOnly(c);
    if (blocked) return blocked;
    const body = await readValid<{ userId: string }>(c, {
      type: "object",
      additionalProperties: false,
      required: ["userId"],
      properties: { userId: { type: "string", maxLength: 128, pattern: "^[A-Za-z0-9._:@-]+$" } },
    }, 4096);
    const found = await findUser(deps.sql, deps.vault, body.userId);
    if (!found) return c.json({ error: "no such user" }, 404);
    const { token, expiresAtMs } = await deps.userTokens.issue(found.userId, deps.now());
    return c.json({ token, userId: found.userId, expiresAt: new Date(expiresAtMs).toISOString() });
  });

  app.post("/v1/users", async (c) => {
    // In jwt mode users come from the bank's identity provider; only its services register them.
    if (deps.authMode !== "demo") requireService(c, deps);
    const input = await readValid<Registration>(c, REGISTRATION_SCHEMA);
    // A bank id enters only as its keyed hash; without one the id is random.
    const userId = input.externalId !== undefined
      ? await deps.pseudonyms.pseudonymise(input.externalId)
      : `c-${crypto.randomUUID().slice(0, 12)}`;
    const displayName = input.displayName?.trim() || `Новый клиент ${userId.slice(2, 8)}`;
    const { products: _products, displayName: _name, externalId: _externalId, ...attributes } = input;
    if (
      !(await insertUser(deps.sql, deps.vault, { userId, displayName, segment: input.segmento, attributes }))
    ) {
      return c.json({ error: "this client is already registered", userId }, 409);
    }
    const events = registrationEvents(userId, input, deps.now());
    try {
      await deps.ingest(events, []);
    } catch {
      throw new HttpError(503, "event log unavailable; retry the registration");
    }
    const token = deps.authMode === "demo"
      ? (await deps.userTokens.issue(userId, deps.now())).token
      : undefined;
    return c.json(
      { userId, ...(token ? { token } : {}), lastEventId: events[events.length - 1].eventId },
      201,
    );
  });

  app.get("/v1/users/:id", user, owner, async (c) => {
    const userId = c.req.param("id");
    const listing = await findUser(deps.sql, deps.vault, userId);
    const actor = await deps.supervisor.activate(userId);
    if (!listing && actor.eventsApplied === 0) return c.json({ error: "no such user" }, 404);
    return c.json({
      userId,
      displayName: listing?.displayName ?? userId,
      segment: listing?.segment ?? "",
      kind: listing?.kind ?? (actor.bank ? "bank" : "retail"),
      location: actor.location,
      eventsApplied: actor.eventsApplied,
      consents: actor.engagement?.consents ?? DEFAULT_CONSENTS,
      engagement: actor.engagement?.toJSON() ?? null,
      preferences: {
        category: actor.preferences.top("category").slice(0, 6),
        brand: actor.preferences.top("brand").slice(0, 6),
        priceBand: actor.preferences.top("priceBand").slice(0, 6),
      },
    });
  });

  app.get("/v1/users/:id/consents", user, owner, async (c) => {
    const actor = await deps.supervisor.activate(c.req.param("id"));
    return c.json({ consents: actor.engagement?.consents ?? DEFAULT_CONSENTS });
  });

  app.put("/v1/users/:id/consents", user, owner, async (c) => {
    const userId = c.req.param("id");
    const consents = await readValid<Record<string, boolean>>(c, CONSENTS_SCHEMA, 4096);
    if (Object.keys(consents).length === 0) throw new HttpError(400, "name at least one consent");
    await saveConsents(deps.sql, userId, consents);
    const applied = await emitAndAwait(
      deps,
      userId,
      consentEvents(userId, consents, deps.now()),
      requestIdOf(c),
    );
    const actor = deps.supervisor.peek(userId);
    return c.json({ applied, consents: actor?.engagement?.consents ?? { ...DEFAULT_CONSENTS, ...consents } });
  });

  app.post(
    "/v1/feedback",
    anyUser,
    forwardToOwner(deps, (c) => {
      const principal = c.get("principal") as Principal;
      return principal.kind === "user" ? principal.userId : c.req.query("userId") ?? "";
    }),
    async (c: Context<UserAuthEnv>) => {
      const input = await readValid<FeedbackInput>(c, FEEDBACK_SCHEMA, 4096);
      const userId = userOf(c.get("principal"), input.userId ?? c.req.query("userId"));
      if (input.turnId !== undefined) {
        const satisfaction = input.kind === "rating" ? input.value ?? 3 : input.kind === "like" ? 5 : 1;
        if (!(await rateChatTurn(deps.sql, userId, input.turnId, satisfaction))) {
          return c.json({ error: "no such chat turn for this user" }, 404);
        }
        if (input.productId === undefined && input.itemId === undefined) {
          return c.json({ recorded: "turn" }, 202);
        }
      }
      const made = feedbackEvent(userId, input, deps.now());
      if (!made.ok) throw new HttpError(400, "invalid request", made.fields);
      const applied = await emitAndAwait(deps, userId, [made.event], requestIdOf(c));
      return c.json({ recorded: "event", eventId: made.event.eventId, applied }, 202);
    },
  );

  app.get("/v1/users/:id/operations", user, owner, async (c) => {
    const userId = c.req.param("id");
    const limit = Math.min(500, Math.max(1, Number(c.req.query("limit")) || 50));
    const lang = languageOf(c);
    // Applied events not yet in a snapshot reach the event log with the next flush; flush this user first.
    await deps.supervisor.flush({ userIds: [userId] }).catch(() => {});
    // Demographic profile events and feedback are in the log too; the history shows money and life events.
    const entries = (await deps.eventLog(userId, limit * 3)).filter(isHistoryEntry).slice(0, limit);
    return c.json({ operations: entries.map((entry) => describeOperation(entry, lang)) });
  });

  app.post("/v1/users/:id/operations", user, owner, async (c) => {
    const userId = c.req.param("id");
    const input = await readValid<OperationInput>(c, OPERATION_SCHEMA, 4096);
    const made = operationEvents(userId, input, deps.now());
    if (!made.ok) throw new HttpError(400, "invalid request", made.fields);
    const applied = await emitAndAwait(deps, userId, made.events, requestIdOf(c));
    const result = await deps.recommender.recommend(
      userId,
      recommendationOptions(c, userId, deps.recommender),
    );
    return c.json({
      eventId: made.events[0].eventId,
      applied,
      recommendations: result.ok ? result.value : null,
    }, 202);
  });
}

function requireService(c: Context, deps: AppDeps): void {
  const header = c.req.header("authorization") ?? "";
  if (!constantTimeEqual(header, `Bearer ${deps.adminToken}`)) {
    throw new HttpError(401, "registration needs the service token in jwt mode");
  }
}
