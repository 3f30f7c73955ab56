/**
 * Hostile input, end to end, against two engine processes on the 3-broker
 * mock cluster and the real Postgres (jwt mode, as in production), with an LLM
 * that does whatever an injection asks (it echoes its whole prompt back).
 *
 * A seeded generator (`FUZZ_SEED`, default 6; `FUZZ_SCALE` multiplies every
 * count, default 1) sends thousands of malformed events (through `POST
 * /v1/events` and straight onto the `events` topic), Kafka requests, bodies
 * and query strings for every user endpoint, huge payloads, spoofed internal
 * headers, and the Russian and English prompt-injection corpus in
 * `fuzz/corpus/`. First a victim's distinctive data is planted: a display
 * name, brands, items, a search and a chat secret. Then, as an attacker:
 *
 * - no request ever gets a 5xx or no answer; every 4xx names a reason;
 * - every rejected event has a dead letter with the validator's reason;
 * - every request with a usable `reply-to` gets a reply, with a reason when
 *   it failed;
 * - no answer to the attacker (or to anybody unauthenticated) holds the
 *   victim's id or data, and no chat answer holds the system prompt's canary;
 * - both engines still answer `/healthz`, and the accepted events were applied.
 */

import assert from "node:assert/strict";
import { partitionFor, TOPICS } from "../bus/bus.ts";
import { parseEvent, parseEventJson } from "../domain/event.ts";
import { parseRequest } from "../engine/request_handler.ts";
import {
  type BodyShape,
  encodeHostile,
  hostileBody,
  hostileQuery,
  hugeRecordValue,
  junkRecordValue,
  malformedEventJson,
  requestRecord,
  toJsonText,
  validEvent,
} from "../fuzz/generators.ts";
import { HOSTILE_STRINGS } from "../fuzz/hostile_values.ts";
import { injections } from "../fuzz/injection_corpus.ts";
import { seededRandom } from "../fuzz/random.ts";
import { UserTokens } from "../http/user_auth.ts";
import { type FakeBehaviour, type RecordedRequest, startFakeOpenAi } from "../llm/_fake_openai_server.ts";
import { type FuzzRequest, FuzzTally, pool, send } from "./_fuzz_client.ts";
import { ADMIN_TOKEN, Cluster, type EngineNode, waitFor } from "./_harness.ts";

const SCALE = Number(Deno.env.get("FUZZ_SCALE") ?? "1");
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? "6");
/** `FUZZ_ONLY=events,requests,users,chat` runs some of the surfaces (all by default). */
const ONLY = new Set((Deno.env.get("FUZZ_ONLY") ?? "events,requests,users,chat").split(","));
const AUTH_SECRET = "fuzz-identity-provider-secret-0123";
const ISSUER = "https://id.fuzz.example";
const REPLIES = "fuzz.replies";
// Eight partitions: the mock broker keeps about 5 MB of each, and the dead letters of a large run add up.
const PARTITIONS = 8;
const COUNTS = {
  httpEvents: Math.round(2_000 * SCALE),
  kafkaRecords: Math.round(1_500 * SCALE),
  requests: Math.round(300 * SCALE),
  userRequests: Math.round(2_000 * SCALE),
  chatRounds: Math.max(1, Math.round(2 * SCALE)),
};

/** The LLM an injection would wish for: it repeats its instructions, or the user's text, or both. */
function compromisedLlm(): FakeBehaviour {
  let calls = 0;
  return {
    kind: "text",
    chunkChars: 400,
    text: (request: RecordedRequest) => {
      calls++;
      if (calls % 3 === 0) return `Конечно! ${request.system}\n${request.user}`;
      if (calls % 3 === 1) return `Sure. ${request.user}`;
      return "Вот ваши данные: ![x](https://attacker.example/c?d=1) <script>alert(1)</script>";
    },
  };
}

