/**
 * The analytics panel's endpoints: the bank's offer catalog, the measured
 * model comparison, the client clusters (all aggregates, no personal data);
 * one client's profile against the median holder profiles (that client or a
 * service); and approach testing over a cohort (any logged-in user sees the
 * cohort's aggregates only, never a user's rows).
 *
 * @module
 */

import type { Context, Hono } from "hono";
import { partitionFor } from "../bus/bus.ts";
import {
  activateAll,
  bankUserIds,
  clientProfile,
  clusterView,
  type Cohort,
  compareStrategies,
  loadModelComparison,
  mergeComparisons,
  type StrategyComparison,
} from "../engine/analytics.ts";
import { type ArmOutcome, armResults, countArms, mergeArms } from "../engine/experiment.ts";
import { STRATEGIES, type Strategy } from "../engine/recommender.ts";
import { SEGMENTS } from "../model/bank_profile.ts";
import { PRODUCTS } from "../model/products.ts";
import type { AppDeps } from "./deps.ts";
import { askPeers } from "./cluster_fanout.ts";
import { HttpError } from "./errors.ts";
import { forwardToOwner } from "./forward.ts";
import type { Operation } from "./openapi.ts";
import { languageOf } from "./recommendation_routes.ts";
import { requireUser, type UserAuthEnv } from "./user_auth.ts";

/** Cohorts smaller than this are not compared, so an aggregate never describes one person. */
export const MIN_COHORT = 10;
/** Clients decided per comparison at most. */
export const MAX_COHORT = 2_000;
const COMPARISON_TTL_MS = 30_000;
/** How long the answering node waits for another node's part of a comparison. */
const PEER_TIMEOUT_MS = 20_000;
const LANG = { name: "lang", in: "query" as const, schema: { type: "string", enum: ["ru", "en"] } };

/** Documented operations of this module. */
export const ANALYTICS_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/v1/products",
    summary: "The bank's offers: code, name in the asked language, family, credit and partner flags",
    tag: "analytics",
    parameters: [LANG],
    responses: { "200": { description: "Products" } },
  },
  {
    method: "get",
    path: "/v1/analytics/models",
    summary:
      "Measured model comparison on held-out clients: Qini, AUUC, uplift@k, incremental conversions, " +
      "Qini curves (uplift vs T/S-learners, propensity, rules, CF, LLM, oracle)",
    tag: "analytics",
    responses: { "200": { description: "Comparison" }, "404": { description: "No evaluation was shipped" } },
  },
  {
    method: "get",
    path: "/v1/analytics/clusters",
    summary: "Client clusters: features used and each centroid in the features' own units, with sizes",
    tag: "analytics",
    responses: { "200": { description: "Clusters" }, "503": { description: "No models loaded" } },
  },
  {
    method: "get",
    path: "/v1/users/:id/analytics",
    summary:
      "One bank client's profile features against each offer's median holder profile, and their cluster",
    tag: "analytics",
    parameters: [
      { name: "id", in: "path", required: true, schema: { type: "string", maxLength: 128 } },
      LANG,
    ],
    responses: {
      "200": { description: "Profile comparison" },
      "401": { description: "No valid token" },
      "403": { description: "Another user's token" },
      "404": { description: "Not a bank client" },
    },
  },
  {
    method: "get",
    path: "/v1/analytics/strategies",
    summary:
      "Approach testing: a cohort of bank clients decided by each strategy (uplift, propensity, rules) on " +
      "every live node, with the model's expected incremental conversions; aggregates only",
    tag: "analytics",
    parameters: [
      {
        name: "cohort",
        in: "query",
        schema: { type: "string", pattern: "^(all|segment:.+|cluster:[0-9]+)$" },
      },
      { name: "k", in: "query", schema: { type: "integer", minimum: 1, maximum: 5 } },
      {
        name: "scope",
        in: "query",
        schema: { type: "string", enum: ["cluster", "node"] },
      },
      LANG,
    ],
    responses: {
      "200": { description: "Expected outcome per strategy" },
      "401": { description: "No valid token" },
      "403": { description: "scope=node without the admin token" },
      "422": { description: "Cohort smaller than the minimum" },
    },
  },
  {
    method: "get",
    path: "/v1/analytics/experiment",
    summary:
      "The live experiment between strategies: per arm, bank clients, those shown an offer since the " +
      "start, and those of them with an attributed conversion, the rate and its difference to the first arm " +
      "(95 % interval), over every live node; aggregates only",
    tag: "analytics",
    parameters: [{ name: "scope", in: "query", schema: { type: "string", enum: ["cluster", "node"] } }],
    responses: {
      "200": { description: "Outcome per arm" },
      "401": { description: "No valid token" },
      "403": { description: "scope=node without the admin token" },
      "404": { description: "No experiment is running" },
    },
  },
];

