import assert from "node:assert/strict";
import { type Jwk, JwtVerifier, parseJwks } from "./jwt_verifier.ts";
import { b64url, rsaKeyPair, signHs256, signRs256 } from "./_jwt_test_keys.ts";
import { Pseudonymizer } from "../privacy/pseudonym.ts";

const NOW = Date.parse("2026-11-21T10:00:00Z");
const SECONDS = NOW / 1000;

const claims = (extra: Record<string, unknown> = {}) => ({
  sub: "b-000001",
  iss: "https://idp.bank.example",
  aud: ["engine", "other"],
  iat: SECONDS - 10,
  exp: SECONDS + 600,
  ...extra,
});

Deno.test("JwtVerifier accepts RS256 tokens by kid from a JWKS and checks iss, aud, exp and nbf", async () => {
  const first = await rsaKeyPair("2026-a");
  const second = await rsaKeyPair("2026-b");
  const jwks = parseJwks(JSON.stringify({ keys: [first.jwk, second.jwk] }));
  assert.ok(jwks.ok);
  const verifier = await JwtVerifier.create({
    hmacSecret: null,
    jwks: jwks.keys,
    issuer: "https://idp.bank.example",
    audience: "engine",
  });
  const rs = (key: CryptoKey, kid: string | undefined, extra: Record<string, unknown> = {}) =>
    signRs256(key, { alg: "RS256", typ: "JWT", ...(kid ? { kid } : {}) }, claims(extra));

  const good = await verifier.verify(await rs(second.privateKey, "2026-b"), NOW);
  assert.deepEqual(good, { ok: true, userId: "b-000001", expiresAtMs: (SECONDS + 600) * 1000 });
  const cases: [Promise<string>, string][] = [
    [rs(first.privateKey, "2026-b"), "bad token signature"],
    [rs(first.privateKey, "2025-z"), "unknown signing key (kid)"],
    [rs(first.privateKey, undefined), "token has no kid and several keys could sign it"],
    [rs(first.privateKey, "2026-a", { exp: SECONDS - 120 }), "token expired"],
    [rs(first.privateKey, "2026-a", { exp: undefined }), "token has no expiry"],
    [rs(first.privateKey, "2026-a", { nbf: SECONDS + 300 }), "token not valid yet"],
    [rs(first.privateKey, "2026-a", { iat: SECONDS + 300 }), "token issued in the future"],
    [rs(first.privateKey, "2026-a", { iss: "https://evil.example" }), "wrong token issuer"],
    [rs(first.privateKey, "2026-a", { aud: "someone-else" }), "token is not for this audience"],
    [rs(first.privateKey, "2026-a", { sub: "" }), "token has no subject"],
    [rs(first.privateKey, "2026-a", { sub: "has spaces" }), "token subject is not a valid user id"],
    [rs(first.privateKey, "2026-a", { iss: "engine-demo" }), "demo tokens are not accepted in jwt mode"],
  ];
  for (const [token, reason] of cases) {
    assert.deepEqual(await verifier.verify(await token, NOW), { ok: false, reason });
  }
  // Within the clock skew an expiry just passed still counts.
  assert.ok((await verifier.verify(await rs(first.privateKey, "2026-a", { exp: SECONDS - 30 }), NOW)).ok);
});

Deno.test("JwtVerifier refuses algorithm confusion, alg none, forged payloads and junk", async () => {
  const pair = await rsaKeyPair("k1");
  const verifier = await JwtVerifier.create({
    hmacSecret: null,
    jwks: [pair.jwk as Jwk],
    issuer: null,
    audience: null,
  });
  const valid = await signRs256(pair.privateKey, { alg: "RS256", kid: "k1" }, claims());
  assert.ok((await verifier.verify(valid, NOW)).ok);
  // The public key's modulus used as an HMAC secret: there is no HS256 key, so it cannot verify.
  const confused = await signHs256(pair.jwk.n!, { alg: "HS256", kid: "k1" }, claims());
  assert.deepEqual(await verifier.verify(confused, NOW), { ok: false, reason: "no HS256 key is configured" });
  const [header, , signature] = valid.split(".");
  const forged = `${header}.${b64url(JSON.stringify(claims({ sub: "b-000002" })))}.${signature}`;
  assert.deepEqual(await verifier.verify(forged, NOW), { ok: false, reason: "bad token signature" });
  const none = `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(claims()))}.`;
  assert.deepEqual(await verifier.verify(none, NOW), { ok: false, reason: "unsupported token algorithm" });
  const noneSigned = `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(claims()))}.${signature}`;
  assert.deepEqual(await verifier.verify(noneSigned, NOW), {
    ok: false,
    reason: "unsupported token algorithm",
  });
  for (const junk of ["", "a.b", "a.b.c.d", "!!.??.**", "x".repeat(9000)]) {
    assert.equal((await verifier.verify(junk, NOW)).ok, false);
  }
});

