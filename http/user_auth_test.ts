import assert from "node:assert/strict";
import { UserTokens } from "./user_auth.ts";

const NOW = Date.UTC(2026, 10, 21, 12);

Deno.test("UserTokens issues tokens that verify for their user until they expire", async () => {
  const tokens = new UserTokens("a-secret-of-some-length");
  const { token, expiresAtMs } = await tokens.issue("b-000001", NOW, 60_000);
  assert.deepEqual(await tokens.verify(token, NOW + 1_000), { ok: true, userId: "b-000001", expiresAtMs });
  assert.deepEqual(await tokens.verify(token, NOW + 60_000), { ok: false, reason: "token expired" });
});

Deno.test("UserTokens.verifyKnown answers at once only for a token verified before and not expired", async () => {
  const tokens = new UserTokens("a-secret-of-some-length");
  const { token, expiresAtMs } = await tokens.issue("b-000001", NOW, 60_000);
  assert.equal(tokens.verifyKnown(token, NOW), undefined, "issued is not verified");
  await tokens.verify(token, NOW);
  assert.deepEqual(tokens.verifyKnown(token, NOW + 1_000), { ok: true, userId: "b-000001", expiresAtMs });
  assert.equal(tokens.verifyKnown(token, NOW + 60_000), undefined, "expired: verify says why");
  assert.equal(tokens.verifyKnown("junk", NOW), undefined);
});

Deno.test("UserTokens rejects another secret, tampering, alg none and junk with a reason", async () => {
  const tokens = new UserTokens("a-secret-of-some-length");
  const { token } = await tokens.issue("b-000001", NOW);
  const other = new UserTokens("another-secret-entirely");
  assert.equal((await other.verify(token, NOW)).ok, false);
  const [header, payload, signature] = token.split(".");
  const flipped = signature.slice(0, -2) + (signature.endsWith("AA") ? "BB" : "AA");
  assert.deepEqual(await tokens.verify(`${header}.${payload}.${flipped}`, NOW), {
    ok: false,
    reason: "bad token signature",
  });
  const none = btoa(JSON.stringify({ alg: "none" })).replace(/=+$/, "");
  assert.deepEqual(await tokens.verify(`${none}.${payload}.`, NOW), {
    ok: false,
    reason: "unsupported token algorithm",
  });
  for (const junk of ["", ".", "a.b", "a.b.c.d", "!!.??.**", "x".repeat(10_000), "e30.e30.e30"]) {
    const result = await tokens.verify(junk, NOW);
    assert.equal(result.ok, false, junk.slice(0, 20));
  }
});