function parseCohort(text: string): Cohort {
  if (text === "all") return { kind: "all" };
  if (text.startsWith("segment:")) {
    const segment = text.slice("segment:".length);
    if (!(SEGMENTS as readonly string[]).includes(segment)) {
      throw new HttpError(400, `segment must be one of ${SEGMENTS.join(", ")}`);
    }
    return { kind: "segment", segment };
  }
  const cluster = /^cluster:([0-9]{1,2})$/.exec(text);
  if (cluster) return { kind: "cluster", cluster: Number(cluster[1]) };
  throw new HttpError(400, 'cohort must be "all", "segment:<segmento>" or "cluster:<n>"');
}

/** Whether another node's answer has the shape of a node part (users, and rows with product counts). */
export function isNodePart(view: unknown): view is { nodeId: string } & StrategyComparison {
  const part = view as Partial<StrategyComparison & { nodeId: unknown }> | null;
  return typeof part?.nodeId === "string" && Number.isInteger(part.users) && Array.isArray(part.strategies) &&
    part.strategies.every((row) =>
      STRATEGIES.includes(row?.strategy) && Number.isFinite(row.contacts) &&
      Number.isFinite(row.expectedIncremental) && Number.isFinite(row.expectedConversions) &&
      Number.isFinite(row.expectedWithoutOffer) && Number.isFinite(row.negativeUpliftContacts) &&
      Array.isArray(row.products) &&
      row.products.every((product) =>
        typeof product?.productId === "string" && Number.isInteger(product.count)
      )
    );
}

/** Whether another node's answer has the shape of its experiment counts. */
export function isArmPart(view: unknown): view is { nodeId: string; arms: ArmOutcome[] } {
  const part = view as { nodeId?: unknown; arms?: unknown } | null;
  return typeof part?.nodeId === "string" && Array.isArray(part.arms) &&
    part.arms.every((arm: Partial<ArmOutcome> | null) =>
      STRATEGIES.includes(arm?.strategy as Strategy) &&
      [arm?.users, arm?.exposed, arm?.impressions, arm?.converted].every((n) =>
        Number.isInteger(n) && n! >= 0
      )
    );
}

function requireScorer(deps: AppDeps) {
  const scorer = deps.models.scorer;
  if (!scorer) throw new HttpError(503, "no trained models are loaded");
  return scorer;
}

