/**
 * `GET /v1/users/:id/recommendations` and the user's notifications (JSON, or
 * a live SSE stream). Both run on the node that owns the user.
 *
 * @module
 */

import type { Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { ErasedUserError } from "../actors/supervisor.ts";
import type { Language } from "../decision/types.ts";
import { type Recommender, type RecommendOptions, STRATEGIES, type Strategy } from "../engine/recommender.ts";
import { listNotifications } from "../store/user_data.ts";
import type { AppDeps } from "./deps.ts";
import { HttpError } from "./errors.ts";
import { forwardToOwner } from "./forward.ts";
import { requireUser } from "./user_auth.ts";

/** Largest `k`. */
export const MAX_OFFERS = 10;
const KEEPALIVE_MS = 15_000;
/**
 * Longest a `waitFor` read waits for its event. It stays well under the 5 s a forwarding node waits for the
 * owner's answer, so an event that never comes (or a made-up id) still gets an answer, not a 503.
 */
export const WAIT_FOR_MS = 3_000;

/** The language asked for (`?lang=`, else Accept-Language), Russian by default. */
export function languageOf(c: Context): Language {
  return languageFrom(c.req.query("lang"), c.req.header("accept-language"));
}

/** {@linkcode languageOf} from the `lang` query value and the Accept-Language header. */
export function languageFrom(
  asked: string | null | undefined,
  acceptLanguage: string | null | undefined,
): Language {
  if (asked === "en" || asked === "ru") return asked;
  return /^en\b/i.test((acceptLanguage ?? "").trim()) ? "en" : "ru";
}

/**
 * Parses `k`, `lang`, `strategy` and `record`; throws 400 with a reason. Without `strategy` the user gets
 * `defaultStrategy` (their experiment arm while an experiment runs), and the answer names the experiment.
 */
export function recommendationOptions(
  c: Context,
  userId: string,
  recommender: Recommender,
): RecommendOptions {
  const parsed = parseRecommendationOptions(
    (name) => c.req.query(name),
    c.req.header("accept-language"),
    recommender.defaultStrategy(userId),
  );
  if (!parsed.ok) throw new HttpError(400, parsed.reason);
  const experiment = recommender.experiment;
  if (!parsed.explicit && experiment !== null) {
    c.header(EXPERIMENT_HEADER, experimentArm(experiment.id, parsed.options));
  }
  return parsed.options;
}

/** Response header naming the experiment and arm that decided an answer (absent when `strategy` was asked). */
export const EXPERIMENT_HEADER = "x-experiment";

/** The header's value: `<experiment id>/<strategy>`. */
export function experimentArm(id: string, options: Pick<RecommendOptions, "strategy">): string {
  return `${id}/${options.strategy}`;
}

/** {@linkcode recommendationOptions} from a query lookup and the Accept-Language header, without throwing. */
export function parseRecommendationOptions(
  query: (name: "k" | "lang" | "strategy" | "record") => string | undefined,
  acceptLanguage: string | null | undefined,
  defaultStrategy: Strategy = "uplift",
): { ok: true; options: RecommendOptions; explicit: boolean } | { ok: false; reason: string } {
  const kText = query("k");
  const k = kText === undefined ? 3 : Number(kText);
  if (!Number.isInteger(k) || k < 1 || k > MAX_OFFERS) {
    return { ok: false, reason: `k must be an integer from 1 to ${MAX_OFFERS}` };
  }
  const asked = query("strategy");
  const strategy = (asked ?? defaultStrategy) as Strategy;
  if (!STRATEGIES.includes(strategy)) {
    return { ok: false, reason: `strategy must be one of ${STRATEGIES.join(", ")}` };
  }
  const record = query("record");
  if (record !== undefined && record !== "0" && record !== "1") {
    return { ok: false, reason: "record must be 0 or 1" };
  }
  return {
    ok: true,
    options: { k, lang: languageFrom(query("lang"), acceptLanguage), strategy, record: record !== "0" },
    explicit: asked !== undefined,
  };
}

/** Registers the recommendation and notification routes. */
export function registerRecommendationRoutes(app: Hono, deps: AppDeps): void {
  const user = requireUser(deps.userTokens, () => deps.adminToken, deps.now, "id");
  const owner = forwardToOwner(deps);

  app.get("/v1/users/:id/recommendations", user, owner, async (c) => {
    const userId = c.req.param("id");
    const options = recommendationOptions(c, userId, deps.recommender);
    // After a registration or a write, `waitFor` names the event the answer must already reflect.
    const waitFor = c.req.query("waitFor");
    if (waitFor !== undefined) {
      if (!/^[A-Za-z0-9._:-]{1,128}$/.test(waitFor)) throw new HttpError(400, "waitFor must be an event id");
      const deadline = performance.now() + WAIT_FOR_MS;
      await deps.supervisor.activate(userId).catch((error) => {
        // Registered again after an erasure, with no event applied yet: wait for them like anyone else.
        if (!(error instanceof ErasedUserError)) throw error;
      });
      while (!deps.supervisor.peek(userId)?.hasRecentEvent(waitFor) && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    // The serialised answer, from the decision cache while the actor's state is unchanged.
    const result = await deps.recommender.recommendJson(userId, options);
    if (!result.ok) return c.json({ error: result.reason }, result.status);
    return c.body(result.json, 200, { "content-type": "application/json" });
  });

  app.get("/v1/users/:id/notifications", user, owner, async (c) => {
    const userId = c.req.param("id");
    const limit = Math.min(100, Math.max(1, Number(c.req.query("limit")) || 20));
    if (!(c.req.header("accept") ?? "").includes("text/event-stream")) {
      const notifications = await listNotifications(deps.sql, userId, limit);
      return c.json({
        notifications: notifications.map(({ payload, ...rest }) => ({ ...rest, ...payload })),
      });
    }
    return streamSSE(c, async (stream) => {
      const queue: string[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = deps.notifications.subscribe(userId, (notification) => {
        const { payload, ...rest } = notification;
        queue.push(JSON.stringify({ ...rest, ...payload }));
        wake?.();
      });
      if (unsubscribe === null) {
        await stream.writeSSE({ event: "error", data: JSON.stringify({ reason: "too many open streams" }) });
        return;
      }
      stream.onAbort(() => wake?.());
      try {
        await stream.writeSSE({ event: "ready", data: JSON.stringify({ userId }) });
        while (!stream.aborted && !stream.closed) {
          while (queue.length > 0) await stream.writeSSE({ event: "notification", data: queue.shift()! });
          let timer: ReturnType<typeof setTimeout> | undefined;
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, KEEPALIVE_MS);
          });
          clearTimeout(timer);
          wake = null;
          if (queue.length === 0 && !stream.aborted) await stream.write(": keepalive\n\n");
        }
      } finally {
        unsubscribe();
      }
    });
  });
}
