/**
 * Privacy end to end on the real Postgres and the in-process log: personal
 * data sealed at rest while the picker still finds names, registration by a
 * bank id that only its keyed hash reaches, chat text sealed, security
 * headers and rate limits, and an erasure after which nothing about the user
 * remains: no row in any table, no actor, a tombstone on the log, and old
 * events replayed onto the log do not bring the user back.
 */

import assert from "node:assert/strict";
import { TOPICS } from "../bus/bus.ts";
import { KEPT_TABLES, USER_TABLES } from "../store/erasure.ts";
import { withEngine } from "./_engine_fixture.ts";
import { ADMIN_TOKEN, eventually } from "./_harness.ts";

Deno.test("privacy: sealed PII, pseudonymous registration, headers, rate limits, and erasure that leaves nothing", async (t) => {
  await withEngine(
    { RATE_LIMIT_USER_PER_MIN: "40", RATE_LIMIT_IP_PER_MIN: "30" },
    async ({ engine, call, json, login }) => {
      const sql = engine.store.sql;
      const admin = { token: ADMIN_TOKEN };
      let registered: { userId: string; profile: Record<string, unknown>; eventsApplied: number } | null =
        null;

      await t.step(
        "display names and attributes are sealed at rest, and the picker still finds names",
        async () => {
          const { users } = await json<{ users: { userId: string; displayName: string }[] }>(
            "/v1/users?query=b-000001&limit=1",
          );
          const name = users[0].displayName;
          assert.ok(name.length > 3 && !name.startsWith("enc:"), name);
          const [row] = await sql<{ display_name: string; attributes: string; name_index: string[] }[]>`
        select display_name, attributes, name_index from users where user_id = 'b-000001'`;
          assert.match(row.display_name, /^enc:v1:derived:/);
          assert.match(row.attributes, /^enc:v1:derived:/);
          assert.ok(row.name_index.length > 0);
          const surname = name.split(" ").at(-1)!;
          const [{ plain }] = await sql<{ plain: number }[]>`
        select count(*)::int as plain from users u where u::text like ${"%" + surname + "%"}`;
          assert.equal(plain, 0, "no users row holds the name in the clear");
          const prefix = [...surname].slice(0, 4).join("");
          const found = await json<{ users: { userId: string; displayName: string }[] }>(
            `/v1/users?query=${encodeURIComponent(prefix.toLowerCase())}&limit=50`,
          );
          assert.ok(found.users.some((user) => user.userId === "b-000001"), `${prefix} finds ${name}`);
          assert.ok(
            found.users.every((user) => user.displayName.split(" ").some((word) => word.startsWith(prefix))),
          );
          const privacy = await json<{ currentKeyId: string; usage: Record<string, Record<string, number>> }>(
            "/admin/privacy",
            admin,
          );
          assert.equal(privacy.currentKeyId, "derived");
          assert.equal(privacy.usage["users.display_name"].plaintext, undefined);
        },
      );

      await t.step("registration by a bank id stores only its keyed hash", async () => {
        const { userIds } = await json<{ userIds: string[] }>("/admin/pseudonyms", {
          ...admin,
          json: { externalIds: ["CUST-0042-XYZ"] },
        });
        assert.match(userIds[0], /^p-[a-z2-7]{32}$/);
        const profile = {
          externalId: "CUST-0042-XYZ",
          displayName: "Приватный Тест",
          age: 41,
          sexo: "V",
          segmento: "02 - PARTICULARES",
        };
        const created = await json<{ userId: string; lastEventId: string }>("/v1/users", {
          json: profile,
          status: 201,
        });
        assert.equal(created.userId, userIds[0]);
        const again = await call("/v1/users", { json: profile });
        assert.equal(again.status, 409);
        const first = await json<{ eventsApplied: number }>(
          `/v1/users/${created.userId}/recommendations?waitFor=${created.lastEventId}`,
          admin,
        );
        registered = { userId: created.userId, profile, eventsApplied: first.eventsApplied };
        await engine.supervisor.flush();
        for (const table of ["users", "event_log", "actor_snapshots"]) {
          const [{ n }] = await sql<{ n: number }[]>`
          select count(*)::int as n from ${sql(table)} t where t::text like '%CUST-0042%'`;
          assert.equal(n, 0, `${table} never sees the bank id`);
        }
      });

      await t.step("chat text is sealed in chat_turns", async () => {
        const token = await login("b-000007");
        const reply = await json<{ turnId: string }>("/v1/chat", {
          token,
          json: { message: "почему мне предлагают эту карту? маркер-7731" },
        });
        const row = await eventually(
          () =>
            sql<
              { message: string; answer: string }[]
            >`select message, answer from chat_turns where turn_id = ${reply.turnId}`,
          (rows) => rows.length === 1,
          "the turn to be logged",
        );
        assert.match(row[0].message, /^enc:v1:/);
        assert.match(row[0].answer, /^enc:v1:/);
        assert.ok(!row[0].message.includes("маркер"));
      });

      await t.step("API responses carry security headers; user data is not cached", async () => {
        const token = await login("b-000008");
        const response = await call("/v1/users/b-000008", { token });
        assert.equal(response.status, 200);
        await response.body?.cancel();
        assert.equal(response.headers.get("x-content-type-options"), "nosniff");
        assert.equal(response.headers.get("cache-control"), "no-store");
        assert.equal(
          response.headers.get("content-security-policy"),
          "default-src 'none'; frame-ancestors 'none'",
        );
        assert.equal(response.headers.get("x-frame-options"), "DENY");
        assert.equal(response.headers.get("referrer-policy"), "no-referrer");
        const page = await call("/");
        await page.body?.cancel();
        assert.match(
          page.headers.get("content-security-policy") ?? "",
          /script-src 'self'/,
          "the web app keeps its policy",
        );
        assert.equal(page.headers.get("x-content-type-options"), "nosniff");
        const missing = await call("/v1/nothing-here");
        await missing.body?.cancel();
        assert.equal(missing.headers.get("cache-control"), "no-store");
      });

      await t.step(
        "rate limits: a user beyond the budget gets 429 with Retry-After; so does an address",
        async () => {
          const token = await login("b-000009");
          const statuses: number[] = [];
          for (let i = 0; i < 45; i++) {
            const response = await call("/v1/users/b-000009/consents", { token });
            await response.body?.cancel();
            statuses.push(response.status);
            if (response.status === 429) {
              assert.ok(Number(response.headers.get("retry-after")) >= 1);
              break;
            }
          }
          assert.equal(statuses.filter((status) => status === 200).length, 40);
          assert.equal(statuses.at(-1), 429);
          const remote = { remoteAddr: { hostname: "203.0.113.9", port: 40000, transport: "tcp" } };
          let limited: Response | null = null;
          for (let i = 0; i < 31 && limited === null; i++) {
            const response = await engine.app.request("/v1/users?query=b-0001&limit=1", {}, remote);
            if (response.status === 429) limited = response;
            else await response.body?.cancel();
          }
          assert.ok(limited, "the 31st request from one address is refused");
          assert.match((await limited.json()).reason, /from this address/);
        },
      );

      const victim = "b-000005";
      const token = await login(victim);
      let history: { payload: Record<string, unknown> }[] = [];

      await t.step("before the erasure the user is everywhere", async () => {
        await eventually(
          () => json<{ eventsApplied: number }>(`/v1/users/${victim}`, { token }),
          (user) => user.eventsApplied > 20,
          "the demo history",
        );
        await json(`/v1/users/${victim}/consents`, { token, method: "PUT", json: { marketing: false } });
        await json("/v1/chat", { token, json: { message: "какие у меня предложения?" } });
        await json("/admin/jobs/vectors.recompute/run", { ...admin, method: "POST" });
        await engine.supervisor.flush();
        const present = await eventually(
          async () => {
            const counts: Record<string, number> = {};
            for (const table of USER_TABLES) {
              const [{ n }] = await sql<{ n: number }[]>`
            select count(*)::int as n from ${sql(table)} where user_id = ${victim}`;
              counts[table] = n;
            }
            return counts;
          },
          (counts) => counts.chat_turns > 0,
          "the chat turn row",
        );
        for (const table of USER_TABLES) {
          if (table !== "notifications") {
            assert.ok(present[table] > 0, `${table} holds ${victim} before the erasure`);
          }
        }
        history = await sql<{ payload: Record<string, unknown> }[]>`
        select payload from event_log where user_id = ${victim} order by ts`;
      });

      await t.step("DELETE /v1/users/:id erases the user from every table, memory and the log", async () => {
        assert.equal(
          (await call(`/v1/users/${victim}`, { method: "DELETE", token: await login("b-000006") })).status,
          403,
        );
        const report = await json<{
          actor: boolean;
          deleted: Record<string, number>;
          tombstone: { topic: string; written: boolean };
          partition: number;
        }>(`/v1/users/${victim}`, { method: "DELETE", token });
        assert.equal(report.actor, true);
        assert.ok(
          report.deleted.users === 1 && report.deleted.event_log > 0 && report.deleted.bank_monthly > 0,
        );
        assert.deepEqual(report.tombstone, { topic: TOPICS.usersTombstones, written: true });

        // Every table with a user_id column is an erased table or the erasure marks: none is forgotten.
        const columns = await sql<{ table_name: string }[]>`
        select table_name from information_schema.columns
        where table_schema = 'public' and column_name = 'user_id' order by table_name`;
        assert.deepEqual(
          columns.map((row) => row.table_name).sort(),
          [...USER_TABLES, ...KEPT_TABLES].sort(),
        );
        // No row of any table mentions the user, in any column (the erasure marks aside).
        const tables = await sql<{ table_name: string }[]>`
        select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`;
        for (const { table_name: table } of tables) {
          if ((KEPT_TABLES as readonly string[]).includes(table)) continue;
          const [{ n }] = await sql<{ n: number }[]>`
          select count(*)::int as n from ${sql(table)} t where t::text ~ ${victim + "([^0-9]|$)"}`;
          assert.equal(n, 0, `${table} still mentions ${victim}`);
        }
        const [mark] = await sql<{ user_id: string; partition: number }[]>`
        select user_id, partition from erasures where user_id = ${victim}`;
        assert.equal(mark.partition, report.partition);

        const actors = await json<{ actors: { userId: string }[] }>("/admin/actors?limit=10000", admin);
        assert.ok(!actors.actors.some((actor) => actor.userId === victim), "the actor is gone from memory");
        for (const path of [`/v1/users/${victim}/recommendations`, `/v1/users/${victim}`]) {
          const response = await call(path, { token });
          assert.equal(response.status, 410, path);
          assert.equal((await response.json()).error, "this user was erased");
        }
        const write = await call(`/v1/users/${victim}/operations`, {
          token,
          json: { kind: "salary", amount: 90000 },
        });
        assert.equal(write.status, 410, "an old token cannot start a new profile");
        await write.body?.cancel();
        assert.equal((await call("/v1/auth/demo-login", { json: { userId: victim } })).status, 404);
        assert.ok(!actors.actors.some((actor) => actor.userId === victim));

        // The tombstone is on disk in the in-process log: key userId, null value.
        const file = `${engine.config.dataDir}/log/${TOPICS.usersTombstones}-${report.partition}.log`;
        const lines = (await Deno.readTextFile(file)).trim().split("\n").slice(1).map((line) =>
          JSON.parse(line)
        );
        assert.deepEqual(lines.at(-1), { k: victim, v: null, h: {} });
      });

      await t.step("the user's old events replayed onto the log do not bring the user back", async () => {
        const dropped = engine.supervisor.erasedEventsDropped;
        await engine.bus.produce(
          TOPICS.events,
          history.map((row) => ({ key: victim, value: JSON.stringify({ ...row.payload, userId: victim }) })),
        );
        await eventually(
          () => Promise.resolve(engine.supervisor.erasedEventsDropped),
          (count) => count >= dropped + history.length,
          "the replayed events to be dropped",
        );
        await engine.supervisor.flush();
        for (const table of USER_TABLES) {
          const [{ n }] = await sql<{ n: number }[]>`
          select count(*)::int as n from ${sql(table)} where user_id = ${victim}`;
          assert.equal(n, 0, `${table} after the replay`);
        }
        assert.equal(engine.supervisor.peek(victim), undefined);
        const metrics = await (await call("/metrics")).text();
        assert.match(metrics, /engine_erased_events_dropped \d+/);
      });

      await t.step("a bank id registered again after its erasure starts an empty profile", async () => {
        const { userId, profile, eventsApplied } = registered!;
        assert.ok(eventsApplied > 0);
        await json(`/v1/users/${userId}`, { ...admin, method: "DELETE" });
        const again = await json<{ userId: string; token: string; lastEventId: string }>("/v1/users", {
          json: profile,
          status: 201,
        });
        assert.equal(again.userId, userId);
        // Asked at once: the registration's events may not be applied yet, and the answer waits for them.
        const fresh = await json<{ eventsApplied: number }>(
          `/v1/users/${userId}/recommendations?waitFor=${again.lastEventId}`,
          { token: again.token },
        );
        assert.equal(
          fresh.eventsApplied,
          eventsApplied,
          "only the new registration's events, nothing from before",
        );
      });
    },
  );
});