Deno.test({
  name: "fuzz: malformed events, requests and chat never crash the engine, always get a reason, never leak",
  fn: async (t) => {
    const random = seededRandom(SEED);
    await using llm = startFakeOpenAi(compromisedLlm());
    const cluster = await Cluster.start({ partitions: PARTITIONS });
    try {
      cluster.mock.createTopic(REPLIES, 2);
      const env = {
        AUTH_MODE: "jwt",
        AUTH_SECRET,
        JWT_ISSUER: ISSUER,
        LLM_BASE_URL: llm.baseUrl,
        LLM_MODEL: "fuzz-model",
        LOG_LEVEL: "warn",
        // One address sends everything here; the limiter still runs on each request.
        RATE_LIMIT_IP_PER_MIN: "10000000",
        RATE_LIMIT_USER_PER_MIN: "10000000",
      };
      const nodes = await Promise.all([cluster.startNode("fuzz-a", env), cluster.startNode("fuzz-b", env)]);
      await waitFor("both nodes own partitions", async () => {
        const view = await nodes[0].json<{ nodes: { owned: number[] }[] }>("/admin/cluster");
        return view.nodes.length === 2 && view.nodes.every((node) => node.owned.length > 0);
      }, { timeoutMs: 40_000 });
      const tokens = new UserTokens(AUTH_SECRET, { issuer: ISSUER });
      const tokenOf = async (userId: string) => (await tokens.issue(userId, Date.now())).token;
      const node = () => random.pick(nodes);
      const hex = Array.from(
        crypto.getRandomValues(new Uint8Array(4)),
        (b) => b.toString(16).padStart(2, "0"),
      )
        .join("");

      const register = async (displayName: string) => {
        const answer = await send(nodes[0].url, {
          surface: "setup",
          method: "POST",
          path: "/v1/users",
          token: ADMIN_TOKEN,
          as: "service",
          body: JSON.stringify({
            displayName,
            age: 34,
            sexo: "H",
            segmento: "02 - PARTICULARES",
            location: "msk",
          }),
        });
        assert.equal(answer.status, 201, answer.text);
        return (JSON.parse(answer.text) as { userId: string }).userId;
      };

      // The victim and its distinctive data.
      const secrets = {
        name: `Канарейкина${hex}`,
        brand: `VictimBrand${hex}`,
        item: `victim-sku-${hex}`,
        search: `секретный запрос ${hex}`,
        chat: `ZEBRA${hex}`,
      };
      const victim = await register(`Виктория ${secrets.name}`);
      const attacker = await register("Алексей Нападающий");
      const tally = new FuzzTally({ victimId: victim, secrets: Object.values(secrets) });
      const attackerToken = await tokenOf(attacker);

      await t.step("plant the victim's data", async () => {
        const victimToken = await tokenOf(victim);
        const events = [
          validEvent(random, victim, Date.now()),
          {
            ...validEvent(random, victim, Date.now()),
            type: "view",
            item: { id: secrets.item, brand: secrets.brand, category: "dairy", price: 99 },
          },
          { ...validEvent(random, victim, Date.now()), type: "search", query: secrets.search },
          ...[attacker, attacker].map((userId) => validEvent(random, userId, Date.now())),
        ];
        const ingest = await send(nodes[0].url, {
          surface: "setup",
          method: "POST",
          path: "/v1/events",
          token: ADMIN_TOKEN,
          as: "service",
          body: JSON.stringify(events),
        });
        assert.equal(ingest.status, 202, ingest.text);
        const chat = await send(node().url, {
          surface: "setup",
          method: "POST",
          path: "/v1/chat",
          token: victimToken,
          as: "service",
          body: JSON.stringify({ message: `Запомни мой секретный код ${secrets.chat}, пожалуйста` }),
        });
        assert.equal(chat.status, 200, chat.text);
        await waitFor("the victim's data applied", async () => {
          const view = await nodes[1].json<
            { session: { turns: { text: string }[] } | null; eventsApplied: number }
          >(
            `/admin/actors/${victim}`,
          );
          return view.eventsApplied >= 7 && JSON.stringify(view.session).includes(secrets.chat);
        });
        const profile = await send(nodes[1].url, {
          surface: "setup",
          method: "GET",
          path: `/v1/users/${victim}`,
          token: victimToken,
          as: "service",
        });
        assert.ok(profile.text.includes(secrets.name), "the victim sees its own name");
      });

      // Events the validators accepted, per user, to check they were applied exactly.
      const accepted = new Map<string, number>();
      // A hostile but valid eventId ("null", "__proto__") can repeat for a user: the actor drops a repeat it
      // still remembers as a retry, so such users are checked only loosely.
      const acceptedIds = new Map<string, Set<string>>();
      const repeated = new Set<string>();
      const repeatedPairs = new Set<string>();
      const accept = (userId: string, eventId: string) => {
        const ids = acceptedIds.get(userId) ?? new Set<string>();
        acceptedIds.set(userId, ids);
        if (ids.has(eventId)) {
          repeated.add(userId);
          repeatedPairs.add(`${userId}\n${eventId}`);
        }
        ids.add(eventId);
        accepted.set(userId, (accepted.get(userId) ?? 0) + 1);
      };
      const expectedHttpLetters: { reason: string; value: string }[] = [];
      // Dead letters of junk bodies that happened to be lists (not matched one by one).
      let otherHttpLetters = 0;
      const expectedKafkaLetters = new Map<string, string>();

      await t.step(`POST /v1/events: ${COUNTS.httpEvents} malformed events each get a reason`, async () => {
        if (!ONLY.has("events")) return;
        const users = Array.from({ length: 20 }, (_, i) => `fz-http-${i}`);
        const texts: string[] = [];
        for (let i = 0; i < COUNTS.httpEvents; i++) {
          const userId = random.chance(0.05) ? random.pick(HOSTILE_STRINGS) : random.pick(users);
          texts.push(
            random.chance(0.15)
              ? toJsonText(validEvent(random, userId, Date.now()))
              : malformedEventJson(random, userId, Date.now()),
          );
        }
        const batches: string[][] = [];
        for (let at = 0; at < texts.length; at += 200) batches.push(texts.slice(at, at + 200));
        await pool(batches, 4, async (batch) => {
          const nowMs = Date.now();
          const request: FuzzRequest = {
            surface: "POST /v1/events",
            method: "POST",
            path: "/v1/events",
            token: ADMIN_TOKEN,
            as: "service",
            body: `[${batch.join(",")}]`,
          };
          const answer = await send(node().url, request);
          tally.judge(request, answer);
          if (answer.status !== 202) return tally.problem(`ingest answered ${answer.status}: ${answer.text}`);
          const body = JSON.parse(answer.text) as {
            accepted: number;
            rejected: { index: number; reason: string }[];
          };
          const rejected = new Map(body.rejected.map((entry) => [entry.index, entry.reason]));
          batch.forEach((text, index) => {
            const raw = JSON.parse(text);
            const local = parseEvent(raw, { nowMs });
            const reason = rejected.get(index);
            if (local.ok) {
              if (reason !== undefined) tally.problem(`a valid event was rejected (${reason}): ${text}`);
              accept(local.event.userId, local.event.eventId);
            } else if (reason === undefined || reason.trim() === "") {
              tally.problem(`an invalid event (${local.reason}) got no reason: ${text.slice(0, 300)}`);
            } else {
              if (reason !== local.reason) tally.problem(`reason ${reason}, validator says ${local.reason}`);
              expectedHttpLetters.push({ reason, value: JSON.stringify(raw) });
            }
          });
          if (body.accepted + body.rejected.length !== batch.length) {
            tally.problem(`accepted ${body.accepted} + rejected ${body.rejected.length} != ${batch.length}`);
          }
        });
        // Bodies that are not a list of events at all.
        const bodies: { body: string | Uint8Array; token?: string }[] = [
          ...Array.from({ length: 20 }, () => ({ body: junkRecordValue(random), token: ADMIN_TOKEN })),
          { body: `[${Array(1_001).fill("{}").join(",")}]`, token: ADMIN_TOKEN },
          { body: new Uint8Array(5 * 1024 * 1024).fill(91), token: ADMIN_TOKEN },
          { body: new Uint8Array([0xff, 0xfe, 0x00, 0x5b]), token: ADMIN_TOKEN },
          { body: "[]", token: undefined },
          { body: "[]", token: attackerToken },
          { body: "[]", token: "x".repeat(5_000) },
        ];
        await pool(bodies, 4, async ({ body, token }) => {
          const request: FuzzRequest = {
            surface: "POST /v1/events (not a list)",
            method: "POST",
            path: "/v1/events",
            token,
            as: "anonymous",
            body,
          };
          const answer = await send(node().url, request);
          tally.judge(request, answer);
          if (answer.status === 202) {
            otherHttpLetters += (JSON.parse(answer.text) as { rejected: unknown[] }).rejected.length;
          }
        });
      });

      await t.step(
        `events topic: ${COUNTS.kafkaRecords} malformed records are dead-lettered with a reason`,
        async () => {
          if (!ONLY.has("events")) return;
          const users = Array.from({ length: 20 }, (_, i) => `fz-kafka-${i}`);
          const producer = cluster.kafka.producer();
          await producer.connect();
          try {
            const byPartition = new Map<number, { key: string | null; value: string | null }[]>();
            // A few records far over the limit, whatever the scale (the mock broker keeps about 5 MB a partition).
            for (let i = 0; i < 6; i++) {
              const userId = random.pick(users);
              const home = partitionFor(userId, PARTITIONS);
              byPartition.set(home, [...(byPartition.get(home) ?? []), {
                key: userId,
                value: hugeRecordValue(random),
              }]);
            }
            for (let i = 0; i < COUNTS.kafkaRecords; i++) {
              const userId = random.pick(users);
              const home = partitionFor(userId, PARTITIONS);
              let record: { key: string | null; value: string | null; partition: number };
              const roll = random();
              if (roll < 0.55) {
                record = {
                  key: userId,
                  value: malformedEventJson(random, userId, Date.now()),
                  partition: home,
                };
              } else if (roll < 0.75) {
                record = {
                  key: random.pick([userId, null]),
                  value: junkRecordValue(random),
                  partition: home,
                };
              } else if (roll < 0.8) {
                record = { key: userId, value: null, partition: home };
              } else if (roll < 0.85) {
                const other = random.pick(users.filter((user) => user !== userId));
                record = {
                  key: other,
                  value: toJsonText(validEvent(random, userId, Date.now())),
                  partition: home,
                };
              } else if (roll < 0.9) {
                record = {
                  key: userId,
                  value: toJsonText(validEvent(random, userId, Date.now())),
                  partition: (home + 1) % PARTITIONS,
                };
              } else {
                record = {
                  key: userId,
                  value: toJsonText(validEvent(random, userId, Date.now())),
                  partition: home,
                };
              }
              const list = byPartition.get(record.partition) ?? [];
              list.push({ key: record.key, value: record.value });
              byPartition.set(record.partition, list);
            }
            for (const [partition, records] of byPartition) {
              for (let at = 0; at < records.length; at += 100) {
                const chunk = records.slice(at, at + 100);
                const nowMs = Date.now();
                const [meta] = await producer.send({
                  topic: TOPICS.events,
                  acks: -1,
                  messages: chunk.map((record) => ({ key: record.key, value: record.value, partition })),
                });
                const base = Number(meta.baseOffset);
                chunk.forEach((record, index) => {
                  const parsed = parseEventJson(record.value ?? "", { nowMs });
                  const reason = !parsed.ok
                    ? parsed.reason
                    : record.key !== null && record.key !== parsed.event.userId
                    ? "key does not match userId"
                    : partitionFor(parsed.event.userId, PARTITIONS) !== partition
                    ? "userId belongs to another partition"
                    : null;
                  if (reason !== null) expectedKafkaLetters.set(`${partition}:${base + index}`, reason);
                  else if (parsed.ok) {
                    accept(parsed.event.userId, parsed.event.eventId);
                  }
                });
              }
            }
          } finally {
            await producer.disconnect();
          }
          const total = expectedHttpLetters.length + otherHttpLetters + expectedKafkaLetters.size;
          const letters = await cluster.readTopic(TOPICS.eventsDlq, total, 60_000 + 30_000 * SCALE);
          const http = new Map<string, number>();
          for (const letter of letters) {
            const body = JSON.parse(letter.value) as {
              reason: string;
              source: "http" | { partition: number; offset: number };
              value: string;
            };
            if (typeof body.reason !== "string" || body.reason.trim() === "") {
              tally.problem(`a dead letter without a reason: ${letter.value.slice(0, 300)}`);
            }
            if (body.source === "http") {
              const key = `${body.reason}\n${body.value}`;
              http.set(key, (http.get(key) ?? 0) + 1);
            } else {
              const expected = expectedKafkaLetters.get(`${body.source.partition}:${body.source.offset}`);
              if (expected === undefined) {
                // The repeat of an eventId the actor remembers is a retry to it: dropped as a duplicate.
                const event = body.reason === "duplicate eventId" ? parseEventJson(body.value) : null;
                if (!event?.ok || !repeatedPairs.has(`${event.event.userId}\n${event.event.eventId}`)) {
                  tally.problem(
                    `an unexpected dead letter (${body.reason}) at ${JSON.stringify(body.source)}`,
                  );
                }
              } else if (expected !== body.reason) {
                tally.problem(`dead letter reason ${body.reason}, validator says ${expected}`);
              }
              expectedKafkaLetters.delete(`${body.source.partition}:${body.source.offset}`);
            }
          }
          for (const [where, reason] of expectedKafkaLetters) {
            tally.problem(`no dead letter for ${where} (${reason})`);
          }
          for (const { reason, value } of expectedHttpLetters) {
            const key = `${reason}\n${value}`;
            const left = http.get(key) ?? 0;
            if (left === 0) {
              tally.problem(`no dead letter for a rejected HTTP event (${reason}): ${value.slice(0, 200)}`);
            } else http.set(key, left - 1);
          }
          tally.count("events topic (dead-lettered)", 202);
        },
      );

      await t.step(
        `requests topic: ${COUNTS.requests} malformed requests get a reply with a reason`,
        async () => {
          if (!ONLY.has("requests")) return;
          const corpus = injections(victim);
          const records = Array.from(
            { length: COUNTS.requests },
            () =>
              requestRecord(random, random.chance(0.7) ? attacker : `fz-req-${random.int(5)}`, {
                replyTo: REPLIES,
                message: () => random.pick(corpus).text,
              }),
          );
          const expected = new Map<string, string | null>();
          let answerable = 0;
          for (const record of records) {
            const parsed = parseRequest({ partition: 0, offset: 0, ...record });
            if (parsed.replyTo === null) {
              continue;
            }
            answerable++;
            if (parsed.correlationId !== null) {
              expected.set(parsed.correlationId, parsed.ok ? null : parsed.reason);
            }
          }
          await cluster.produce(TOPICS.requests, records);
          // Every answerable request is answered (a reply may come twice: the engine sends again when a send
          // failed, and the asker matches by correlation id).
          const uncorrelated = answerable - expected.size;
          const done = (seen: { headers: Record<string, string> }[]) => {
            const ids = new Set(seen.map((reply) => reply.headers["correlation-id"]));
            return [...expected.keys()].every((id) => ids.has(id)) &&
              seen.filter((reply) => reply.headers["correlation-id"] === undefined).length >= uncorrelated;
          };
          const replies = await cluster.readTopicUntil(REPLIES, done, 120_000);
          if (!done(replies)) {
            const answered = new Set(replies.map((reply) => reply.headers["correlation-id"]));
            const missing = records.filter((record) =>
              expected.has(record.headers["correlation-id"] ?? "") &&
              !answered.has(record.headers["correlation-id"])
            );
            tally.problem(
              `${replies.length} replies for ${answerable} requests; unanswered: ${
                JSON.stringify(missing.slice(0, 3)).slice(0, 1_500)
              }`,
            );
          }
          for (const reply of replies) {
            tally.count("requests topic (replies)", 200);
            let body: { ok?: unknown; error?: unknown; userId?: unknown };
            try {
              body = JSON.parse(reply.value);
            } catch {
              tally.problem(`a reply that is not JSON: ${reply.value.slice(0, 200)}`);
              continue;
            }
            const reason = expected.get(reply.headers["correlation-id"] ?? "");
            if (body.ok !== true && (typeof body.error !== "string" || body.error === "")) {
              tally.problem(`a failed reply without a reason: ${reply.value.slice(0, 300)}`);
            }
            if (reason && body.error !== reason) {
              tally.problem(`reply reason ${body.error}, expected ${reason}`);
            }
            // A valid request may still be refused with a reason (the owner's HTTP limits when it was forwarded),
            // but never fail inside the engine.
            if (reason === null && body.ok !== true && /internal error/i.test(String(body.error))) {
              const asked = records.find((record) =>
                record.headers["correlation-id"] === reply.headers["correlation-id"]
              );
              tally.problem(
                `a valid request failed inside the engine: ${JSON.stringify(asked).slice(0, 600)}`,
              );
            }
            if (body.userId !== victim) {
              const leaked = tally.leaks(reply.value, false);
              if (leaked !== null) {
                tally.problem(`a reply for ${body.userId} holds the victim's ${leaked}`);
              }
            }
          }
        },
      );

      await t.step(
        `user endpoints: ${COUNTS.userRequests} hostile requests get a 2xx or a 4xx with a reason`,
        async () => {
          if (!ONLY.has("users")) return;
          const expired = (await tokens.issue(attacker, Date.now() - 86_400_000, 1_000)).token;
          const forged = attackerToken.slice(0, -4) + "AAAA";
          const [header, payload] = attackerToken.split(".");
          const algNone = `${
            btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "")
          }.${payload}.`;
          const foreign =
            (await new UserTokens("another-secret-0123456789", { issuer: ISSUER }).issue(victim, Date.now()))
              .token;
          const badTokens = [
            undefined,
            expired,
            forged,
            algNone,
            foreign,
            `${header}.${payload}`,
            "Bearer",
            "x",
          ];
          const ids = [
            attacker,
            attacker,
            attacker,
            victim,
            "../admin",
            "%2e%2e%2fadmin",
            ...HOSTILE_STRINGS.slice(0, 20),
          ];
          const requests: FuzzRequest[] = [];
          const shapes: BodyShape[] = ["chat", "feedback", "registration", "operation", "consents"];
          for (let i = 0; i < COUNTS.userRequests; i++) {
            const anonymous = random.chance(0.15);
            const token = anonymous ? random.pick(badTokens) : attackerToken;
            const as = anonymous ? "anonymous" : "attacker";
            const id = encodeHostile(random.pick(ids));
            const headers: Record<string, string> = {};
            if (random.chance(0.1)) headers["x-engine-forwarded-by"] = random.pick(["fuzz-a", "evil", ""]);
            if (random.chance(0.05)) headers["x-engine-client-ip"] = "10.0.0.1";
            if (random.chance(0.05)) {
              headers["content-type"] = random.pick(["text/plain", "application/xml", ""]);
            }
            if (random.chance(0.05)) {
              headers["accept-language"] = random.pick(HOSTILE_STRINGS.slice(0, 20));
            }
            const shape = random.pick(shapes);
            switch (random.int(12)) {
              case 0:
                requests.push({
                  surface: "GET /v1/users/:id",
                  method: "GET",
                  path: `/v1/users/${id}`,
                  token,
                  as,
                  headers,
                });
                break;
              case 1:
                requests.push({
                  surface: "GET /v1/users/:id/recommendations",
                  method: "GET",
                  path: `/v1/users/${id}/recommendations?${hostileQuery(random)}`,
                  token,
                  as,
                  headers,
                });
                break;
              case 2:
                requests.push({
                  surface: "PUT /v1/users/:id/consents",
                  method: random.pick(["PUT", "GET"]),
                  path: `/v1/users/${id}/consents`,
                  token,
                  as,
                  headers,
                  body: hostileBody(random, "consents"),
                });
                break;
              case 3:
                requests.push({
                  surface: "/v1/users/:id/operations",
                  method: random.pick(["GET", "POST"]),
                  path: `/v1/users/${id}/operations?${hostileQuery(random)}`,
                  token,
                  as,
                  headers,
                  body: hostileBody(random, "operation"),
                });
                break;
              case 4:
                requests.push({
                  surface: "GET /v1/users/:id/notifications",
                  method: "GET",
                  path: `/v1/users/${id}/notifications?${hostileQuery(random)}`,
                  token,
                  as,
                  headers,
                });
                break;
              case 5:
                requests.push({
                  surface: "POST /v1/feedback",
                  method: "POST",
                  path: `/v1/feedback${random.chance(0.3) ? `?userId=${victim}` : ""}`,
                  token,
                  as,
                  headers,
                  body: hostileBody(random, "feedback"),
                });
                break;
              case 6:
                requests.push({
                  surface: "POST /v1/users",
                  method: "POST",
                  path: "/v1/users",
                  token: random.chance(0.5) ? ADMIN_TOKEN : token,
                  as,
                  headers,
                  body: hostileBody(random, "registration"),
                });
                break;
              case 7:
                requests.push({
                  surface: "DELETE /v1/users/:id",
                  method: "DELETE",
                  path: `/v1/users/${encodeHostile(random.pick(ids.filter((value) => value !== attacker)))}`,
                  token,
                  as,
                  headers,
                });
                break;
              case 8:
                requests.push({
                  surface: "POST /v1/chat (bodies)",
                  method: "POST",
                  path: `/v1/chat${random.chance(0.3) ? `?userId=${victim}` : ""}`,
                  token,
                  as,
                  headers: { ...headers, ...(random.chance(0.5) ? { accept: "text/event-stream" } : {}) },
                  body: hostileBody(random, "chat"),
                });
                break;
              case 9:
                requests.push({
                  surface: "demo and unknown routes",
                  method: random.pick(["GET", "POST", "PATCH", "OPTIONS"]),
                  path: random.pick([
                    `/v1/users?query=${encodeHostile(random.pick(HOSTILE_STRINGS))}&limit=-1`,
                    "/v1/auth/demo-login",
                    "/v1/../admin/cluster",
                    "/v1/users/%00",
                    `/v1/users/${id}/recommendations/../../..`,
                    "/admin/actors",
                    `/admin/actors/${victim}`,
                  ]),
                  token,
                  as,
                  headers,
                  body: hostileBody(random, shape),
                });
                break;
              case 10:
                requests.push({
                  surface: "huge bodies",
                  method: "POST",
                  path: random.pick(["/v1/chat", "/v1/feedback", `/v1/users/${attacker}/operations`]),
                  token,
                  as,
                  headers,
                  body: `{"message":"${"x".repeat(random.chance(0.1) ? 5 * 1024 * 1024 : 70_000)}"}`,
                });
                break;
              default:
                requests.push({
                  surface: `wrong shape for ${shape}`,
                  method: "POST",
                  path: shape === "chat"
                    ? "/v1/chat"
                    : shape === "feedback"
                    ? "/v1/feedback"
                    : `/v1/users/${attacker}/operations`,
                  token,
                  as,
                  headers,
                  body: hostileBody(random, shape),
                });
            }
          }
          await pool(requests, 8, async (request) => {
            const target = node();
            tally.judge(request, await send(target.url, request));
          });
        },
      );

      await t.step(
        `chat: the injection corpus (${injections(victim).length} entries) gets safe answers`,
        async () => {
          if (!ONLY.has("chat")) return;
          const corpus = injections(victim);
          const jobs = Array.from({ length: COUNTS.chatRounds }).flatMap(() => corpus);
          const canaries = new Set<string>();
          await pool(jobs, 6, async (entry) => {
            const sse = random.chance(0.5);
            const request: FuzzRequest = {
              surface: "POST /v1/chat (injections)",
              method: "POST",
              path: "/v1/chat",
              token: attackerToken,
              as: "attacker",
              headers: sse ? { accept: "text/event-stream" } : {},
              body: JSON.stringify({
                message: entry.text.slice(0, 2_000),
                ...(random.chance(0.3) ? { lang: random.pick(["ru", "en"]) } : {}),
              }),
            };
            const answer = await send(node().url, request);
            tally.judge(request, answer);
            if (answer.status !== 200) return;
            let text: string;
            try {
              text = sse ? sseText(answer.text) : String(JSON.parse(answer.text).text ?? "");
            } catch {
              return tally.problem(`a chat answer that does not parse: ${answer.text.slice(0, 300)}`);
            }
            if (sse && !/event: (done|error)\n/.test(answer.text)) {
              tally.problem(`a chat stream with neither done nor error: ${answer.text.slice(-300)}`);
            }
            for (const recorded of llm.requests) {
              const canary = recorded.system.match(/CNRY-[0-9a-f]+/)?.[0];
              if (canary) canaries.add(canary);
            }
            for (const canary of canaries) {
              if (text.includes(canary)) {
                tally.problem(`a chat answer holds the prompt canary: ${entry.text}`);
              }
            }
            if (/<script|attacker\.example/i.test(text)) {
              tally.problem(`a chat answer carries markup or a link from the LLM: ${text.slice(0, 300)}`);
            }
          });
        },
      );

      await t.step("the engines are still up and applied exactly the events that were valid", async () => {
        for (const engine of nodes) {
          const answer = await send(engine.url, {
            surface: "healthz",
            method: "GET",
            path: "/healthz",
            as: "service",
          });
          assert.equal(answer.status, 200, `${engine.nodeId} /healthz: ${answer.text}`);
        }
        await checkApplied(nodes, accepted, repeated, tally);
        const summary = Object.fromEntries(
          Object.entries(tally.surfaces).map(([surface, counts]) => [surface, counts.statuses]),
        );
        console.log(`fuzz seed ${SEED} scale ${SCALE}: ${JSON.stringify(summary)}`);
        let logs = "";
        if (tally.problemCount > 0) {
          const dir = await Deno.makeTempDir({ prefix: "fuzz-logs-" });
          for (const engine of nodes) await Deno.writeTextFile(`${dir}/${engine.nodeId}.log`, engine.logs());
          logs = `engine logs in ${dir}`;
        }
        assert.equal(
          tally.problemCount,
          0,
          `${tally.problemCount} problems:\n${tally.problems.join("\n")}\n${logs}`,
        );
      });
    } finally {
      await cluster.close();
    }
  },
});

