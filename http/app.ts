/**
 * The Hono application: every HTTP route of the engine, one error mapper and
 * request metrics.
 *
 * @module
 */

import { Hono } from "hono";
import { Counter, Histogram } from "../obs/metrics.ts";
import { ADMIN_OPERATIONS, registerAdminRoutes } from "./admin_routes.ts";
import type { AppDeps } from "./deps.ts";
import { errorResponse } from "./errors.ts";
import { EVENT_OPERATIONS, registerEventRoutes } from "./event_routes.ts";
import { openApiDocument } from "./openapi.ts";
import { OPS_OPERATIONS, registerOpsRoutes } from "./ops_routes.ts";

/** Every documented operation. */
export const OPERATIONS = [...OPS_OPERATIONS, ...EVENT_OPERATIONS, ...ADMIN_OPERATIONS];

/** Builds the application for one engine node. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const requests = deps.registry.add(new Counter("http_requests_total", "HTTP requests by route and status"));
  const latency = deps.registry.add(new Histogram("http_request_seconds", "HTTP request latency by route"));
  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath;
    requests.inc({ method: c.req.method, route, status: c.res.status });
    latency.observe((performance.now() - started) / 1000, { route });
  });
  const document = openApiDocument(OPERATIONS);
  registerOpsRoutes(app, deps, () => document);
  registerEventRoutes(app, deps);
  registerAdminRoutes(app, deps);
  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((error, c) => {
    const { status, body } = errorResponse(error);
    if (status >= 500) deps.logger.log("error", "request failed", { path: c.req.path, error: String(error) });
    return c.json(body, status);
  });
  return app;
}
