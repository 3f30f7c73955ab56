/**
 * Any node answers for any user: requests for a user owned elsewhere are
 * proxied to the owning node (one hop, marked with a header so a moving
 * partition cannot make requests loop).
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import type { AppDeps } from "./deps.ts";
import type { Route } from "../cluster/router.ts";
import { constantTimeEqual } from "./auth.ts";
import { CLIENT_IP_HEADER, clientAddress, FORWARD_PROOF_HEADER, forwardProof } from "./client_address.ts";

/** Header marking a request another node already forwarded. */
export const FORWARDED_HEADER = "x-engine-forwarded-by";
/** Header naming the node that answered. */
export const NODE_HEADER = "x-engine-node";
const USER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const HOP_HEADERS = ["authorization", "content-type", "accept", "x-request-id"];

/**
 * Serves locally when this node owns the user, else forwards to the owner.
 * The user is the `:id` path parameter unless `userOf` names it (the chat's
 * user comes from its token).
 */
// deno-lint-ignore no-explicit-any
export function forwardToOwner(deps: AppDeps, userOf?: (c: Context<any>) => string): MiddlewareHandler {
  return async (c, next) => {
    const userId = userOf ? userOf(c) : c.req.param("id") ?? "";
    if (!USER_ID.test(userId)) return c.json({ error: "invalid user id" }, 400);
    let route: Route;
    try {
      route = await deps.router.route(userId);
    } catch (error) {
      // No routing table yet and Postgres is away: the owner cannot be found now, so retry shortly.
      deps.logger.log("warn", "routing failed", { error: String(error) });
      return moving(c, deps.router.partitionOf(userId));
    }
    if (route.local) {
      // The lease is usually held already: then there is nothing to wait for, and no timer to arm per request.
      let owned = deps.ownership.epochOf(route.partition) !== undefined;
      if (!owned) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        owned = await Promise.race([
          deps.ownership.ensureOwned(route.partition),
          new Promise<boolean>((resolve) => timer = setTimeout(resolve, 3_000, false)),
        ]).finally(() => clearTimeout(timer));
      }
      if (owned) {
        c.header(NODE_HEADER, deps.nodeId);
        return await next();
      }
      return moving(c, route.partition);
    }
    if (route.url === null || forwardedByNode(c, deps.adminToken)) return moving(c, route.partition);
    return await proxy(c, deps, route.url, route.partition);
  };
}

/**
 * A request another node forwarded: it names the node and carries the proof only nodes can make. A
 * client that sends the header itself is served like any other (forwarded once), not told to retry.
 */
function forwardedByNode(c: Context, adminToken: string): boolean {
  return c.req.header(FORWARDED_HEADER) !== undefined &&
    constantTimeEqual(c.req.header(FORWARD_PROOF_HEADER) ?? "", forwardProof(adminToken));
}

function moving(c: Context, partition: number) {
  c.header("Retry-After", "1");
  return c.json({ error: "partition is moving between nodes, retry shortly", partition }, 503);
}

async function proxy(c: Context, deps: AppDeps, baseUrl: string, partition: number) {
  const url = new URL(c.req.url);
  const headers = new Headers({ [FORWARDED_HEADER]: deps.nodeId });
  for (const name of HOP_HEADERS) {
    const value = c.req.header(name);
    if (value !== undefined) headers.set(name, value);
  }
  // The owner's per-address limit counts the client, not this node; the proof shows a node set it.
  const client = clientAddress(c, {
    trustProxyHops: deps.rateLimiter.trustProxyHops,
    adminToken: deps.adminToken,
  });
  headers.set(FORWARD_PROOF_HEADER, forwardProof(deps.adminToken));
  if (client !== null) headers.set(CLIENT_IP_HEADER, client);
  const hasBody = c.req.method !== "GET" && c.req.method !== "HEAD";
  // The timeout covers the owner's response headers only: streams (chat, notifications) may then run long.
  // A caller that goes away cancels the forwarded request too.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error("owner did not answer in time")), 5_000);
  const onGone = () => controller.abort(new Error("caller went away"));
  c.req.raw.signal.addEventListener("abort", onGone, { once: true });
  try {
    const response = await fetch(new URL(url.pathname + url.search, baseUrl), {
      method: c.req.method,
      headers,
      body: hasBody ? await c.req.arrayBuffer() : undefined,
      signal: controller.signal,
    });
    return new Response(response.body, { status: response.status, headers: response.headers });
  } catch (error) {
    c.req.raw.signal.removeEventListener("abort", onGone);
    deps.router.invalidate();
    deps.logger.log("warn", "forward failed", { target: baseUrl, error: String(error) });
    return moving(c, partition);
  } finally {
    clearTimeout(timer);
  }
}