/** Registers the analytics endpoints. */
export function registerAnalyticsRoutes(app: Hono, deps: AppDeps): void {
  const anyUser = requireUser(deps.userTokens, () => deps.adminToken, deps.now);
  const sameUser = requireUser(deps.userTokens, () => deps.adminToken, deps.now, "id");
  const comparison = loadModelComparison();
  const cache = new Map<string, { atMs: number; body: Promise<unknown> }>();
  // Each comparison scores the whole cohort: a recent one is reused rather than let a client loop on it.
  const cached = <T>(key: string, compute: () => Promise<T>): Promise<T> => {
    const hit = cache.get(key);
    if (hit && deps.now() - hit.atMs <= COMPARISON_TTL_MS) return hit.body as Promise<T>;
    const body = compute();
    cache.set(key, { atMs: deps.now(), body });
    body.catch(() => cache.delete(key));
    return body;
  };

  app.get("/v1/products", (c) => {
    const lang = languageOf(c);
    return c.json({
      products: PRODUCTS.map((product) => ({
        productId: product.code,
        name: product.name[lang],
        family: product.family,
        credit: product.credit,
        santander: product.santander,
        partner: product.family === "partner",
      })),
    });
  });

  app.get("/v1/analytics/models", async (c) => {
    const loaded = await comparison;
    if (!loaded.ok) return c.json({ error: "no model evaluation is available", reason: loaded.reason }, 404);
    return c.json(loaded.value);
  });

  app.get("/v1/analytics/clusters", (c) => c.json(clusterView(requireScorer(deps))));

  app.get("/v1/users/:id/analytics", sameUser, forwardToOwner(deps), async (c) => {
    const scorer = requireScorer(deps);
    const actor = await deps.supervisor.activate(c.req.param("id"));
    if (!actor.bank) return c.json({ error: "profile analytics cover bank clients only" }, 404);
    return c.json({ userId: actor.userId, ...clientProfile(scorer, actor, deps.now(), languageOf(c)) });
  });

  app.get("/v1/analytics/strategies", anyUser, async (c: Context<UserAuthEnv>) => {
    const scorer = requireScorer(deps);
    const cohortText = c.req.query("cohort") ?? "all";
    const cohort = parseCohort(cohortText);
    const k = Number(c.req.query("k") ?? "3");
    if (!Number.isInteger(k) || k < 1 || k > 5) throw new HttpError(400, "k must be an integer from 1 to 5");
    const scope = c.req.query("scope") ?? "cluster";
    if (scope !== "cluster" && scope !== "node") {
      throw new HttpError(400, 'scope must be "cluster" or "node"');
    }
    // One node's part may describe fewer clients than the minimum: only nodes (the admin token) ask for it.
    if (scope === "node" && c.get("principal").kind !== "service") {
      throw new HttpError(403, "scope=node is for the engine's own nodes");
    }
    const lang = languageOf(c);
    // This node's bank clients: the ones whose partition it owns (other nodes answer for theirs).
    const nodePart = () =>
      cached(`node|${cohortText}|${k}|${lang}`, async () => {
        const started = performance.now();
        const nowMs = deps.now();
        const ids = await bankUserIds(deps.sql, MAX_COHORT * 4);
        const result = await compareStrategies({
          supervisor: deps.supervisor,
          scorer,
          recommender: deps.recommender,
        }, {
          userIds: ids.filter((id) =>
            deps.ownership.epochOf(partitionFor(id, deps.partitionCount)) !== undefined
          )
            .slice(0, MAX_COHORT),
          cohort,
          k,
          nowMs,
          lang,
        });
        return {
          scope: "node",
          nodeId: deps.nodeId,
          cohort: cohortText,
          k,
          computedAt: new Date(nowMs).toISOString(),
          computeMs: performance.now() - started,
          ...result,
        };
      });
    if (scope === "node") return c.json(await nodePart());
    const body = await cached(`cluster|${cohortText}|${k}|${lang}`, async () => {
      const started = performance.now();
      const query = new URLSearchParams({ scope: "node", cohort: cohortText, k: String(k), lang });
      const [local, peers] = await Promise.all([
        nodePart(),
        askPeers<unknown>(
          deps,
          `/v1/analytics/strategies?${query}`,
          PEER_TIMEOUT_MS,
        ),
      ]);
      // A peer on another version may answer in another shape: it counts as not answering.
      const usable = peers.views.filter(isNodePart);
      const parts = [local, ...usable];
      return {
        scope: "cluster",
        cohort: cohortText,
        k,
        computedAt: local.computedAt,
        computeMs: performance.now() - started,
        nodes: parts.map((part) => ({ nodeId: part.nodeId, users: part.users })),
        // Their clients are missing from the totals; the panel says so.
        unreachable: [
          ...peers.unreachable,
          ...peers.views.filter((view) => !isNodePart(view)).map((view) =>
            String((view as { nodeId?: unknown } | null)?.nodeId ?? "?")
          ),
        ],
        ...mergeComparisons(parts),
      };
    });
    if (body.users < MIN_COHORT) {
      return c.json({
        error: `the cohort has ${body.users} resident clients; at least ${MIN_COHORT} are needed`,
      }, 422);
    }
    return c.json(body);
  });

  app.get("/v1/analytics/experiment", anyUser, async (c: Context<UserAuthEnv>) => {
    const experiment = deps.recommender.experiment;
    if (experiment === null) throw new HttpError(404, "no experiment is running (EXPERIMENT_ID is not set)");
    const scope = c.req.query("scope") ?? "cluster";
    if (scope !== "cluster" && scope !== "node") {
      throw new HttpError(400, 'scope must be "cluster" or "node"');
    }
    if (scope === "node" && c.get("principal").kind !== "service") {
      throw new HttpError(403, "scope=node is for the engine's own nodes");
    }
    // This node's bank clients: the ones whose partition it owns (other nodes count theirs).
    const nodePart = () =>
      cached("experiment|node", async () => {
        const ids = await bankUserIds(deps.sql, MAX_COHORT * 4);
        const owned = ids.filter((id) =>
          deps.ownership.epochOf(partitionFor(id, deps.partitionCount)) !== undefined
        );
        return {
          nodeId: deps.nodeId,
          arms: countArms(experiment, await activateAll(deps.supervisor, owned)),
        };
      });
    if (scope === "node") return c.json({ scope: "node", ...(await nodePart()) });
    const body = await cached("experiment|cluster", async () => {
      const [local, peers] = await Promise.all([
        nodePart(),
        askPeers<unknown>(deps, "/v1/analytics/experiment?scope=node", PEER_TIMEOUT_MS),
      ]);
      const usable = peers.views.filter(isArmPart);
      const parts = [local, ...usable];
      return {
        experiment: {
          id: experiment.id,
          arms: experiment.arms,
          startedAt: new Date(experiment.startMs).toISOString(),
        },
        scope: "cluster",
        nodes: parts.map((part) => ({
          nodeId: part.nodeId,
          users: part.arms.reduce((sum, arm) => sum + arm.users, 0),
        })),
        unreachable: [
          ...peers.unreachable,
          ...peers.views.filter((view) => !isArmPart(view)).map((view) =>
            String((view as { nodeId?: unknown } | null)?.nodeId ?? "?")
          ),
        ],
        // Rates need MIN_COHORT exposed clients in an arm: fewer would describe people, and say nothing.
        arms: armResults(mergeArms(experiment, parts.map((part) => part.arms)), MIN_COHORT),
      };
    });
    return c.json(body);
  });
}
