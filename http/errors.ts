/**
 * The one place that maps domain errors to HTTP status codes.
 *
 * @module
 */

import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ErasedUserError, NotOwnerError, StoreUnavailableError } from "../actors/supervisor.ts";

/** An error whose message is safe to show the caller, with its status. */
export class HttpError extends Error {
  constructor(readonly status: ContentfulStatusCode, message: string, readonly detail?: unknown) {
    super(message);
    this.name = "HttpError";
  }
}

/** Status and JSON body for any error thrown by a handler. */
export function errorResponse(
  error: unknown,
): { status: ContentfulStatusCode; body: Record<string, unknown> } {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: {
        error: error.message,
        // Field-level validation reasons go under `fields`, anything else under `detail`.
        ...(error.detail && error.message === "invalid request" ? { fields: error.detail } : {}),
        ...(error.detail && error.message !== "invalid request" ? { detail: error.detail } : {}),
      },
    };
  }
  if (error instanceof NotOwnerError) {
    return {
      status: 503,
      body: { error: "partition is moving between nodes, retry shortly", partition: error.partition },
    };
  }
  if (error instanceof StoreUnavailableError) {
    return {
      status: 503,
      body: { error: "the user's state could not be loaded now (database unreachable), retry shortly" },
    };
  }
  if (error instanceof ErasedUserError) {
    return { status: 410, body: { error: "this user was erased" } };
  }
  if (error instanceof Error && error.name === "PayloadTooLargeError") {
    return { status: 413, body: { error: "request body too large" } };
  }
  return { status: 500, body: { error: "internal error" } };
}
