/**
 * Security headers on every response of the API (the web app's pages and
 * assets get their own, stricter set in `web_routes.ts`, which this keeps):
 * no MIME sniffing, no referrer, no framing, a Content-Security-Policy that
 * lets a JSON answer load nothing, and `Cache-Control: no-store` on user and
 * admin data so no shared cache or browser disk keeps it. HSTS is sent when
 * the request reached the engine over HTTPS.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";

/** The policy of API responses: nothing may load, nothing may frame them. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";
/** HSTS, sent when the request came over HTTPS. */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains";

/**
 * What {@linkcode securityHeaders} adds to a `/v1/` or `/admin/` JSON answer
 * whose route set none of them, for code that builds such a response itself
 * (a handler that answers before Hono).
 */
export function apiSecurityHeaders(https: boolean): [string, string][] {
  const headers: [string, string][] = [
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "no-referrer"],
    ["X-Frame-Options", "DENY"],
    ["Content-Security-Policy", API_CONTENT_SECURITY_POLICY],
    ["Cache-Control", "no-store"],
  ];
  if (https) headers.push(["Strict-Transport-Security", STRICT_TRANSPORT_SECURITY]);
  return headers;
}

/** Adds the headers after the handler ran, without replacing ones a route chose. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set("X-Content-Type-Options", "nosniff");
    if (!headers.has("Referrer-Policy")) headers.set("Referrer-Policy", "no-referrer");
    if (!headers.has("X-Frame-Options")) headers.set("X-Frame-Options", "DENY");
    if (!headers.has("Content-Security-Policy")) {
      headers.set("Content-Security-Policy", API_CONTENT_SECURITY_POLICY);
    }
    const path = c.req.path;
    if (path.startsWith("/v1/") || path.startsWith("/admin/") || path === "/v1") {
      headers.set("Cache-Control", "no-store");
    }
    if (c.req.url.startsWith("https:")) {
      headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
    }
  };
}
