/**
 * The recommendations fast path (`http/recommendation_fast_path.ts`) against
 * the Hono routes on one engine: a warm read it serves must carry the status,
 * headers, body and metrics the routes give the same read, it must leave
 * every other request to the routes, and rate limits must charge a request
 * once whichever path answers it.
 */

import assert from "node:assert/strict";
import { withEngine } from "./_engine_fixture.ts";
import { ADMIN_TOKEN } from "./_harness.ts";

const CLIENT = { remoteAddr: { hostname: "203.0.113.9", port: 40000, transport: "tcp" as const } };

Deno.test("recommendations fast path: same answers as the routes, everything unusual left to them, limits charged once", async (t) => {
  await withEngine(
    { RATE_LIMIT_USER_PER_MIN: "60", RATE_LIMIT_IP_PER_MIN: "100000" },
    async ({ engine, login }) => {
      // Hono's router is consulted only when a request reaches the routes: counting its lookups tells the paths apart.
      const router = engine.app.router;
      const match = router.match.bind(router);
      let routed = 0;
      router.match = (...args: Parameters<typeof match>) => {
        routed++;
        return match(...args);
      };
      const send = async (path: string, headers: Record<string, string>) => {
        const before = routed;
        const response = await engine.app.request(path, { headers }, CLIENT);
        const body = await response.text();
        return { response, body, routed: routed > before };
      };
      const headersOf = (response: Response) =>
        [...response.headers].filter(([name]) => name !== "x-request-id");
      const metric = async (pattern: RegExp) => {
        const line = (await (await engine.app.request("/metrics")).text()).split("\n").find((entry) =>
          pattern.test(entry)
        );
        return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
      };
      const token = await login("b-000003");
      const auth = { authorization: `Bearer ${token}` };

      await t.step(
        "a warm read is served in front of the routes with the routes' status, headers and body",
        async () => {
          const queries = [
            "?k=3&record=0",
            "?k=2&lang=en&strategy=rules&record=0",
            "?strategy=propensity&record=0",
            "",
          ];
          for (const query of queries) {
            const path = `/v1/users/b-000003/recommendations${query}`;
            // The first read decides (through the routes; `record=1` may record impressions, the second read
            // then decides again), later ones find the answer cached.
            await send(path, auth);
            await send(path, auth);
            // An unknown query parameter is ignored by the route but sends the request through the routes.
            const viaRoutes = await send(`${path}${query === "" ? "?" : "&"}unused=1`, {
              ...auth,
              "x-request-id": "req-1",
            });
            const fast = await send(path, { ...auth, "x-request-id": "req-1" });
            assert.equal(viaRoutes.routed, true, query);
            assert.equal(fast.routed, false, `${query} served by the fast path`);
            assert.equal(fast.response.status, 200);
            assert.equal(fast.response.status, viaRoutes.response.status);
            assert.deepEqual([...fast.response.headers], [...viaRoutes.response.headers], query);
            assert.equal(fast.body, viaRoutes.body, query);
          }
          // Over HTTPS both add HSTS.
          const secure = "https://engine.example/v1/users/b-000003/recommendations?k=3&record=0";
          const secureFast = await send(secure, { ...auth, "x-request-id": "req-4" });
          const secureRoutes = await send(`${secure}&unused=1`, { ...auth, "x-request-id": "req-4" });
          assert.equal(secureFast.routed, false);
          assert.ok(secureFast.response.headers.get("strict-transport-security"));
          assert.deepEqual([...secureFast.response.headers], [...secureRoutes.response.headers]);
          // Accept-Language picks the language when there is no `lang`, on both paths alike.
          const path = "/v1/users/b-000003/recommendations?record=0";
          await send(path, { ...auth, "accept-language": "en-GB,en;q=0.9" });
          const english = await send(path, { ...auth, "accept-language": "en-GB,en;q=0.9" });
          const english2 = await send(`${path}&unused=1`, { ...auth, "accept-language": "en-GB,en;q=0.9" });
          assert.equal(english.routed, false);
          assert.equal(english.body, english2.body);
          assert.equal(JSON.parse(english.body).lang, "en");
          // Without a caller's id, each answer gets its own.
          const first = await send(path, auth);
          const second = await send(path, auth);
          assert.equal(first.routed || second.routed, false);
          assert.match(first.response.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
          assert.notEqual(
            first.response.headers.get("x-request-id"),
            second.response.headers.get("x-request-id"),
          );
          assert.deepEqual(headersOf(first.response), headersOf(second.response));
          for (
            const [name, value] of [
              ["content-type", "application/json"],
              ["cache-control", "no-store"],
              ["x-content-type-options", "nosniff"],
              ["x-frame-options", "DENY"],
              ["referrer-policy", "no-referrer"],
            ]
          ) {
            assert.equal(first.response.headers.get(name), value, name);
          }
        },
      );

      await t.step("a token never seen before is verified first, then the read is served fast", async () => {
        // Issued a second later, the same user's new token differs from the first; nothing has verified it yet.
        await new Promise((resolve) => setTimeout(resolve, 1_100));
        const fresh = await login("b-000003");
        assert.notEqual(fresh, token);
        const path = "/v1/users/b-000003/recommendations?k=3&record=0";
        const headers = { authorization: `Bearer ${fresh}`, "x-request-id": "req-3" };
        const fast = await send(path, headers);
        const viaRoutes = await send(`${path}&unused=1`, headers);
        assert.equal(fast.routed, false);
        assert.equal(fast.response.status, 200);
        assert.deepEqual([...fast.response.headers], [...viaRoutes.response.headers]);
        assert.equal(fast.body, viaRoutes.body);
      });

      await t.step("it counts the request and the decision as the routes do", async () => {
        const path = "/v1/users/b-000003/recommendations?k=3&record=0";
        const requests =
          /^http_requests_total\{method="GET",route="\/v1\/users\/:id\/recommendations",status="200"\}/;
        const decisions = /^engine_decisions_total\{outcome="offered",strategy="uplift"\}/;
        const latency = /^http_request_seconds_count\{route="\/v1\/users\/:id\/recommendations"\}/;
        const before = [await metric(requests), await metric(decisions), await metric(latency)];
        const fast = await send(path, auth);
        assert.equal(fast.routed, false);
        const middle = [await metric(requests), await metric(decisions), await metric(latency)];
        await send(`${path}&unused=1`, auth);
        const after = [await metric(requests), await metric(decisions), await metric(latency)];
        assert.deepEqual(middle.map((value, i) => value - before[i]), [1, 1, 1]);
        assert.deepEqual(after.map((value, i) => value - middle[i]), [1, 1, 1]);
      });

      await t.step("everything but a plain warm read by the user goes to the routes", async () => {
        const base = "/v1/users/b-000003/recommendations";
        const other = await login("b-000004");
        const cases: [string, Record<string, string>, number][] = [
          [`${base}?record=0`, { authorization: `Bearer ${ADMIN_TOKEN}` }, 200],
          [`${base}?record=0`, { authorization: `Bearer ${other}` }, 403],
          [`${base}?record=0`, {}, 401],
          [`${base}?record=0`, { authorization: "Bearer not-a-token" }, 401],
          [`${base}?k=11&record=0`, auth, 400],
          [`${base}?k=3&k=3&record=0`, auth, 200],
          [`${base}?lang=%65n&record=0`, auth, 200],
          [`${base}?waitFor=%00bad&record=0`, auth, 400],
          [`${base}/?record=0`, auth, 404],
          ["/v1/users/b-000003/notifications", auth, 200],
        ];
        for (const [path, headers, status] of cases) {
          const answer = await send(path, headers);
          assert.equal(answer.routed, true, path);
          assert.equal(answer.response.status, status, `${path}: ${answer.body}`);
        }
        // A state change: the next read decides afresh, through the routes, and is then served fast again.
        const path = `${base}?record=0`;
        const before = await send(path, auth);
        assert.equal(before.routed, false);
        const actor = engine.supervisor.peek("b-000003")!;
        actor.receive({ type: "profile.refresh", nowMs: Date.now() });
        const changed = await send(path, auth);
        assert.equal(changed.routed, true, "a new revision is not in the cache");
        assert.equal((await send(path, auth)).routed, false);
      });

      await t.step("rate limits charge a request once and refuse it as the routes do", async () => {
        const limited = await login("b-000008");
        const headers = { authorization: `Bearer ${limited}`, "x-request-id": "req-2" };
        const path = "/v1/users/b-000008/recommendations?record=0";
        let served = 0;
        let fast = 0;
        let answer = await send(path, headers);
        while (answer.response.status === 200 && served < 100) {
          served++;
          if (!answer.routed) fast++;
          answer = await send(path, headers);
        }
        assert.equal(served, 60, "the user's 60 a minute, whichever path served them");
        assert.ok(fast >= 58, `most reads were served fast (${fast})`);
        assert.equal(answer.response.status, 429);
        const viaRoutes = await send(`${path}&unused=1`, headers);
        assert.equal(viaRoutes.response.status, 429);
        assert.deepEqual([...answer.response.headers], [...viaRoutes.response.headers]);
        assert.equal(answer.body, viaRoutes.body);
        assert.match(JSON.parse(answer.body).reason, /for this user/);
      });
    },
  );
});
