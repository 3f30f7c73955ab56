/**
 * Operational endpoints: health, readiness, Prometheus metrics, OpenAPI.
 *
 * @module
 */

import type { Hono } from "hono";
import type { AppDeps } from "./deps.ts";
import type { Operation } from "./openapi.ts";

/** Documented operations of this module. */
export const OPS_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/healthz",
    summary: "Liveness: the process answers",
    tag: "ops",
    responses: { "200": { description: "Alive" } },
  },
  {
    method: "get",
    path: "/readyz",
    summary: "Readiness: Postgres and the log are reachable and partitions are assigned",
    tag: "ops",
    responses: { "200": { description: "Ready" }, "503": { description: "Not ready, with failing checks" } },
  },
  {
    method: "get",
    path: "/metrics",
    summary: "Prometheus metrics (text exposition format)",
    tag: "ops",
    responses: { "200": { description: "Metrics" } },
  },
  {
    method: "get",
    path: "/openapi.json",
    summary: "This document",
    tag: "ops",
    responses: { "200": { description: "OpenAPI 3.1" } },
  },
];

/** Registers the operational endpoints. */
export function registerOpsRoutes(app: Hono, deps: AppDeps, document: () => unknown): void {
  app.get("/healthz", (c) => c.json({ status: "ok", nodeId: deps.nodeId }));
  app.get("/readyz", async (c) => {
    const checks = await deps.readiness();
    const ready = Object.values(checks).every(Boolean);
    return c.json({ ready, nodeId: deps.nodeId, checks }, ready ? 200 : 503);
  });
  app.get("/metrics", (c) => {
    c.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return c.body(deps.registry.render());
  });
  app.get("/openapi.json", (c) => c.json(document()));
}
