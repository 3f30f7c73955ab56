/**
 * End-user authentication. Tokens are compact HS256 JWTs: in demo mode the
 * engine issues them itself ("login by ID"); in jwt mode they come from the
 * bank's identity provider and are only verified here. Either way a token
 * names one user (`sub`), and user endpoints serve that user only. Services
 * holding the admin token may act for any user.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { constantTimeEqual } from "./auth.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Lifetime of a demo token. */
export const DEMO_TOKEN_TTL_MS = 12 * 60 * 60_000;
const MAX_TOKEN_CHARS = 4096;

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - text.length % 4) % 4));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

/** The outcome of verifying a user token. */
export type TokenCheck =
  | { ok: true; userId: string; expiresAtMs: number }
  | { ok: false; reason: string };

/** Verified tokens remembered at most (oldest forgotten first). */
export const MAX_VERIFIED_TOKENS = 10_000;

/**
 * Signs and verifies HS256 user tokens with one secret. A token that verified
 * is remembered (by its exact text, signature included) until it expires, so
 * a client's later requests skip the base64, JSON and HMAC work; only the
 * expiry is checked again.
 */
export class UserTokens {
  #key: Promise<CryptoKey>;
  #issuer: string;
  #verified = new Map<string, { userId: string; expiresAtMs: number }>();

  constructor(secret: string, options: { issuer?: string } = {}) {
    this.#key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    this.#issuer = options.issuer ?? "engine-demo";
  }

  /** Issues a token for `userId` valid for `ttlMs`. */
  async issue(
    userId: string,
    nowMs: number,
    ttlMs = DEMO_TOKEN_TTL_MS,
  ): Promise<{ token: string; expiresAtMs: number }> {
    const expiresAtMs = nowMs + ttlMs;
    const header = base64url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
    const payload = base64url(encoder.encode(JSON.stringify({
      sub: userId,
      iss: this.#issuer,
      iat: Math.floor(nowMs / 1000),
      exp: Math.floor(expiresAtMs / 1000),
    })));
    const signature = await crypto.subtle.sign(
      "HMAC",
      await this.#key,
      encoder.encode(`${header}.${payload}`),
    );
    return { token: `${header}.${payload}.${base64url(new Uint8Array(signature))}`, expiresAtMs };
  }

  /**
   * What {@linkcode UserTokens.verify} answers for a token it verified before
   * and that has not expired, without waiting; undefined for any other token
   * (ask `verify`).
   */
  verifyKnown(token: string, nowMs: number): TokenCheck | undefined {
    const known = this.#verified.get(token);
    if (known === undefined || known.expiresAtMs <= nowMs) return undefined;
    return { ok: true, userId: known.userId, expiresAtMs: known.expiresAtMs };
  }

  /** Verifies a token's signature, algorithm and expiry. Never throws. */
  async verify(token: string, nowMs: number): Promise<TokenCheck> {
    if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: "token too large" };
    const known = this.#verified.get(token);
    if (known !== undefined) {
      if (known.expiresAtMs > nowMs) {
        return { ok: true, userId: known.userId, expiresAtMs: known.expiresAtMs };
      }
      this.#verified.delete(token);
      return { ok: false, reason: "token expired" };
    }
    const parts = token.split(".");
    if (parts.length !== 3) return { ok: false, reason: "malformed token" };
    const [headerText, payloadText, signatureText] = parts;
    const signature = fromBase64url(signatureText);
    const headerBytes = fromBase64url(headerText);
    const payloadBytes = fromBase64url(payloadText);
    if (!signature || !headerBytes || !payloadBytes) return { ok: false, reason: "malformed token" };
    let header: unknown;
    let payload: unknown;
    try {
      header = JSON.parse(decoder.decode(headerBytes));
      payload = JSON.parse(decoder.decode(payloadBytes));
    } catch {
      return { ok: false, reason: "malformed token" };
    }
    if (typeof header !== "object" || header === null || (header as { alg?: unknown }).alg !== "HS256") {
      return { ok: false, reason: "unsupported token algorithm" };
    }
    const valid = await crypto.subtle.verify(
      "HMAC",
      await this.#key,
      signature,
      encoder.encode(`${headerText}.${payloadText}`),
    );
    if (!valid) return { ok: false, reason: "bad token signature" };
    const claims = payload as { sub?: unknown; exp?: unknown };
    if (typeof claims.sub !== "string" || claims.sub.length === 0 || claims.sub.length > 128) {
      return { ok: false, reason: "token has no subject" };
    }
    if (typeof claims.exp !== "number" || claims.exp * 1000 <= nowMs) {
      return { ok: false, reason: "token expired" };
    }
    const verified = { userId: claims.sub, expiresAtMs: claims.exp * 1000 };
    if (this.#verified.size >= MAX_VERIFIED_TOKENS) {
      this.#verified.delete(this.#verified.keys().next().value!);
    }
    this.#verified.set(token, verified);
    return { ok: true, ...verified };
  }
}

/** Who the request acts for: a user from a token, or a service with the admin token. */
export type Principal = { kind: "user"; userId: string } | { kind: "service" };

/** Context variables the user guard sets. */
export type UserAuthEnv = { Variables: { principal: Principal } };

/**
 * Requires a user token (or the admin token). With `param`, the path
 * parameter must name the token's user: another user's data answers 403.
 */
export function requireUser(
  tokens: Pick<UserTokens, "verify">,
  adminToken: () => string,
  now: () => number,
  param?: string,
): MiddlewareHandler<UserAuthEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      c.header("WWW-Authenticate", 'Bearer realm="user"');
      return c.json({
        error: "unauthorized",
        reason: header ? "malformed authorization header" : "missing bearer token",
      }, 401);
    }
    if (constantTimeEqual(match[1], adminToken())) {
      c.set("principal", { kind: "service" });
      return await next();
    }
    const check = await tokens.verify(match[1], now());
    if (!check.ok) {
      c.header("WWW-Authenticate", 'Bearer realm="user", error="invalid_token"');
      return c.json({ error: "unauthorized", reason: check.reason }, 401);
    }
    if (param !== undefined && c.req.param(param) !== check.userId) {
      return c.json({ error: "forbidden", reason: "the token belongs to another user" }, 403);
    }
    c.set("principal", { kind: "user", userId: check.userId });
    await next();
  };
}
