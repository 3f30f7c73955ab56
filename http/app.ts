/**
 * The Hono application: every HTTP route of the engine, one error mapper and
 * request metrics.
 *
 * @module
 */

import { Hono } from "hono";
import { assignRequestId, requestIdOf } from "./request_id.ts";
import { Counter, Histogram } from "../obs/metrics.ts";
import { ADMIN_OPERATIONS, registerAdminRoutes } from "./admin_routes.ts";
import type { AppDeps } from "./deps.ts";
import { errorResponse } from "./errors.ts";
import { EVENT_OPERATIONS, registerEventRoutes } from "./event_routes.ts";
import { openApiDocument } from "./openapi.ts";
import { OPS_OPERATIONS, registerOpsRoutes } from "./ops_routes.ts";
import { registerWebRoutes, WEB_OPERATIONS } from "./web_routes.ts";
import { ANALYTICS_OPERATIONS, registerAnalyticsRoutes } from "./analytics_routes.ts";
import { registerUserRoutes } from "./user_routes.ts";
import { registerRecommendationRoutes } from "./recommendation_routes.ts";
import { registerChatRoutes } from "./chat_routes.ts";
import { USER_OPERATIONS } from "./user_operations.ts";
import { PRIVACY_OPERATIONS, registerPrivacyRoutes } from "./privacy_routes.ts";
import { rateLimit } from "./rate_limit.ts";
import { securityHeaders } from "./security_headers.ts";
import { recommendationFastPath } from "./recommendation_fast_path.ts";

/** Every documented operation. */
export const OPERATIONS = [
  ...OPS_OPERATIONS,
  ...EVENT_OPERATIONS,
  ...ADMIN_OPERATIONS,
  ...USER_OPERATIONS,
  ...PRIVACY_OPERATIONS,
  ...ANALYTICS_OPERATIONS,
  ...WEB_OPERATIONS,
];

/**
 * Builds the application for one engine node. Its `fetch` (and so
 * `request`) first offers each request to the recommendations fast path
 * (`recommendation_fast_path.ts`), which answers a plain warm read from the
 * decision cache and leaves everything else to the Hono routes.
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const requests = deps.registry.add(new Counter("http_requests_total", "HTTP requests by route and status"));
  const latency = deps.registry.add(new Histogram("http_request_seconds", "HTTP request latency by route"));
  app.use("*", assignRequestId());
  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath;
    requests.inc({ method: c.req.method, route, status: c.res.status });
    latency.observe((performance.now() - started) / 1000, { route });
  });
  app.use("*", securityHeaders());
  app.use("/v1/*", rateLimit(deps.rateLimiter, () => deps.adminToken));
  const document = openApiDocument(OPERATIONS);
  registerOpsRoutes(app, deps, () => document);
  registerEventRoutes(app, deps);
  registerAdminRoutes(app, deps);
  registerUserRoutes(app, deps);
  registerRecommendationRoutes(app, deps);
  registerChatRoutes(app, deps);
  registerPrivacyRoutes(app, deps);
  registerAnalyticsRoutes(app, deps);
  registerWebRoutes(app);
  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((error, c) => {
    const { status, body } = errorResponse(error);
    if (status >= 500) {
      deps.logger.log("error", "request failed", {
        path: c.req.path,
        requestId: requestIdOf(c),
        error: String(error),
        // A 5xx is a bug to find: where it was thrown.
        stack: error instanceof Error ? error.stack?.split("\n").slice(1, 8).join("\n") : undefined,
      });
    }
    // Every 503 is "retry shortly" (a partition moving, the log unreachable): say when, as forwardToOwner does.
    if (status === 503) c.header("Retry-After", "1");
    return c.json(body, status);
  });
  const fastPath = recommendationFastPath(deps, { requests, latency });
  const dispatch = app.fetch;
  app.fetch = (request, env, executionCtx) => {
    let fast: ReturnType<typeof fastPath>;
    try {
      fast = fastPath(request, env);
    } catch {
      fast = null;
    }
    if (fast instanceof Response) return fast;
    if (fast === null) return dispatch(request, env, executionCtx);
    // Null, or a failure before answering, leaves the request to the routes.
    const route = () => dispatch(request, env, executionCtx);
    return fast.then((response) => response ?? route(), route);
  };
  return app;
}
