/**
 * Rate limits: token buckets per user and per client address. A bucket holds
 * up to a minute's allowance and refills continuously, so a client may burst
 * and then keeps to the rate. A refused request is `429` with `Retry-After`
 * and a reason. Memory is bounded: buckets live in one map in least-recently-
 * used order, a bucket idle long enough to be full again is the same as no
 * bucket and is dropped, and beyond `maxKeys` the least recently used go.
 *
 * Applied to `/v1/*` except the ingest endpoint; requests with the admin
 * token (services, other nodes) are not limited. A chat turn takes
 * `chatCost` tokens: it may call an LLM.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { constantTimeEqual } from "./auth.ts";
import { clientAddress } from "./client_address.ts";
import type { TokenCheck } from "./user_auth.ts";

/** The outcome of taking tokens. */
export type Take = { ok: true } | { ok: false; retryAfterMs: number };

const OK: Take = Object.freeze({ ok: true });
/** Verified tokens the limiter remembers, so a known client costs no verification. */
const MAX_KNOWN_TOKENS = 10_000;

interface Bucket {
  tokens: number;
  atMs: number;
}

/** Token buckets by key with bounded memory. */
export class TokenBuckets {
  #capacity: number;
  #perMs: number;
  #maxKeys: number;
  #buckets = new Map<string, Bucket>();

