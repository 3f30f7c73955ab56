/**
 * Any node answers for any user: requests for a user owned elsewhere are
 * proxied to the owning node (one hop, marked with a header so a moving
 * partition cannot make requests loop).
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import type { AppDeps } from "./deps.ts";

/** Header marking a request another node already forwarded. */
export const FORWARDED_HEADER = "x-engine-forwarded-by";
/** Header naming the node that answered. */
export const NODE_HEADER = "x-engine-node";
const USER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const HOP_HEADERS = ["authorization", "content-type", "accept", "x-request-id"];

/** Serves locally when this node owns the user, else forwards to the owner. */
export function forwardToOwner(deps: AppDeps): MiddlewareHandler {
  return async (c, next) => {
    const userId = c.req.param("id") ?? "";
    if (!USER_ID.test(userId)) return c.json({ error: "invalid user id" }, 400);
    const route = await deps.router.route(userId);
    if (route.local) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const owned = await Promise.race([
        deps.ownership.ensureOwned(route.partition),
        new Promise<boolean>((resolve) => timer = setTimeout(resolve, 3_000, false)),
      ]).finally(() => clearTimeout(timer));
      if (owned) {
        c.header(NODE_HEADER, deps.nodeId);
        return await next();
      }
      return moving(c, route.partition);
    }
    if (route.url === null || c.req.header(FORWARDED_HEADER)) return moving(c, route.partition);
    return await proxy(c, deps, route.url, route.partition);
  };
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
  const hasBody = c.req.method !== "GET" && c.req.method !== "HEAD";
  try {
    const response = await fetch(new URL(url.pathname + url.search, baseUrl), {
      method: c.req.method,
      headers,
      body: hasBody ? await c.req.arrayBuffer() : undefined,
      signal: AbortSignal.timeout(5_000),
    });
    return new Response(response.body, { status: response.status, headers: response.headers });
  } catch (error) {
    deps.router.invalidate();
    deps.logger.log("warn", "forward failed", { target: baseUrl, error: String(error) });
    return moving(c, partition);
  }
}
