/**
 * Admin endpoints for operators: cluster membership and partition
 * ownership, resident actors, one actor's state, passivate and snapshot.
 *
 * @module
 */

import type { Hono } from "hono";
import { requireBearer } from "./auth.ts";
import type { AppDeps } from "./deps.ts";
import { askPeers } from "./cluster_fanout.ts";
import { forwardToOwner } from "./forward.ts";
import type { Operation } from "./openapi.ts";

const USER_PARAMETER = {
  name: "id",
  in: "path" as const,
  required: true,
  schema: { type: "string", maxLength: 128 },
};
const ADMIN_ERRORS = {
  "401": { description: "Missing or wrong ADMIN_TOKEN" },
  "503": { description: "The user's partition is moving between nodes; retry" },
};

/** Documented operations of this module. */
export const ADMIN_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/admin/cluster",
    summary: "Nodes, their heartbeats and partition ownership (leases with epochs)",
    tag: "admin",
    auth: "admin",
    responses: { "200": { description: "Cluster view" }, ...ADMIN_ERRORS },
  },
  {
    method: "get",
    path: "/admin/actors",
    summary: "Resident actors: count, counts per partition and a list (scope=cluster merges every node)",
    tag: "admin",
    auth: "admin",
    parameters: [
      { name: "limit", in: "query", schema: { type: "integer", minimum: 0, maximum: 10000 } },
      { name: "scope", in: "query", schema: { type: "string", enum: ["node", "cluster"] } },
    ],
    responses: { "200": { description: "Resident actors" }, ...ADMIN_ERRORS },
  },
  {
    method: "get",
    path: "/admin/actors/:id",
    summary: "One actor's node, partition, offset, eventsApplied, dirty flag, session and preferences",
    tag: "admin",
    auth: "admin",
    parameters: [USER_PARAMETER],
    responses: { "200": { description: "Actor state (activated if needed)" }, ...ADMIN_ERRORS },
  },
  {
    method: "post",
    path: "/admin/actors/:id/passivate",
    summary: "Snapshot the actor if dirty and remove it from memory",
    tag: "admin",
    auth: "admin",
    parameters: [USER_PARAMETER],
    responses: { "200": { description: "Whether it was resident and passivated" }, ...ADMIN_ERRORS },
  },
  {
    method: "post",
    path: "/admin/actors/:id/snapshot",
    summary: "Write the actor's snapshot to Postgres now",
    tag: "admin",
    auth: "admin",
    parameters: [USER_PARAMETER],
    responses: { "200": { description: "Snapshot written" }, ...ADMIN_ERRORS },
  },
  {
    method: "get",
    path: "/admin/actors/:id/scores",
    summary: "Scores from the actor's live state: P(buy | shown), P(buy | not shown) and uplift per offer, " +
      "next-month propensity per product, cluster and distance to each offer's median holder profile",
    tag: "admin",
    auth: "admin",
    parameters: [USER_PARAMETER],
    responses: { "200": { description: "Scores" }, ...ADMIN_ERRORS },
  },
  {
    method: "get",
    path: "/admin/models",
    summary: "Which trained models are loaded, from where, and when they were trained",
    tag: "admin",
    auth: "admin",
    responses: { "200": { description: "Model status" }, ...ADMIN_ERRORS },
  },
  {
    method: "get",
    path: "/admin/jobs",
    summary: "Scheduled jobs (long-term profile, vectors, retrain): last and next run, progress, outcome",
    tag: "admin",
    auth: "admin",
    responses: { "200": { description: "Job statuses" }, ...ADMIN_ERRORS },
  },
  {
    method: "post",
    path: "/admin/jobs/:name/run",
    summary: "Run a job now and wait for it to finish",
    tag: "admin",
    auth: "admin",
    parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
    responses: {
      "200": { description: "The job's status after the run" },
      "404": { description: "No such job" },
    },
  },
];

function parseLimit(raw: string | undefined, fallback: number): number | null {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 0 && value <= 10_000 ? value : null;
}

