/**
 * Reading JSON request bodies with a size cap and a clear error for each way
 * they go wrong.
 *
 * @module
 */

import type { Context } from "hono";
import { HttpError } from "./errors.ts";
import type { JsonSchema } from "./openapi.ts";
import { validate } from "./schema.ts";

/** Default cap for user-facing JSON bodies. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/** Reads the body as JSON, at most `maxBytes`; throws an {@linkcode HttpError} (413 or 400) otherwise. */
export async function readJson(c: Context, maxBytes = MAX_JSON_BODY_BYTES): Promise<unknown> {
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > maxBytes) throw new HttpError(413, "request body too large", { limitBytes: maxBytes });
  if (!c.req.raw.body) throw new HttpError(400, "missing JSON body");
  const bytes = await readAtMost(c.req.raw.body, maxBytes);
  if (bytes === null) throw new HttpError(413, "request body too large", { limitBytes: maxBytes });
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "body is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "malformed JSON");
  }
}

/**
 * Reads a whole stream, or stops (cancelling it) and answers null as soon as it passes `maxBytes`, so an
 * oversized body is never held in memory.
 */
export async function readAtMost(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/** Reads and validates a JSON body against `schema`; 400 with a reason per field otherwise. */
export async function readValid<T>(c: Context, schema: JsonSchema, maxBytes?: number): Promise<T> {
  const result = validate<T>(schema, await readJson(c, maxBytes));
  if (!result.ok) throw new HttpError(400, "invalid request", result.fields);
  return result.value;
}
