/**
 * `AUTH_MODE=jwt` end to end: the engine verifies the identity provider's
 * RS256 tokens from a JWKS (and HS256 with `AUTH_SECRET`), checks issuer,
 * audience and expiry, and never runs demo auth: no picker, no demo login,
 * no token from registration, and tokens made by demo login are refused.
 */

import assert from "node:assert/strict";
import { rsaKeyPair, signHs256, signRs256 } from "../http/_jwt_test_keys.ts";
import { UserTokens } from "../http/user_auth.ts";
import { withEngine } from "./_engine_fixture.ts";
import { ADMIN_TOKEN } from "./_harness.ts";

const AUTH_SECRET = "identity-provider-hs256-secret";

/** An identity provider's key: its JWKS entry and document, and tokens signed with it (as `kid` unless told). */
async function signer(keyId = "idp-2026") {
  const { privateKey, jwk } = await rsaKeyPair(keyId);
  return {
    jwk,
    jwks: JSON.stringify({ keys: [jwk] }),
    sign: (claims: Record<string, unknown>, kid = keyId) =>
      signRs256(privateKey, { alg: "RS256", typ: "JWT", kid }, claims),
  };
}

Deno.test("jwt mode verifies the identity provider's tokens and never runs demo auth", async (t) => {
  const idp = await signer();
  await withEngine({
    AUTH_MODE: "jwt",
    AUTH_SECRET,
    JWKS: idp.jwks,
    JWT_ISSUER: "https://id.bank.example",
    JWT_AUDIENCE: "personalization-engine",
  }, async ({ call, json }) => {
    const now = Math.floor(Date.now() / 1000);
    const claims = (extra: Record<string, unknown> = {}) => ({
      sub: "b-000001",
      iss: "https://id.bank.example",
      aud: "personalization-engine",
      iat: now,
      exp: now + 300,
      ...extra,
    });

    await t.step("demo login, the picker and registration tokens do not exist in jwt mode", async () => {
      for (
        const [path, init] of [
          ["/v1/users?query=b-", {}],
          ["/v1/auth/demo-login", { json: { userId: "b-000001" } }],
        ] as const
      ) {
        const response = await call(path, init);
        assert.equal(response.status, 404, path);
        assert.match((await response.json()).error, /demo login is disabled/);
      }
      const profile = { age: 30, sexo: "H", segmento: "02 - PARTICULARES" };
      const anonymous = await call("/v1/users", { json: profile });
      assert.equal(anonymous.status, 401);
      await anonymous.body?.cancel();
      const byService = await json<Record<string, unknown>>("/v1/users", {
        token: ADMIN_TOKEN,
        json: profile,
        status: 201,
      });
      assert.equal(byService.token, undefined, "no user token is issued in jwt mode");
    });

    await t.step("an RS256 token from the JWKS opens the user's own data only", async () => {
      const token = await idp.sign(claims());
      const own = await call("/v1/users/b-000001/consents", { token });
      assert.equal(own.status, 200);
      await own.body?.cancel();
      const other = await call("/v1/users/b-000002/consents", { token });
      assert.equal(other.status, 403);
      await other.body?.cancel();
    });

    await t.step(
      "wrong issuer, audience, key, expiry and demo tokens are refused with a reason",
      async () => {
        const demo = await new UserTokens(AUTH_SECRET).issue("b-000001", Date.now());
        const cases: [string, string][] = [
          [await idp.sign(claims({ iss: "https://other.example" })), "wrong token issuer"],
          [await idp.sign(claims({ aud: "another-service" })), "token is not for this audience"],
          [await idp.sign(claims({ exp: now - 600 })), "token expired"],
          [await idp.sign(claims({ nbf: now + 600 })), "token not valid yet"],
          [await idp.sign(claims(), "rotated-away"), "unknown signing key (kid)"],
          // Signed with the very secret the engine verifies HS256 with, but made by demo login.
          [demo.token, "demo tokens are not accepted in jwt mode"],
        ];
        for (const [token, reason] of cases) {
          const response = await call("/v1/users/b-000001/consents", { token });
          assert.equal(response.status, 401, reason);
          assert.deepEqual(await response.json(), { error: "unauthorized", reason });
        }
      },
    );

    await t.step("HS256 tokens signed with AUTH_SECRET by the identity provider are accepted", async () => {
      const token = await signHs256(AUTH_SECRET, { alg: "HS256", typ: "JWT" }, claims());
      const response = await call("/v1/users/b-000001/consents", { token });
      assert.equal(response.status, 200);
      await response.body?.cancel();
    });
  });
});

/** Claims of b-000001's token for the rotation tests. */
function rotationClaims() {
  const now = Math.floor(Date.now() / 1000);
  return { sub: "b-000001", iss: "https://id.bank.example", iat: now, exp: now + 300 };
}

/** 200, or the status and reason of a refusal, for a read of b-000001's consents with `token`. */
async function consentsStatus(
  call: (path: string, init: { token: string }) => Promise<Response>,
  token: string,
): Promise<200 | string> {
  const response = await call("/v1/users/b-000001/consents", { token });
  const body = await response.json();
  return response.status === 200 ? 200 : `${response.status} ${body.reason}`;
}

Deno.test("jwt mode follows a rotated JWKS_FILE without a restart", async () => {
  const before = await signer("idp-2026-11");
  const after = await signer("idp-2026-12");
  const file = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(file, before.jwks);
  try {
    await withEngine({
      AUTH_MODE: "jwt",
      JWKS_FILE: file,
      JWKS_REFRESH_MS: "1000",
      JWT_ISSUER: "https://id.bank.example",
    }, async ({ call }) => {
      const claims = rotationClaims();
      const status = (token: string) => consentsStatus(call, token);
      const oldToken = await before.sign(claims);
      assert.equal(await status(oldToken), 200);
      // The identity team publishes the new key and withdraws the old one; the provider signs with the new.
      await Deno.writeTextFile(file, JSON.stringify({ keys: [after.jwk] }));
      assert.equal(await status(await after.sign(claims)), 200, "the new kid is read on first sight");
      assert.equal(await status(oldToken), "401 unknown signing key (kid)");
      // A broken file (a deploy gone wrong) keeps the keys in force instead of locking everyone out.
      await Deno.writeTextFile(file, "{ half written");
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(await status(await after.sign(claims)), 200);
    });
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("jwt mode takes its keys from the identity provider's JWKS_URL and follows its rotation", async () => {
  const before = await signer("kc-2026-11");
  const after = await signer("kc-2026-12");
  let published = before.jwks;
  let fetches = 0;
  await using idp = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, () => {
    fetches++;
    return new Response(published, { headers: { "content-type": "application/json" } });
  });
  await withEngine({
    AUTH_MODE: "jwt",
    JWKS_URL: `http://127.0.0.1:${idp.addr.port}/realms/bank/protocol/openid-connect/certs`,
    JWT_ISSUER: "https://id.bank.example",
  }, async ({ call }) => {
    const claims = rotationClaims();
    const status = (token: string) => consentsStatus(call, token);
    assert.equal(fetches, 1, "fetched once at start");
    assert.equal(await status(await before.sign(claims)), 200);
    published = JSON.stringify({ keys: [after.jwk] });
    assert.equal(await status(await after.sign(claims)), 200, "a new kid is fetched on first sight");
    assert.equal(fetches, 2);
  });
});