Deno.test("JwtVerifier takes HS256 with AUTH_SECRET or a JWKS oct key, and can pseudonymise subjects", async () => {
  const octKey = crypto.getRandomValues(new Uint8Array(32));
  const pseudonyms = await Pseudonymizer.create("pseudonym-key-for-jwt-tests");
  const verifier = await JwtVerifier.create({
    hmacSecret: "the-identity-providers-shared-secret",
    jwks: [{ kty: "oct", kid: "oct-1", k: b64url(octKey) }],
    issuer: null,
    audience: null,
    subjectToUserId: (subject) => pseudonyms.pseudonymise(subject),
  });
  const bySecret = await signHs256(
    "the-identity-providers-shared-secret",
    { alg: "HS256" },
    claims({ sub: "CUST-77" }),
  );
  assert.equal(verifier.verifyKnown(bySecret, NOW), undefined, "not verified yet");
  const checked = await verifier.verify(bySecret, NOW);
  assert.ok(checked.ok);
  assert.deepEqual(verifier.verifyKnown(bySecret, NOW), checked, "verified: the same answer at once");
  assert.equal(checked.userId, await pseudonyms.pseudonymise("CUST-77"));
  const byOct = await signHs256(octKey, { alg: "HS256", kid: "oct-1" }, claims({ sub: "CUST-77" }));
  assert.equal((await verifier.verify(byOct, NOW) as { userId: string }).userId, checked.userId);
  const wrong = await signHs256("another-secret-entirely-here", { alg: "HS256" }, claims());
  assert.deepEqual(await verifier.verify(wrong, NOW), { ok: false, reason: "bad token signature" });
  await assert.rejects(() => verifier.issue(), /issues no user tokens/);
  const empty = await JwtVerifier.create({ hmacSecret: null, jwks: [], issuer: null, audience: null });
  assert.equal(empty.hasKeys, false);
  assert.deepEqual(await empty.verify(bySecret, NOW), { ok: false, reason: "no HS256 key is configured" });
});

Deno.test("parseJwks explains what is wrong with a key set", async () => {
  const { jwk } = await rsaKeyPair("k1");
  const cases: [unknown, RegExp][] = [
    ["not json", /not JSON/],
    [{ keys: [] }, /non-empty/],
    [{ keys: [{ kty: "EC", kid: "e" }] }, /kty must be RSA or oct/],
    [{ keys: [{ ...jwk, alg: "RS512" }] }, /RS256/],
    [{ keys: [{ kty: "RSA", kid: "x", e: "AQAB" }] }, /needs n and e/],
    [{ keys: [{ ...jwk, d: "secret" }] }, /private key/],
    [{ keys: [{ ...jwk, n: b64url(new Uint8Array(128).fill(1)) }] }, /2048 bits/],
    [{ keys: [jwk, jwk] }, /twice/],
    [{ keys: [{ kty: "oct", k: "c2hvcnQ" }] }, /at least 16 bytes/],
    [{ keys: [{ ...jwk, use: "enc" }] }, /use must be "sig"/],
  ];
  for (const [document, reason] of cases) {
    const parsed = parseJwks(typeof document === "string" ? document : JSON.stringify(document));
    assert.equal(parsed.ok, false);
    assert.match((parsed as { reason: string }).reason, reason);
  }
});

Deno.test("JwtVerifier rotates keys: a new kid is fetched on first sight, a removed key stops at once, a bad read changes nothing", async () => {
  const old = await rsaKeyPair("2026-old");
  const next = await rsaKeyPair("2026-new");
  let published: Jwk[] | "unchanged" | Error = [old.jwk as Jwk];
  let reads = 0;
  const verifier = await JwtVerifier.create({
    hmacSecret: null,
    jwks: [old.jwk as Jwk],
    issuer: "https://idp.bank.example",
    audience: "engine",
    loadJwks: () => {
      reads++;
      return published instanceof Error ? Promise.reject(published) : Promise.resolve(published);
    },
    reloadMinIntervalMs: 60_000,
  });
  const rs = (pair: { privateKey: CryptoKey }, kid: string) =>
    signRs256(pair.privateKey, { alg: "RS256", typ: "JWT", kid }, claims());
  const oldToken = await rs(old, "2026-old");
  assert.ok((await verifier.verify(oldToken, NOW)).ok);

  // The identity provider signs with a key it published after the engine started: one read finds it.
  published = [old.jwk as Jwk, next.jwk as Jwk];
  assert.ok((await verifier.verify(await rs(next, "2026-new"), NOW)).ok);
  assert.equal(reads, 1);
  assert.deepEqual(verifier.keyIds, ["2026-old", "2026-new"]);

  // Unknown kids cannot make the node read the key set on every request.
  const stranger = await rsaKeyPair("2026-x");
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(await verifier.verify(await rs(stranger, "2026-x"), NOW), {
      ok: false,
      reason: "unknown signing key (kid)",
    });
  }
  assert.equal(reads, 1);

  // A half-written or broken key set keeps the keys in force.
  published = new Error("JWKS_FILE is not JSON");
  assert.deepEqual(await verifier.reload(), { error: "JWKS_FILE is not JSON" });
  assert.ok((await verifier.verify(oldToken, NOW)).ok);
  published = "unchanged";
  assert.deepEqual(await verifier.reload(), { changed: false });

  // The old key is withdrawn: a token verified (and cached) under it is refused from the next request.
  published = [next.jwk as Jwk];
  assert.deepEqual(await verifier.reload(), { changed: true });
  assert.deepEqual(verifier.keyIds, ["2026-new"]);
  assert.deepEqual(await verifier.verify(oldToken, NOW), { ok: false, reason: "unknown signing key (kid)" });
  assert.equal(verifier.verifyKnown(oldToken, NOW), undefined);
});
