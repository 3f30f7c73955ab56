/**
 * Bearer-token guards for service and admin endpoints.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";

const encoder = new TextEncoder();

/** Compares two strings in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  let difference = left.length ^ right.length;
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) difference |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return difference === 0;
}

/** Requires `Authorization: Bearer <token>`; answers 401 with a reason otherwise. */
export function requireBearer(token: () => string, realm: string): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header("authorization");
    const reason = !header
      ? "missing bearer token"
      : !/^Bearer\s+\S+$/i.test(header)
      ? "malformed authorization header"
      : !constantTimeEqual(header.replace(/^Bearer\s+/i, ""), token())
      ? "wrong token"
      : null;
    if (reason !== null) {
      c.header("WWW-Authenticate", `Bearer realm="${realm}"`);
      return c.json({ error: "unauthorized", reason }, 401);
    }
    await next();
  };
}
