/**
 * Bearer-token guards for service and admin endpoints.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";

/**
 * Compares two strings in time that does not depend on where they differ.
 * UTF-16 code units are compared directly: equal strings have equal units, and
 * nothing is allocated on the per-request path.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    // Past the end of the shorter string charCodeAt is NaN; `| 0` makes it 0 without a branch on content.
    difference |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
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
