/**
 * Ingest end to end on the real components: an engine subprocess consuming
 * from a 3-broker librdkafka mock cluster and snapshotting to the real
 * Postgres.
 */

import assert from "node:assert/strict";
import { ADMIN_TOKEN, Cluster, makeEvent, waitFor } from "./_harness.ts";

interface ActorView {
  nodeId: string;
  partition: number;
  offset: number;
  eventsApplied: number;
  dirty: boolean;
  lastSnapshotAt: string | null;
  preferences: { category: { key: string; long: number }[] };
}

Deno.test("events reach actor state; malformed, duplicate and hostile ones reach the DLQ with a reason", async () => {
  const cluster = await Cluster.start();
  try {
    const node = await cluster.startNode("ingest-1");

    // Through the HTTP gateway, which validates and produces to Kafka.
    const alice = [makeEvent("alice"), makeEvent("alice", { type: "view" }), makeEvent("alice")];
    const response = await node.request("/v1/events", {
      method: "POST",
      headers: { "x-request-id": "req-trace-1" },
      body: JSON.stringify([...alice, { eventId: "e-1", userId: "alice", type: "teleport", ts: "x" }]),
    });
    assert.equal(response.status, 202);
    assert.equal(response.headers.get("x-request-id"), "req-trace-1");
    const reply = await response.json();
    assert.equal(reply.accepted, 3);
    assert.deepEqual(reply.rejected, [{ index: 3, reason: 'unknown type "teleport"' }]);
    await waitFor("alice's events applied", async () => {
      const view = await node.json<ActorView>("/admin/actors/alice");
      return view.eventsApplied === 3;
    });

    // Consumer lag per owned partition is polled from the brokers' end offsets and drains to zero.
    await waitFor("consumer lag reported and drained", async () => {
      const metrics = await (await node.request("/metrics")).text();
      const lags = [...metrics.matchAll(/^engine_consumer_lag\{partition="\d+"\} (\d+)$/gm)].map((m) =>
        Number(m[1])
      );
      return lags.length > 0 && lags.every((value) => value === 0);
    }, { timeoutMs: 20_000 });

    // Straight to Kafka, as any producer could: junk between two valid events.
    const duplicate = makeEvent("carol");
    const junk: { key: string | null; value: string }[] = [
      { key: "carol", value: JSON.stringify(duplicate) },
      { key: "carol", value: JSON.stringify(duplicate) },
      { key: "carol", value: "{not json" },
      { key: "carol", value: JSON.stringify(makeEvent("carol", { ts: "2999-01-01T00:00:00Z" })) },
      { key: "carol", value: JSON.stringify(makeEvent("carol", { type: "operation", value: 1e15 })) },
      { key: "carol", value: JSON.stringify(makeEvent("carol", { type: "hack" })) },
      {
        key: "carol",
        value: `{"__proto__":{"polluted":true},${JSON.stringify(makeEvent("carol")).slice(1)}`,
      },
      { key: "carol", value: JSON.stringify(makeEvent("carol", { query: "x".repeat(100_000) })) },
      { key: "carol", value: JSON.stringify(makeEvent("carol", { eventId: undefined })) },
      { key: "carol", value: "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]" },
      { key: "mallory", value: JSON.stringify(makeEvent("carol")) },
      { key: "carol", value: JSON.stringify(makeEvent("carol", { type: "view" })) },
    ];
    await cluster.produce("events", junk);
    await waitFor("carol's valid events applied", async () => {
      const view = await node.json<ActorView>("/admin/actors/carol");
      return view.eventsApplied === 2;
    });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);

    // One DLQ record from the HTTP gateway and ten from the consumer.
    const letters = (await cluster.readTopic("events.dlq", 11)).map((record) => JSON.parse(record.value));
    const reasons = letters.map((letter) => letter.reason).sort();
    // The gateway's rejection carries the request id that sent it.
    assert.equal(
      letters.find((letter) => letter.reason === 'unknown type "teleport"').requestId,
      "req-trace-1",
    );
    assert.deepEqual(reasons, [
      "absurd amount",
      "duplicate eventId",
      "future timestamp",
      "key does not match userId",
      "malformed json",
      "missing eventId",
      "not an object",
      "too large",
      'unknown field "__proto__"',
      'unknown type "hack"',
      'unknown type "teleport"',
    ]);
    const tooLarge = letters.find((letter) => letter.reason === "too large");
    assert.equal(tooLarge.truncated, false);
    assert.ok(tooLarge.value.length > 100_000, "the DLQ keeps the original record");

    // The actor survived all of it and still applies events.
    await cluster.produce("events", [{ key: "carol", value: JSON.stringify(makeEvent("carol")) }]);
    await waitFor("carol's third event", async () => {
      const view = await node.json<ActorView>("/admin/actors/carol");
      return view.eventsApplied === 3;
    });
    const carol = await node.json<ActorView>("/admin/actors/carol");
    assert.equal(carol.nodeId, "ingest-1");
    assert.equal(carol.preferences.category[0].key, "dairy");

    // State is snapshotted to Postgres in the background, with the offset.
    await waitFor("carol's snapshot", async () => {
      const view = await node.json<ActorView>("/admin/actors/carol");
      return !view.dirty && view.lastSnapshotAt !== null;
    });

    const metrics = await (await node.request("/metrics")).text();
    assert.match(metrics, /engine_events_applied_total 6/);
    assert.match(metrics, /engine_dead_letters_total 10/);
  } finally {
    await cluster.close();
  }
});

