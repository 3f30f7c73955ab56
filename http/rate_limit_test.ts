import assert from "node:assert/strict";
import { Hono } from "hono";
import { addressKey, CLIENT_IP_HEADER, FORWARD_PROOF_HEADER, forwardProof } from "./client_address.ts";
import { rateLimit, RateLimiter, refusalResponse, TokenBuckets } from "./rate_limit.ts";

Deno.test("TokenBuckets allow a burst, then the rate, and say when to retry", () => {
  const buckets = new TokenBuckets({ perMinute: 60 });
  for (let i = 0; i < 60; i++) assert.deepEqual(buckets.take("u", 1, 0), { ok: true });
  assert.deepEqual(buckets.take("u", 1, 0), { ok: false, retryAfterMs: 1000 });
  assert.deepEqual(buckets.take("u", 1, 1000), { ok: true }, "one token a second comes back");
  assert.deepEqual(buckets.take("u", 10, 1000), { ok: false, retryAfterMs: 10_000 });
  assert.deepEqual(buckets.take("other", 10, 1000), { ok: true }, "keys do not share a bucket");
});

Deno.test("TokenBuckets keep memory bounded: idle full buckets go, and the least recently used beyond the cap", () => {
  const buckets = new TokenBuckets({ perMinute: 60, maxKeys: 100 });
  for (let i = 0; i < 1000; i++) buckets.take(`k${i}`, 1, 0);
  assert.equal(buckets.size, 100);
  // A minute later every bucket is full again: taking from new keys sweeps the idle ones away.
  for (let i = 0; i < 30; i++) buckets.take(`late${i}`, 1, 60_000);
  assert.equal(buckets.size, 30, "only the 30 buckets in use remain");
});