  constructor(options: { perMinute: number; burst?: number; maxKeys?: number }) {
    if (!(options.perMinute > 0)) throw new RangeError("perMinute must be positive");
    this.#capacity = options.burst ?? options.perMinute;
    this.#perMs = options.perMinute / 60_000;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** Buckets held. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes `cost` tokens from `key`'s bucket, or says how long until it could. */
  take(key: string, cost: number, nowMs: number): Take {
    const need = Math.min(cost, this.#capacity);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      this.#evictIdle(nowMs);
      bucket = { tokens: this.#capacity, atMs: nowMs };
      this.#buckets.set(key, bucket);
      while (this.#buckets.size > this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
    } else {
      const elapsed = nowMs - bucket.atMs;
      // Least-recently-used order to the second: a busy key is not moved on every request.
      if (elapsed >= 1_000) {
        this.#buckets.delete(key);
        this.#buckets.set(key, bucket);
      }
      bucket.tokens = Math.min(this.#capacity, bucket.tokens + elapsed * this.#perMs);
      bucket.atMs = nowMs;
    }
    if (bucket.tokens < need) {
      return { ok: false, retryAfterMs: Math.ceil((need - bucket.tokens) / this.#perMs) };
    }
    bucket.tokens -= need;
    return OK;
  }

  /** Drops the oldest buckets while they have refilled completely (a few per new key). */
  #evictIdle(nowMs: number): void {
    for (let i = 0; i < 4; i++) {
      const first = this.#buckets.entries().next();
      if (first.done) return;
      const [key, bucket] = first.value;
      if (bucket.tokens + (nowMs - bucket.atMs) * this.#perMs < this.#capacity) return;
      this.#buckets.delete(key);
    }
  }
}

/** What the limiter needs from the engine. */
export interface RateLimitOptions {
  userPerMinute: number;
  ipPerMinute: number;
  chatCost: number;
  trustProxyHops: number;
  adminToken: () => string;
  /** Verifies a user token (the same verifier the routes use). */
  verify(token: string, nowMs: number): Promise<TokenCheck>;
  now(): number;
}

/** What the limiter looks at in a request. */
export interface LimitedRequest {
  path: string;
  /** The `Authorization` header. */
  authorization: string | null | undefined;
  /** The client's address key (`client_address.ts`), or null when unknown. */
  address: string | null;
}

/** Why a request is refused. */
export interface Refusal {
  retryAfterSeconds: number;
  reason: string;
}

/**
 * Per-user and per-address limits over `/v1/*`; limits of 0 are off. One
 * instance serves every entry point of a node (the Hono middleware below, and
 * any handler that answers before Hono), so a client has one budget.
 */
export class RateLimiter {
  #options: RateLimitOptions;
  #byUser: TokenBuckets | null;
  #byAddress: TokenBuckets | null;
  /** Verified tokens, so a known client costs no verification here (the route verifies on its own). */
  #known = new Map<string, { userId: string; expiresAtMs: number }>();
  /** Requests a handler before Hono charged and then left to Hono, with the outcome. */
  #charged = new WeakMap<Request, Refusal | null>();

  constructor(options: RateLimitOptions) {
    this.#options = options;
    this.#byUser = options.userPerMinute > 0 ? new TokenBuckets({ perMinute: options.userPerMinute }) : null;
    this.#byAddress = options.ipPerMinute > 0 ? new TokenBuckets({ perMinute: options.ipPerMinute }) : null;
  }

  /** Proxies trusted in front of the node (for reading the client's address). */
  get trustProxyHops(): number {
    return this.#options.trustProxyHops;
  }

  /** Whether addresses are limited (else the caller need not work out the address). */
  get limitsAddresses(): boolean {
    return this.#byAddress !== null;
  }

  /**
   * Charges a request; null lets it through. Synchronous unless a user token
   * not seen before has to be verified.
   */
  check(request: LimitedRequest): Refusal | null | Promise<Refusal | null> {
    if (request.path === "/v1/events") return null;
    const authorization = request.authorization;
    const bearer = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
    if (bearer !== undefined && constantTimeEqual(bearer, this.#options.adminToken())) return null;
    const nowMs = this.#options.now();
    const cost = request.path === "/v1/chat" ? this.#options.chatCost : 1;
    if (this.#byAddress !== null && request.address !== null) {
      const taken = this.#byAddress.take(request.address, cost, nowMs);
      if (!taken.ok) return refusal(taken.retryAfterMs, "from this address");
    }
    if (this.#byUser === null || bearer === undefined) return null;
    const hit = this.#known.get(bearer);
    if (hit !== undefined && hit.expiresAtMs > nowMs) return this.#chargeUser(hit.userId, cost, nowMs);
    return this.#options.verify(bearer, nowMs).then((check) => {
      // An invalid token is the route's to refuse (401); only a known user has a bucket.
      if (!check.ok) return null;
      if (this.#known.size >= MAX_KNOWN_TOKENS) this.#known.delete(this.#known.keys().next().value!);
      this.#known.set(bearer, { userId: check.userId, expiresAtMs: check.expiresAtMs });
      return this.#chargeUser(check.userId, cost, nowMs);
    });
  }

  /**
   * Records that a handler in front of Hono charged `request` with this
   * outcome and leaves it to Hono: the middleware then answers the same
   * refusal, or lets it through, without charging it again.
   */
  markCharged(request: Request, outcome: Refusal | null): void {
    this.#charged.set(request, outcome);
  }

  /** The outcome {@linkcode RateLimiter.markCharged} recorded for `request`, if any (once). */
  takeCharged(request: Request): Refusal | null | undefined {
    const outcome = this.#charged.get(request);
    if (outcome !== undefined) this.#charged.delete(request);
    return outcome;
  }

  #chargeUser(userId: string, cost: number, nowMs: number): Refusal | null {
    const taken = this.#byUser!.take(userId, cost, nowMs);
    return taken.ok ? null : refusal(taken.retryAfterMs, "for this user");
  }
}

function refusal(retryAfterMs: number, whose: string): Refusal {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return { retryAfterSeconds: seconds, reason: `too many requests ${whose}; retry in ${seconds} s` };
}

/** The `429` answer for a refusal (for handlers outside Hono too). */
export function refusalResponse(refused: Refusal): Response {
  return new Response(
    JSON.stringify({
      error: "rate limited",
      reason: refused.reason,
      retryAfterSeconds: refused.retryAfterSeconds,
    }),
    {
      status: 429,
      headers: { "content-type": "application/json", "retry-after": String(refused.retryAfterSeconds) },
    },
  );
}

/** The `/v1/*` middleware over a {@linkcode RateLimiter}. */
export function rateLimit(limiter: RateLimiter, adminToken: () => string): MiddlewareHandler {
  return async (c, next) => {
    const charged = limiter.takeCharged(c.req.raw);
    if (charged !== undefined) {
      if (charged !== null) return refusalResponse(charged);
      return await next();
    }
    const address = limiter.limitsAddresses
      ? clientAddress(c, { trustProxyHops: limiter.trustProxyHops, adminToken: adminToken() })
      : null;
    let refused = limiter.check({ path: c.req.path, authorization: c.req.header("authorization"), address });
    if (refused instanceof Promise) refused = await refused;
    if (refused !== null) return refusalResponse(refused);
    await next();
  };
}
