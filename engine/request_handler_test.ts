import assert from "node:assert/strict";
import type { EventBus, IncomingRecord, OutgoingRecord } from "../bus/bus.ts";
import { createLogger } from "../obs/log.ts";
import { parseRequest, RequestHandler } from "./request_handler.ts";

function record(value: string, headers: Record<string, string>, key: string | null = "u-1"): IncomingRecord {
  return { partition: 0, offset: 0, key, value, headers };
}
const HEADERS = { "reply-to": "replies", "correlation-id": "c-1" };

Deno.test("parseRequest reads recommend and chat requests", () => {
  assert.deepEqual(parseRequest(record('{"type":"recommend","k":2}', HEADERS)), {
    ok: true,
    userId: "u-1",
    replyTo: "replies",
    correlationId: "c-1",
    request: { type: "recommend", k: 2, lang: "ru" },
  });
  const chat = parseRequest(record('{"type":"chat","message":"привет","lang":"en"}', HEADERS));
  assert.ok(chat.ok && chat.request.type === "chat" && chat.request.lang === "en");
});

Deno.test("parseRequest gives a reason for every malformed or hostile request", () => {
  const cases: [IncomingRecord, string][] = [
    [record("{}", {}), "missing reply-to header"],
    [record("{}", { "reply-to": "events", "correlation-id": "c" }), "reply-to must name a topic"],
    [record("{}", { "reply-to": "../x", "correlation-id": "c" }), "reply-to must name a topic"],
    [record("{}", { "reply-to": "replies" }), "missing or malformed correlation-id header"],
    [record("{}", { "reply-to": "replies", "correlation-id": "x".repeat(200) }), "missing or malformed"],
    [record("{}", HEADERS, null), "the record key must be a user id"],
    [record("{}", HEADERS, "bad key with spaces"), "the record key must be a user id"],
    [record("{", HEADERS), "malformed JSON"],
    [record("[]", HEADERS), "request must be an object"],
    [record('{"type":"recommend","k":0}', HEADERS), "k must be"],
    [record('{"type":"recommend","k":"3"}', HEADERS), "k must be"],
    [record('{"type":"chat"}', HEADERS), "chat needs a message"],
    [record(JSON.stringify({ type: "chat", message: "x".repeat(5000) }), HEADERS), "message too long"],
    // The same limit as POST /v1/chat: a request forwarded to the owner over HTTP must not be refused there.
    [record(JSON.stringify({ type: "chat", message: "x".repeat(2_001) }), HEADERS), "message too long"],
    [record('{"type":"drop_tables"}', HEADERS), "type must be recommend or chat"],
    [record('{"type":"recommend","lang":"de"}', HEADERS), "lang must be ru or en"],
    [record("x".repeat(20_000), HEADERS), "request too large"],
  ];
  const longest = parseRequest(record(JSON.stringify({ type: "chat", message: "я".repeat(2_000) }), HEADERS));
  assert.ok(longest.ok, "a message of exactly 2,000 characters is accepted");
  for (const [input, reason] of cases) {
    const parsed = parseRequest(input);
    assert.equal(parsed.ok, false, reason);
    if (!parsed.ok) assert.ok(parsed.reason.startsWith(reason), `${parsed.reason} vs ${reason}`);
  }
});

Deno.test("RequestHandler sends a reply again when the producer fails for a moment", async () => {
  // Found by the fuzz suite: "Broker not connected" on a reply left the asker without an answer.
  const sent: OutgoingRecord[] = [];
  let failures = 2;
  const bus = {
    produce: (_topic: string, records: OutgoingRecord[]) => {
      if (failures-- > 0) return Promise.reject(new Error("Broker not connected"));
      sent.push(...records);
      return Promise.resolve();
    },
  } as unknown as EventBus;
  const handler = new RequestHandler({
    bus,
    logger: createLogger({}, "error"),
    nodeId: "node-1",
    answer: () => Promise.resolve({ offers: [] }),
  });
  await handler.handleBatch([record('{"type":"recommend"}', HEADERS)]);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].headers?.["correlation-id"], "c-1");
  assert.equal(JSON.parse(sent[0].value ?? "").ok, true);
});