Deno.test("addressKey groups IPv6 by /64 and unwraps IPv4-mapped addresses", () => {
  assert.equal(addressKey("203.0.113.7"), "203.0.113.7");
  assert.equal(addressKey("::ffff:203.0.113.7"), "203.0.113.7");
  assert.equal(addressKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  assert.equal(addressKey("[2001:0db8:0001:0002:ffff:ffff:ffff:ffff]"), "2001:db8:1:2::/64");
  assert.equal(addressKey("2001:db8::1"), "2001:db8:0:0::/64");
  assert.equal(addressKey(addressKey("2001:db8:1:2::9")), "2001:db8:1:2::/64");
});

function app(settings: { userPerMinute: number; ipPerMinute: number; trustProxyHops?: number }) {
  const now = { ms: 0 };
  const hono = new Hono();
  const limiter = new RateLimiter({
    ...settings,
    chatCost: 5,
    trustProxyHops: settings.trustProxyHops ?? 0,
    adminToken: () => "admin-token-123",
    verify: (token) =>
      Promise.resolve(
        token.startsWith("user-")
          ? { ok: true, userId: token, expiresAtMs: 1e15 }
          : { ok: false, reason: "bad" },
      ),
    now: () => now.ms,
  });
  hono.use("/v1/*", rateLimit(limiter, () => "admin-token-123"));
  hono.all("/v1/*", (c) => c.text("ok"));
  const call = (path: string, headers: Record<string, string> = {}, ip = "198.51.100.1", method = "GET") =>
    hono.request(path, { method, headers }, { remoteAddr: { hostname: ip, port: 1, transport: "tcp" } });
  return { call, now };
}

Deno.test("rateLimit answers 429 with Retry-After and a reason, per user and per address", async () => {
  const { call, now } = app({ userPerMinute: 3, ipPerMinute: 5 });
  const user = { authorization: "Bearer user-1" };
  for (let i = 0; i < 3; i++) assert.equal((await call("/v1/users/user-1", user)).status, 200);
  const limited = await call("/v1/users/user-1", user);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after"), "20");
  assert.deepEqual(await limited.json(), {
    error: "rate limited",
    reason: "too many requests for this user; retry in 20 s",
    retryAfterSeconds: 20,
  });
  // The same user from elsewhere is still one user; another user from here still has room.
  assert.equal((await call("/v1/users/user-1", user, "198.51.100.2")).status, 429);
  // This address has used 4 of its 5 tokens (3 answered, 1 refused for the user): one more, then no more.
  assert.equal((await call("/v1/users/user-2", { authorization: "Bearer user-2" })).status, 200);
  const byAddress = await call("/v1/users/user-2", { authorization: "Bearer user-2" });
  assert.equal(byAddress.status, 429);
  assert.match((await byAddress.json()).reason, /from this address/);
  // Services with the admin token and the ingest endpoint are not limited.
  assert.equal((await call("/v1/users/user-1", { authorization: "Bearer admin-token-123" })).status, 200);
  assert.equal((await call("/v1/events", {}, "198.51.100.1", "POST")).status, 200);
  now.ms = 20_000;
  assert.equal((await call("/v1/users/user-1", user, "198.51.100.3")).status, 200, "the bucket refilled");
});

Deno.test("rateLimit charges chat more, and trusts forwarded addresses only with the cluster's proof", async () => {
  const { call } = app({ userPerMinute: 100, ipPerMinute: 10 });
  assert.equal((await call("/v1/chat", {}, "192.0.2.1", "POST")).status, 200);
  assert.equal((await call("/v1/chat", {}, "192.0.2.1", "POST")).status, 200);
  assert.equal(
    (await call("/v1/chat", {}, "192.0.2.1", "POST")).status,
    429,
    "two turns of cost 5 used it up",
  );
  // A node forwarding for 192.0.2.9 proves it; a client claiming the header without the proof is itself.
  const forwarded = {
    [CLIENT_IP_HEADER]: "192.0.2.9",
    [FORWARD_PROOF_HEADER]: forwardProof("admin-token-123"),
  };
  for (let i = 0; i < 10; i++) assert.equal((await call("/v1/x", forwarded, "10.0.0.2")).status, 200);
  assert.equal(
    (await call("/v1/x", forwarded, "10.0.0.3")).status,
    429,
    "counted for the client, not the node",
  );
  const forged = { [CLIENT_IP_HEADER]: "192.0.2.77", [FORWARD_PROOF_HEADER]: "guess" };
  for (let i = 0; i < 10; i++) assert.equal((await call("/v1/x", forged, "10.9.9.9")).status, 200);
  assert.equal((await call("/v1/x", forged, "10.9.9.9")).status, 429, "the forger's own address was charged");
});

Deno.test("rateLimit behind trusted proxies reads the proxy's X-Forwarded-For entry, not the client's", async () => {
  const { call } = app({ userPerMinute: 100, ipPerMinute: 2, trustProxyHops: 1 });
  const spoofing = (client: string) => ({ "x-forwarded-for": `${client}, 203.0.113.50` });
  assert.equal((await call("/v1/x", spoofing("1.1.1.1"), "10.0.0.1")).status, 200);
  assert.equal((await call("/v1/x", spoofing("2.2.2.2"), "10.0.0.1")).status, 200);
  assert.equal(
    (await call("/v1/x", spoofing("3.3.3.3"), "10.0.0.1")).status,
    429,
    "the forged left entries do not count",
  );
});

Deno.test("RateLimiter.check serves handlers outside Hono: synchronous for a known token, one budget with the middleware", async () => {
  let verified = 0;
  const limiter = new RateLimiter({
    userPerMinute: 2,
    ipPerMinute: 0,
    chatCost: 10,
    trustProxyHops: 0,
    adminToken: () => "admin-token-123",
    verify: (token) => {
      verified++;
      return Promise.resolve({ ok: true, userId: token, expiresAtMs: 1e15 });
    },
    now: () => 0,
  });
  const request = { path: "/v1/users/u/recommendations", authorization: "Bearer user-9", address: null };
  assert.equal(await limiter.check(request), null);
  assert.equal(limiter.check(request), null, "a known token is charged without a promise");
  const refused = limiter.check(request);
  assert.ok(refused !== null && !(refused instanceof Promise));
  assert.equal(verified, 1);
  const response = refusalResponse(refused);
  assert.equal(response.status, 429);
  assert.equal(response.headers.get("retry-after"), "30");
  assert.deepEqual(await response.json(), {
    error: "rate limited",
    reason: "too many requests for this user; retry in 30 s",
    retryAfterSeconds: 30,
  });
  assert.equal(limiter.check({ ...request, authorization: "Bearer admin-token-123" }), null);
});

Deno.test("rateLimit answers a request a handler before Hono already charged with that outcome, charging nothing", async () => {
  let verified = 0;
  const limiter = new RateLimiter({
    userPerMinute: 1,
    ipPerMinute: 0,
    chatCost: 10,
    trustProxyHops: 0,
    adminToken: () => "admin-token-123",
    verify: (token) => {
      verified++;
      return Promise.resolve({ ok: true, userId: token, expiresAtMs: 1e15 });
    },
    now: () => 0,
  });
  const hono = new Hono();
  hono.use("/v1/*", rateLimit(limiter, () => "admin-token-123"));
  hono.all("/v1/*", (c) => c.text("ok"));
  const headers = { authorization: "Bearer user-1" };
  const charged = new Request("http://localhost/v1/x", { headers });
  assert.equal(
    await limiter.check({ path: "/v1/x", authorization: headers.authorization, address: null }),
    null,
  );
  limiter.markCharged(charged, null);
  assert.equal((await hono.fetch(charged)).status, 200, "let through, not charged a second time");
  const refusal = { retryAfterSeconds: 7, reason: "too many requests for this user; retry in 7 s" };
  const refused = new Request("http://localhost/v1/x", { headers });
  limiter.markCharged(refused, refusal);
  const answer = await hono.fetch(refused);
  assert.equal(answer.status, 429);
  assert.equal(answer.headers.get("retry-after"), "7");
  assert.equal((await hono.request("/v1/x", { headers })).status, 429, "an unmarked request is charged");
  assert.equal(verified, 1);
});