Deno.test("admin endpoints require ADMIN_TOKEN and ingest validates its body", async () => {
  const cluster = await Cluster.start({ partitions: 2 });
  try {
    const node = await cluster.startNode("auth-1");
    const anonymous = await fetch(`${node.url}/admin/cluster`);
    assert.equal(anonymous.status, 401);
    assert.equal((await anonymous.json()).reason, "missing bearer token");
    assert.equal(anonymous.headers.get("www-authenticate"), 'Bearer realm="admin"');
    const wrong = await node.request("/admin/actors", { headers: { authorization: "Bearer nope" } });
    assert.equal(wrong.status, 401);
    assert.equal((await wrong.json()).reason, "wrong token");
    const malformed = await node.request("/admin/actors/x", { headers: { authorization: "Basic abc" } });
    assert.equal(malformed.status, 401);
    await malformed.body?.cancel();
    for (const path of ["/admin/actors/x/passivate", "/admin/actors/x/snapshot"]) {
      const response = await fetch(node.url + path, { method: "POST" });
      assert.equal(response.status, 401, path);
      await response.body?.cancel();
    }
    const cluster_ = await node.json<{ nodes: { nodeId: string }[]; partitions: unknown[] }>(
      "/admin/cluster",
    );
    assert.deepEqual(cluster_.nodes.map((n) => n.nodeId), ["auth-1"]);
    assert.equal(cluster_.partitions.length, 2);

    const jobs = await node.json<{ jobs: { name: string; everyMs: number; nextRunAt: string | null }[] }>(
      "/admin/jobs",
    );
    const longTerm = jobs.jobs.find((job) => job.name === "profile.long_term");
    assert.ok(longTerm && longTerm.everyMs >= 15 * 60_000 && longTerm.everyMs <= 30 * 60_000);
    assert.ok(longTerm.nextRunAt !== null);
    const ran = await node.json<{ job: { runs: number; lastOutcome: { ok: boolean } } }>(
      "/admin/jobs/profile.long_term/run",
      { method: "POST" },
    );
    assert.equal(ran.job.runs, 1);
    assert.equal(ran.job.lastOutcome.ok, true);
    const missingJob = await node.request("/admin/jobs/nope/run", { method: "POST" });
    assert.equal(missingJob.status, 404);
    await missingJob.body?.cancel();

    const health = await fetch(`${node.url}/healthz`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
    const openapi = await (await fetch(`${node.url}/openapi.json`)).json();
    for (const path of ["/v1/events", "/admin/cluster", "/admin/actors", "/admin/actors/{id}", "/metrics"]) {
      assert.ok(openapi.paths[path], `${path} is documented`);
    }

    const post = (body: string, token = ADMIN_TOKEN) =>
      fetch(`${node.url}/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
      });
    const unauthorized = await post("[]", "bad-token");
    assert.equal(unauthorized.status, 401);
    await unauthorized.body?.cancel();
    const notJson = await post("{oops");
    assert.equal(notJson.status, 400);
    assert.equal((await notJson.json()).error, "malformed JSON");
    const notArray = await post('{"eventId":"x"}');
    assert.equal(notArray.status, 400);
    await notArray.body?.cancel();
    const tooMany = await post(JSON.stringify(Array.from({ length: 1001 }, () => makeEvent("u"))));
    assert.equal(tooMany.status, 413);
    assert.equal((await tooMany.json()).limit, 1000);
    const huge = await post(`["${"x".repeat(5 * 1024 * 1024)}"]`);
    assert.equal(huge.status, 413);
    await huge.body?.cancel();
    const badId = await node.request("/admin/actors/" + encodeURIComponent("../etc/passwd"));
    assert.equal(badId.status, 400);
    await badId.body?.cancel();
  } finally {
    await cluster.close();
  }
});
