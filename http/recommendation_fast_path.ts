/**
 * The hottest request, a user reading their own recommendations
 * (`GET /v1/users/:id/recommendations`), answered in front of the Hono
 * router when the decision cache already holds the answer for the actor's
 * current state. Hono's dispatch and the seven middlewares and handlers of
 * this route cost several times what the cached answer does; this path runs
 * the same checks, with the same effects, once.
 *
 * It serves only the plain case and returns null for everything else, before
 * it has changed anything, so Hono answers exactly as it would have: another
 * route or method, a path or query that needs decoding, `waitFor`, a parameter
 * the route would refuse or ignore, no or a malformed token, the admin token,
 * a token that does not verify or names another user, a partition not leased
 * here, an actor not resident, no cached answer, an impression that would be
 * recorded. Serving, it does what the route does, in effect:
 * - the per-address and per-user rate limits are charged through the same
 *   {@linkcode RateLimiter} (when that refuses, or the answer is gone once a
 *   token new to the limiter was verified, the request goes on to Hono marked
 *   as charged, and Hono answers without charging it twice);
 * - the actor is marked as used, as activating a resident actor does;
 * - the decision metrics count the cached decision, and the request metrics
 *   the request under the route's own label;
 * - the response has the route's body and headers: `content-type`,
 *   `x-engine-node`, the security headers, `x-request-id` (the caller's when
 *   well-formed, else a new one).
 *
 * `tests/recommendation_fast_path_test.ts` checks that both paths answer
 * alike.
 *
 * @module
 */

import type { CachedDecision } from "../engine/decision_cache.ts";
import type { Recommender, RecommendOptions } from "../engine/recommender.ts";
import type { Counter, Histogram } from "../obs/metrics.ts";
import { constantTimeEqual } from "./auth.ts";
import { clientAddressOf } from "./client_address.ts";
import type { AppDeps } from "./deps.ts";
import { NODE_HEADER } from "./forward.ts";
import type { Refusal } from "./rate_limit.ts";
import { EXPERIMENT_HEADER, experimentArm, parseRecommendationOptions } from "./recommendation_routes.ts";
import { requestIdFrom } from "./request_id.ts";
import { apiSecurityHeaders } from "./security_headers.ts";

/** The route's label in the request metrics. */
export const RECOMMENDATIONS_ROUTE = "/v1/users/:id/recommendations";

const PREFIX = "/v1/users/";
const SUFFIX = "/recommendations";
/** User ids the owner routing accepts, as in `forward.ts`; anything else is Hono's to refuse. */
const USER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const BEARER = /^Bearer\s+(\S+)$/i;
/** Query values served here: nothing to decode, nothing unusual. */
const PLAIN_VALUE = /^[A-Za-z0-9]{1,16}$/;
type QueryName = "k" | "lang" | "strategy" | "record";

/**
 * The answer to a plain warm recommendations read, or null to leave the
 * request to Hono; a promise of either when a token or the routing has to be
 * looked up first.
 */
export type FastPath = (request: Request, env: unknown) => Response | null | Promise<Response | null>;

/** What the fast path counts, shared with the Hono app's metrics middleware. */
export interface RequestMetrics {
  requests: Counter;
  latency: Histogram;
}

/** The query's values, or null when it holds anything but distinct plain `k`, `lang`, `strategy`, `record`. */
function plainQuery(query: string): Partial<Record<QueryName, string>> | null {
  const values: Partial<Record<QueryName, string>> = {};
  if (query === "") return values;
  for (const part of query.split("&")) {
    const equals = part.indexOf("=");
    const name = part.slice(0, equals);
    const value = part.slice(equals + 1);
    if (equals <= 0 || !PLAIN_VALUE.test(value)) return null;
    if (name !== "k" && name !== "lang" && name !== "strategy" && name !== "record") return null;
    if (values[name] !== undefined) return null;
    values[name] = value;
  }
  return values;
}

/** What the fast path serves: the path, the user, the options, and the experiment header when one decided. */
interface PlainRead {
  path: string;
  userId: string;
  options: RecommendOptions;
  experimentArm: string | null;
}

/** The path, user id and options of a plain recommendations read, or null. */
function parseRequest(request: Request, recommender: Recommender): PlainRead | null {
  const url = request.url;
  // As Hono reads the path: from the first "/" after the scheme to the query.
  const pathAt = url.indexOf("/", url.indexOf(":") + 4);
  if (pathAt < 0 || !url.startsWith(PREFIX, pathAt)) return null;
  const queryAt = url.indexOf("?", pathAt);
  const pathEnd = queryAt < 0 ? url.length : queryAt;
  if (!url.endsWith(SUFFIX, pathEnd)) return null;
  const userId = url.slice(pathAt + PREFIX.length, pathEnd - SUFFIX.length);
  if (!USER_ID.test(userId)) return null;
  const values = plainQuery(queryAt < 0 ? "" : url.slice(queryAt + 1));
  if (values === null) return null;
  const parsed = parseRecommendationOptions(
    (name) => values[name],
    request.headers.get("accept-language"),
    recommender.defaultStrategy(userId),
  );
  if (!parsed.ok) return null;
  const experiment = recommender.experiment;
  return {
    path: url.slice(pathAt, pathEnd),
    userId,
    options: parsed.options,
    experimentArm: !parsed.explicit && experiment !== null
      ? experimentArm(experiment.id, parsed.options)
      : null,
  };
}

