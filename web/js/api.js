/**
 * The engine's HTTP API as the app uses it: JSON requests with the session's
 * bearer token, and Server-Sent Events read from a fetch body (EventSource
 * cannot send an Authorization header).
 *
 * @module
 */

import { session } from "./session.js";

/** An API answer that was not 2xx, with the server's reason. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {Record<string, unknown>} body
   */
  constructor(status, body) {
    super(String(body.reason ?? body.error ?? `HTTP ${status}`));
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }
}

/**
 * Calls the API and returns parsed JSON; throws {@link ApiError} otherwise.
 * `token` overrides the session's (the ops view passes the admin token).
 *
 * @param {string} path
 * @param {{method?: string, body?: unknown, token?: string | null, signal?: AbortSignal}} [options]
 * @returns {Promise<any>}
 */
export async function api(path, options = {}) {
  const headers = new Headers({ accept: "application/json" });
  const token = options.token !== undefined ? options.token : session()?.token;
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (options.body !== undefined) headers.set("content-type", "application/json");
  const response = await fetch(path, {
    method: options.method ?? (options.body !== undefined ? "POST" : "GET"),
    headers,
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    signal: options.signal,
  });
  const text = await response.text();
  let body = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { error: text.slice(0, 200) };
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/**
 * Opens an SSE stream (GET, or POST with a JSON body) and calls `onEvent`
 * for each event with its name and parsed data. Resolves when the stream ends.
 *
 * @param {string} path
 * @param {{body?: unknown, signal?: AbortSignal, onOpen?: () => void,
 *   onEvent: (name: string, data: any) => void}} options
 */
export async function stream(path, options) {
  const headers = new Headers({ accept: "text/event-stream" });
  const token = session()?.token;
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (options.body !== undefined) headers.set("content-type", "application/json");
  const response = await fetch(path, {
    method: options.body !== undefined ? "POST" : "GET",
    headers,
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    signal: options.signal,
  });
  if (!response.ok || !response.body) {
    let body = {};
    try {
      body = await response.json();
    } catch {
      // Not JSON: the status says enough.
    }
    throw new ApiError(response.status, body);
  }
  options.onOpen?.();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      dispatch(block, options.onEvent);
    }
  }
  if (buffer.trim()) dispatch(buffer, options.onEvent);
}

/**
 * @param {string} block
 * @param {(name: string, data: any) => void} onEvent
 */
function dispatch(block, onEvent) {
  let name = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  }
  if (data.length === 0) return;
  const text = data.join("\n");
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Plain text data stays a string.
  }
  onEvent(name, parsed);
}