/** Registers the admin endpoints. */
export function registerAdminRoutes(app: Hono, deps: AppDeps): void {
  app.use("/admin/*", requireBearer(() => deps.adminToken, "admin"));

  app.get("/admin/models", (c) => c.json({ nodeId: deps.nodeId, ...deps.models.status() }));
  app.get("/admin/actors/:id/scores", forwardToOwner(deps), async (c) => {
    const scorer = deps.models.scorer;
    if (!scorer) {
      return c.json({ error: "no trained models are loaded", reason: deps.models.status().reason }, 503);
    }
    const userId = c.req.param("id");
    const actor = await deps.supervisor.activate(userId);
    const started = performance.now();
    const scores = await scorer.score(actor, deps.now());
    return c.json({
      nodeId: deps.nodeId,
      userId,
      eventsApplied: actor.eventsApplied,
      scoringMs: performance.now() - started,
      ...scores,
      offers: [...scores.offers].sort((a, b) => b.uplift - a.uplift),
    });
  });
  app.get("/admin/jobs", (c) => c.json({ nodeId: deps.nodeId, jobs: deps.jobs.list() }));
  app.post("/admin/jobs/:name/run", async (c) => {
    const name = c.req.param("name");
    if (!(await deps.jobs.runNow(name))) return c.json({ error: `no job named "${name.slice(0, 64)}"` }, 404);
    return c.json({ nodeId: deps.nodeId, job: deps.jobs.list().find((job) => job.name === name) });
  });

  app.get("/admin/cluster", async (c) => {
    const [nodes, leases] = await Promise.all([deps.cluster.nodes(), deps.cluster.leases()]);
    const now = deps.now();
    return c.json({
      nodeId: deps.nodeId,
      mode: deps.mode,
      partitionCount: deps.partitionCount,
      nodes: nodes.map((node) => ({
        nodeId: node.nodeId,
        httpUrl: node.httpUrl,
        startedAt: node.startedAt.toISOString(),
        heartbeatAt: node.heartbeatAt.toISOString(),
        alive: now - node.heartbeatAt.getTime() <= 5_000,
        assigned: node.assigned,
        owned: leases.filter((lease) => lease.nodeId === node.nodeId).map((lease) => lease.partition),
      })),
      partitions: leases.map((lease) => ({
        partition: lease.partition,
        nodeId: lease.nodeId,
        epoch: lease.epoch,
      })),
    });
  });

  app.get("/admin/actors", async (c) => {
    const limit = parseLimit(c.req.query("limit"), 100);
    if (limit === null) return c.json({ error: "limit must be an integer from 0 to 10000" }, 400);
    const scope = c.req.query("scope") ?? "node";
    if (scope !== "node" && scope !== "cluster") {
      return c.json({ error: 'scope must be "node" or "cluster"' }, 400);
    }
    const local = localActors(deps, limit);
    if (scope === "node") return c.json(local);
    const peers = await askPeers<ReturnType<typeof localActors>>(
      deps,
      `/admin/actors?scope=node&limit=${limit}`,
      3_000,
    );
    const reachable = [local, ...peers.views];
    const byPartition: Record<string, number> = {};
    for (const view of reachable) {
      for (const [partition, count] of Object.entries(view.byPartition)) {
        byPartition[partition] = (byPartition[partition] ?? 0) + count;
      }
    }
    return c.json({
      scope: "cluster",
      nodes: reachable.map((view) => ({ nodeId: view.nodeId, resident: view.resident })),
      unreachable: peers.unreachable,
      resident: reachable.reduce((sum, view) => sum + view.resident, 0),
      byPartition,
      actors: reachable.flatMap((view) => view.actors).slice(0, limit),
    });
  });

  app.get("/admin/actors/:id", forwardToOwner(deps), async (c) => {
    const userId = c.req.param("id");
    const actor = await deps.supervisor.activate(userId);
    const summary = deps.supervisor.describe(userId)!;
    const preferences = actor.preferences;
    return c.json({
      nodeId: deps.nodeId,
      ...summary,
      location: actor.location,
      session: actor.session,
      preferences: {
        category: preferences.top("category"),
        brand: preferences.top("brand"),
        priceBand: preferences.top("priceBand"),
        channel: preferences.top("channel"),
        categoryPriorities: preferences.categoryPriorities(),
      },
      features: actor.window.summary(deps.now()),
    });
  });

  app.post("/admin/actors/:id/passivate", forwardToOwner(deps), async (c) => {
    const userId = c.req.param("id");
    const resident = deps.supervisor.peek(userId) !== undefined;
    const passivated = resident ? await deps.supervisor.passivate(userId) : false;
    return c.json({ nodeId: deps.nodeId, userId, resident, passivated });
  });

  app.post("/admin/actors/:id/snapshot", forwardToOwner(deps), async (c) => {
    const userId = c.req.param("id");
    await deps.supervisor.activate(userId);
    await deps.supervisor.flush({ userIds: [userId] });
    return c.json({ nodeId: deps.nodeId, ...deps.supervisor.describe(userId) });
  });
}

function localActors(deps: AppDeps, limit: number) {
  return {
    scope: "node" as const,
    nodeId: deps.nodeId,
    resident: deps.supervisor.size,
    residentBytes: deps.supervisor.residentBytes(),
    dirty: deps.supervisor.dirtyCount(),
    ownedPartitions: [...deps.ownership.owned().keys()].sort((a, b) => a - b),
    // The lease epoch behind each owned partition and when this view was taken (epoch ms), so views from
    // several nodes can be ordered and a stale owner told from the current one.
    ownedEpochs: Object.fromEntries(deps.ownership.owned()) as Record<string, number>,
    at: deps.now(),
    byPartition: deps.supervisor.countsByPartition() as Record<string, number>,
    actors: deps.supervisor.list(limit).map((actor) => ({
      userId: actor.userId,
      partition: actor.partition,
      eventsApplied: actor.eventsApplied,
      nodeId: deps.nodeId,
    })),
  };
}
