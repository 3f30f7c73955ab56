/**
 * One id per request, taken from the caller's `x-request-id` when
 * well-formed. It is logged, returned, forwarded to the owning node and
 * carried as a Kafka header on the events the request produces, so a dead
 * letter can be traced to the request that sent it.
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when well-formed, else a new one. */
export function requestIdFrom(given: string | null | undefined): string {
  return given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

/** Assigns the request id and echoes it in the response. */
export function assignRequestId(): MiddlewareHandler {
  return async (c, next) => {
    c.set("requestId" as never, requestIdFrom(c.req.header("x-request-id")) as never);
    await next();
    // On the response in place: `c.header` after the handler would copy the whole Response. The security
    // headers middleware inside this one sets its headers in place too, so every response here allows it.
    c.res.headers.set("x-request-id", requestIdOf(c));
  };
}

/** The request's id ("" outside the middleware). */
export function requestIdOf(c: Context): string {
  return (c.get("requestId" as never) as string | undefined) ?? "";
}
