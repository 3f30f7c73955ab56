import assert from "node:assert/strict";
import type { UserEvent } from "../domain/event.ts";
import {
  decodeSnapshot,
  encodeSnapshot,
  MAX_SESSION_TURNS,
  SESSION_TTL_MS,
  UserActor,
} from "./user_actor.ts";

const T0 = Date.parse("2026-11-01T10:00:00Z");

function event(overrides: Partial<UserEvent> = {}): UserEvent {
  return {
    eventId: crypto.randomUUID(),
    userId: "u1",
    type: "order",
    ts: new Date(T0).toISOString(),
    tsMs: T0,
    item: { id: "sku-1", category: "dairy", brand: "Простоквашино", price: 120 },
    context: { channel: "mobile", location: "msk" },
    ...overrides,
  };
}

Deno.test("UserActor applies an order event once", () => {
  const actor = new UserActor("u1", 3);
  const order = event();
  assert.deepEqual(actor.receive({ type: "event.apply", event: order, partition: 3, offset: 10 }), {
    ok: true,
    applied: true,
  });
  assert.equal(actor.eventsApplied, 1);
  assert.equal(actor.offset, 10);
  // Same offset again: a replay after a crash, skipped silently.
  assert.deepEqual(actor.receive({ type: "event.apply", event: order, partition: 3, offset: 10 }), {
    ok: true,
    applied: false,
    reason: "replayed",
  });
  // Same eventId at a new offset: a producer retry, reported as a duplicate.
  assert.deepEqual(actor.receive({ type: "event.apply", event: order, partition: 3, offset: 11 }), {
    ok: false,
    reason: "duplicate eventId",
  });
  assert.equal(actor.eventsApplied, 1);
  assert.equal(actor.offset, 11);
  assert.equal(actor.location, "msk");
  const categories = actor.preferences.top("category");
  assert.equal(categories[0].key, "dairy");
  assert.equal(categories[0].long, 5);
  assert.equal(actor.preferences.top("priceBand")[0].key, "100-500");
  assert.equal(actor.preferences.top("channel")[0].key, "mobile");
});

Deno.test("UserActor forgets event ids older than its recent window", () => {
  const actor = new UserActor("u1", 0);
  const first = event();
  actor.receive({ type: "event.apply", event: first, partition: 0, offset: 0 });
  for (let i = 1; i <= 40; i++) {
    actor.receive({ type: "event.apply", event: event(), partition: 0, offset: i });
  }
  const again = actor.receive({ type: "event.apply", event: first, partition: 0, offset: 41 });
  assert.deepEqual(again, { ok: true, applied: true });
  assert.equal(actor.eventsApplied, 42);
});

Deno.test("UserActor weighs feedback by sign and ratings around the midpoint", () => {
  const actor = new UserActor("u1", 0);
  actor.receive({
    type: "event.apply",
    event: event({ type: "feedback", value: -1, item: { id: "x", category: "alcohol" } }),
    partition: 0,
    offset: 0,
  });
  actor.receive({
    type: "event.apply",
    event: event({ type: "rating", value: 5, item: { id: "y", category: "bakery" } }),
    partition: 0,
    offset: 1,
  });
  const weights = Object.fromEntries(
    actor.preferences.top("category").map((entry) => [entry.key, entry.long]),
  );
  assert.equal(weights.alcohol, -3);
  assert.equal(weights.bakery, 2);
  assert.equal(actor.preferences.categoryPriorities()[0].category, "bakery");
});

Deno.test("UserActor decays short-term preferences faster than long-term ones", () => {
  const actor = new UserActor("u1", 0);
  actor.receive({ type: "event.apply", event: event(), partition: 0, offset: 0 });
  const later = T0 + 24 * 3_600_000;
  actor.receive({
    type: "event.apply",
    event: event({ ts: new Date(later).toISOString(), tsMs: later, item: { category: "fruit" } }),
    partition: 0,
    offset: 1,
  });
  const dairy = actor.preferences.top("category").find((entry) => entry.key === "dairy")!;
  assert.ok(Math.abs(dairy.short - 2.5) < 1e-4, `short ${dairy.short}`);
  assert.ok(dairy.long > 4.8 && dairy.long < 5, `long ${dairy.long}`);
});