/** Builds the fast path of an app over `deps`; `metrics` are the app's request metrics. */
export function recommendationFastPath(deps: AppDeps, metrics: RequestMetrics): FastPath {
  // The headers every answer has, as one object to copy (cheaper for Deno than a list of pairs).
  const headersOver = (https: boolean): Record<string, string> => {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      [NODE_HEADER]: deps.nodeId,
    };
    for (const [name, value] of apiSecurityHeaders(https)) headers[name.toLowerCase()] = value;
    return headers;
  };
  const plainHeaders = headersOver(false);
  const secureHeaders = headersOver(true);
  const limiter = deps.rateLimiter;
  const served = metrics.requests.series({ method: "GET", route: RECOMMENDATIONS_ROUTE, status: 200 });
  const latency = metrics.latency.series({ route: RECOMMENDATIONS_ROUTE });

  /** Serves `cached` now: everything from here on is what the route would do for this answer. */
  const serve = (
    request: Request,
    started: number,
    userId: string,
    partition: number,
    cached: CachedDecision,
    arm: string | null,
  ): Response => {
    // Marks the resident actor as used (its LRU place), as the route's activation does. The partition and
    // the actor were checked in this same step, and an answer is cached only for an actor that activated.
    deps.supervisor.touchResident(userId, partition);
    deps.recommender.countCached(cached);
    const requestId = requestIdFrom(request.headers.get("x-request-id"));
    const headers: Record<string, string> = request.url.startsWith("https:")
      ? { ...secureHeaders, "x-request-id": requestId }
      : { ...plainHeaders, "x-request-id": requestId };
    if (arm !== null) headers[EXPERIMENT_HEADER] = arm;
    served.inc();
    latency.observe((performance.now() - started) / 1000);
    return new Response(cached.body, { status: 200, headers });
  };

  /** The cached answer the route would serve right now, or null when it would do more than serve one. */
  const servable = (userId: string, partition: number, options: RecommendOptions): CachedDecision | null => {
    if (deps.ownership.epochOf(partition) === undefined) return null;
    const actor = deps.supervisor.peek(userId);
    if (actor === undefined) return null;
    const cached = deps.recommender.cached(actor, options);
    if (cached === undefined) return null;
    // An impression to record changes the actor: the route does that.
    if (options.record && actor.wouldRecordImpression(cached.productIds, deps.now())) return null;
    return cached;
  };

  /** The rest, once the token is known to name the user and the partition to be served here. */
  const answer = (
    request: Request,
    env: unknown,
    started: number,
    { path, userId, options, experimentArm: arm }: PlainRead,
    authorization: string,
    partition: number,
  ): Response | null | Promise<Response | null> => {
    const found = servable(userId, partition, options);
    if (found === null) return null;
    const address = limiter.limitsAddresses
      ? clientAddressOf(
        (name) => request.headers.get(name),
        (env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr?.hostname,
        { trustProxyHops: limiter.trustProxyHops, adminToken: deps.adminToken },
      )
      : null;
    const refused = limiter.check({ path, authorization, address });
    const finish = (refused: Refusal | null, cached: CachedDecision | null): Response | null => {
      if (refused === null && cached !== null) return serve(request, started, userId, partition, cached, arm);
      // Charged already: Hono answers (the refusal, or afresh) without charging again.
      limiter.markCharged(request, refused);
      return null;
    };
    // A token new to the limiter is verified there first; the answer may have changed meanwhile.
    if (refused instanceof Promise) {
      return refused.then((outcome) => finish(outcome, servable(userId, partition, options)));
    }
    return finish(refused, found);
  };

  /** After the user's token and partition were checked, possibly asynchronously. */
  const checked = async (
    request: Request,
    env: unknown,
    started: number,
    parsed: PlainRead,
    authorization: string,
    bearer: string,
  ): Promise<Response | null> => {
    const token = await deps.userTokens.verify(bearer, deps.now());
    if (!token.ok || token.userId !== parsed.userId) return null;
    const route = await deps.router.route(parsed.userId);
    if (!route.local) return null;
    return await answer(request, env, started, parsed, authorization, route.partition);
  };

  return (request, env) => {
    if (request.method !== "GET") return null;
    const started = performance.now();
    const parsed = parseRequest(request, deps.recommender);
    if (parsed === null) return null;
    const authorization = request.headers.get("authorization");
    const bearer = authorization === null ? undefined : BEARER.exec(authorization)?.[1];
    if (bearer === undefined || constantTimeEqual(bearer, deps.adminToken)) return null;
    // A client seen before and a partition held here: the whole answer without waiting on anything.
    const known = deps.userTokens.verifyKnown(bearer, deps.now());
    const partition = deps.router.localPartition(parsed.userId);
    if (known !== undefined && partition !== null) {
      if (!known.ok || known.userId !== parsed.userId) return null;
      return answer(request, env, started, parsed, authorization!, partition);
    }
    return checked(request, env, started, parsed, authorization!, bearer);
  };
}
