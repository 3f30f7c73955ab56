import assert from "node:assert/strict";
import { jwksUrlLoader } from "./security.ts";

const KEY = { kty: "RSA", kid: "k1", n: "x".repeat(342), e: "AQAB" };

Deno.test("jwksUrlLoader fetches the key set, honours ETags, and refuses errors, junk and oversized bodies", async () => {
  // A real 2048-bit modulus is not needed to parse; parseJwks checks its length (342 base64url chars).
  const state = {
    status: 200,
    body: JSON.stringify({ keys: [KEY] }),
    etag: '"v1"',
    requests: [] as string[],
  };
  await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (request) => {
    state.requests.push(request.headers.get("if-none-match") ?? "-");
    if (state.status === 200 && request.headers.get("if-none-match") === state.etag) {
      return new Response(null, { status: 304 });
    }
    return new Response(state.body, { status: state.status, headers: { etag: state.etag } });
  });
  const load = jwksUrlLoader(`http://127.0.0.1:${server.addr.port}/certs`, 2_000);
  const first = await load();
  assert.ok(Array.isArray(first) && first[0].kid === "k1");
  assert.equal(await load(), "unchanged", "304 to the ETag");
  assert.deepEqual(state.requests, ["-", '"v1"']);

  state.body = JSON.stringify({ keys: [{ ...KEY, kid: "k2" }] });
  state.etag = '"v2"';
  const rotated = await load();
  assert.ok(Array.isArray(rotated) && rotated[0].kid === "k2");

  state.status = 503;
  await assert.rejects(load, /JWKS_URL answered 503/);
  state.status = 200;
  state.etag = '"v3"';
  state.body = "<html>login</html>";
  await assert.rejects(load, /JWKS_URL is not JSON/);
  state.etag = '"v4"';
  state.body = JSON.stringify({ keys: [KEY], padding: "x".repeat(300 * 1024) });
  await assert.rejects(load, /more than 262144 bytes/);
});