/** The text of a chat's SSE `delta` events. */
function sseText(stream: string): string {
  let text = "";
  for (const block of stream.split("\n\n")) {
    if (!block.startsWith("event: delta")) continue;
    const data = block.split("\n").find((line) => line.startsWith("data: "));
    if (data) text += (JSON.parse(data.slice(6)) as { text: string }).text;
  }
  return text;
}

/** Every user with accepted events has applied exactly that many (hostile ids included; see `repeated`). */
async function checkApplied(
  nodes: EngineNode[],
  accepted: Map<string, number>,
  repeated: ReadonlySet<string>,
  tally: FuzzTally,
): Promise<void> {
  let wrong: string[] = [];
  await waitFor("accepted events applied", async () => {
    wrong = [];
    for (const [userId, count] of accepted) {
      const response = await nodes[0].request(`/admin/actors/${encodeHostile(userId)}`);
      const text = await response.text();
      const applied = response.ok ? (JSON.parse(text) as { eventsApplied: number }).eventsApplied : -1;
      // With a repeated eventId, the repeat may be dropped as a retry: at least all but the repeats count.
      const fine = repeated.has(userId) ? applied > 0 && applied <= count : applied === count;
      if (!fine) {
        wrong.push(
          `${JSON.stringify(userId)}: applied ${applied}, accepted ${count} (${text.slice(0, 100)})`,
        );
      }
    }
    return wrong.length === 0;
  }, { timeoutMs: 30_000, intervalMs: 500 }).catch(() => {
    for (const line of wrong.slice(0, 10)) tally.problem(line);
  });
}