Deno.test("UserActor keeps dialog turns with a TTL and a cap", () => {
  const actor = new UserActor("u1", 0);
  for (let i = 0; i < MAX_SESSION_TURNS + 5; i++) {
    actor.receive({ type: "session.turn", sessionId: "s1", role: "user", text: `turn ${i}`, atMs: T0 + i });
  }
  assert.equal(actor.session?.turns.length, MAX_SESSION_TURNS);
  assert.equal(actor.session?.turns[0].text, "turn 5");
  actor.receive({ type: "session.expire", nowMs: T0 + MAX_SESSION_TURNS + 5 + SESSION_TTL_MS });
  assert.equal(actor.session, null);
  actor.receive({ type: "session.turn", sessionId: "s2", role: "user", text: "x".repeat(10_000), atMs: T0 });
  assert.equal((actor.session as { turns: { text: string }[] } | null)?.turns[0].text.length, 4_000);
});

Deno.test("UserActor snapshot round-trips through its encoding", () => {
  const actor = new UserActor("u1", 7);
  const events = [event(), event({ type: "operation", value: -2500, item: { category: "auto" } })];
  events.forEach((e, i) => actor.receive({ type: "event.apply", event: e, partition: 7, offset: i }));
  actor.receive({ type: "session.turn", sessionId: "s", role: "user", text: "привет", atMs: T0 });
  const restored = new UserActor("u1", 7, decodeSnapshot(encodeSnapshot(actor.toSnapshot())));
  assert.deepEqual(restored.toSnapshot(), actor.toSnapshot());
  // The restored actor still recognises recent event ids.
  const again = restored.receive({ type: "event.apply", event: events[0], partition: 7, offset: 5 });
  assert.deepEqual(again, { ok: false, reason: "duplicate eventId" });
  assert.throws(() => new UserActor("u2", 7, actor.toSnapshot()), /another user/);
});

Deno.test("Snapshot encoding is binary, compact, and reads legacy JSON snapshots", () => {
  const actor = new UserActor("u9", 2);
  actor.receive({ type: "event.apply", event: event(), partition: 2, offset: 0 });
  actor.receive({
    type: "event.apply",
    event: event({ type: "profile", item: { id: "ind_tjcr_fin_ult1" }, value: 1 }),
    partition: 2,
    offset: 1,
  });
  actor.receive({
    type: "session.turn",
    sessionId: "s",
    role: "user",
    text: "почему мне предлагают карту?",
    atMs: T0,
  });
  const snapshot = actor.toSnapshot();
  const bytes = encodeSnapshot(snapshot);
  assert.equal(bytes[0], 2, "format byte");
  assert.ok(bytes.length < new TextEncoder().encode(JSON.stringify(snapshot)).length / 2);
  assert.deepEqual(decodeSnapshot(bytes), snapshot);
  const legacy = new TextEncoder().encode(JSON.stringify(snapshot));
  assert.deepEqual(decodeSnapshot(legacy), snapshot);
  assert.throws(() => decodeSnapshot(new Uint8Array([9, 0, 0])), /Unknown snapshot format/);
  assert.throws(() => decodeSnapshot(new Uint8Array([...bytes, 0])), /trailing bytes/);
});

Deno.test("UserActor bumps its revision on every change of state, not on an impression already counted today", () => {
  const actor = new UserActor("u1", 0);
  assert.equal(actor.revision, 0);
  actor.receive({ type: "event.apply", event: event(), partition: 0, offset: 0 });
  assert.equal(actor.revision, 1);
  const products = ["ind_cco_fin_ult1", "ind_tjcr_fin_ult1"];
  assert.equal(actor.wouldRecordImpression(products, T0), true, "no engagement yet");
  assert.equal(actor.wouldRecordImpression([], T0), false);
  actor.receive({ type: "offer.shown", productIds: products, atMs: T0 });
  assert.equal(actor.revision, 2);
  assert.equal(actor.wouldRecordImpression(products, T0 + 60_000), false, "once a day per product");
  assert.deepEqual(actor.receive({ type: "offer.shown", productIds: products, atMs: T0 + 60_000 }), {
    ok: true,
    applied: false,
    reason: "skipped",
  });
  assert.equal(actor.revision, 2, "an impression not recorded changes nothing");
  assert.equal(
    actor.wouldRecordImpression([...products, "ind_recibo_ult1"], T0),
    true,
    "a new product counts",
  );
  assert.equal(actor.wouldRecordImpression(products, T0 + 86_400_000), true, "the next day counts again");
  actor.receive({ type: "session.turn", sessionId: "s", role: "user", text: "hi", atMs: T0 });
  actor.receive({ type: "offer.pushed", productId: products[0], atMs: T0 });
  actor.receive({ type: "profile.refresh", nowMs: T0 });
  actor.skip(5);
  assert.equal(actor.revision, 6);
  const restored = new UserActor("u1", 0, decodeSnapshot(encodeSnapshot(actor.toSnapshot())));
  assert.equal(restored.revision, 0, "a new actor object starts again");
});
