/**
 * Kafka request/reply over the librdkafka mock cluster: any Kafka client asks
 * for recommendations or a chat answer by writing to `requests` with
 * `reply-to` and `correlation-id`; the node owning the user answers on the
 * reply topic with the same correlation id. Bad requests get a reason, and a
 * request naming one of the engine's own topics as `reply-to` is not answered
 * there.
 */

import assert from "node:assert/strict";
import { TOPICS } from "../bus/bus.ts";
import { Cluster, makeEvent } from "./_harness.ts";

const REPLIES = "replies.test";

Deno.test("Kafka request/reply: the owner answers recommend and chat requests with the correlation id", async () => {
  const cluster = await Cluster.start({ partitions: 4 });
  try {
    cluster.mock.createTopic(REPLIES, 2);
    await Promise.all([cluster.startNode("req-a"), cluster.startNode("req-b")]);
    const users = ["req-u1", "req-u2", "req-u3", "req-u4"];
    const profile = (userId: string) => [
      makeEvent(userId, { type: "profile", item: { id: "age" }, value: 41 }),
      makeEvent(userId, { type: "profile", item: { id: "segmento", category: "02 - PARTICULARES" } }),
      makeEvent(userId, { type: "profile", item: { id: "life:car_purchase" }, value: 1 }),
    ];
    await cluster.produce(
      TOPICS.events,
      users.flatMap(profile).map((event) => ({ key: String(event.userId), value: JSON.stringify(event) })),
    );
    const headers = (id: string, replyTo = REPLIES) => ({ "reply-to": replyTo, "correlation-id": id });
    await cluster.produce(TOPICS.requests, [
      ...users.map((userId, i) => ({
        key: userId,
        value: JSON.stringify({ type: "recommend", k: 2 }),
        headers: headers(`rec-${i}`),
      })),
      {
        key: "req-u1",
        value: JSON.stringify({ type: "chat", message: "почему мне предлагают это?" }),
        headers: headers("chat-1"),
      },
      { key: "req-u2", value: "{not json", headers: headers("bad-json") },
      { key: "req-u2", value: JSON.stringify({ type: "recommend", k: 99 }), headers: headers("bad-k") },
      { key: "req-u2", value: JSON.stringify({ type: "transfer_money" }), headers: headers("bad-type") },
      {
        key: "req-u3",
        value: JSON.stringify({ type: "recommend" }),
        headers: headers("hijack", TOPICS.events),
      },
      { key: "req-u3", value: JSON.stringify({ type: "recommend" }), headers: { "reply-to": REPLIES } },
    ]);
    const replies = await cluster.readTopic(REPLIES, 9, 60_000);
    const byId = new Map(replies.map((reply) => [reply.headers["correlation-id"] ?? "none", reply]));
    for (let i = 0; i < users.length; i++) {
      const reply = byId.get(`rec-${i}`);
      assert.ok(reply, `reply to rec-${i}`);
      assert.equal(reply.key, users[i]);
      const body = JSON.parse(reply.value);
      assert.equal(body.ok, true, reply.value);
      assert.equal(body.type, "recommend");
      assert.equal(body.result.userId, users[i]);
      assert.ok(Array.isArray(body.result.offers) && Array.isArray(body.result.suppressed));
      assert.ok(body.result.eventsApplied >= 0);
    }
    const chat = JSON.parse(byId.get("chat-1")!.value);
    assert.equal(chat.ok, true, JSON.stringify(chat));
    assert.ok(chat.result.text.length > 0);
    assert.equal(chat.result.source, "template");
    for (
      const [id, reason] of [["bad-json", "malformed JSON"], ["bad-k", "k must be"], [
        "bad-type",
        "type must be",
      ]]
    ) {
      const body = JSON.parse(byId.get(id)!.value);
      assert.equal(body.ok, false);
      assert.match(body.error, new RegExp(reason));
    }
    const missing = replies.find((reply) => reply.headers["correlation-id"] === undefined);
    assert.ok(missing, "a request without a correlation id still gets a reason");
    assert.match(JSON.parse(missing.value).error, /correlation-id/);
    assert.equal(byId.has("hijack"), false);
    // Nothing was written to the events topic by the hijack attempt: it holds only the 12 profile events.
    const events = await cluster.readTopic(TOPICS.events, 12);
    assert.equal(events.length, 12);
  } finally {
    await cluster.close();
  }
});
