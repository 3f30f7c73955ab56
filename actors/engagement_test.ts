import assert from "node:assert/strict";
import type { UserEvent } from "../domain/event.ts";
import { decodeSnapshot, encodeSnapshot } from "./snapshot_codec.ts";
import { ATTRIBUTION_WINDOW_MS, Engagement, MAX_CONTACTS } from "./engagement.ts";
import { UserActor } from "./user_actor.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1, 12);
let sequence = 0;

function event(partial: Partial<UserEvent> & Pick<UserEvent, "type">): UserEvent {
  const tsMs = partial.tsMs ?? T0;
  return { eventId: `e-${++sequence}`, userId: "u-1", ts: new Date(tsMs).toISOString(), tsMs, ...partial };
}

Deno.test("Engagement counts one impression per product per day", () => {
  const engagement = new Engagement();
  assert.equal(engagement.recordImpression("ins_auto", T0), true);
  assert.equal(engagement.recordImpression("ins_auto", T0 + 60_000), false);
  assert.equal(engagement.recordImpression("ins_auto", T0 + DAY), true);
  assert.deepEqual(engagement.contacts[0].shownAtMs, [T0, T0 + DAY]);
});

Deno.test("Engagement attributes a conversion only within the window after an impression", () => {
  const engagement = new Engagement();
  engagement.recordImpression("ind_tjcr_fin_ult1", T0);
  engagement.recordConversion("ind_tjcr_fin_ult1", T0 + ATTRIBUTION_WINDOW_MS - 1);
  engagement.recordConversion("ind_pres_fin_ult1", T0 + DAY);
  engagement.recordConversion("ind_tjcr_fin_ult1", T0 + ATTRIBUTION_WINDOW_MS + DAY);
  assert.equal(engagement.counters.conversions, 3);
  assert.equal(engagement.counters.attributed, 1);
});

Deno.test("Engagement keeps a bounded contact history", () => {
  const engagement = new Engagement();
  for (let i = 0; i < MAX_CONTACTS + 10; i++) engagement.recordImpression(`p-${i}`, T0);
  assert.equal(engagement.contacts.length, MAX_CONTACTS);
  assert.equal(engagement.contacts[0].productId, "p-10");
});

Deno.test("Engagement rejects unknown consent purposes and defaults the rest", () => {
  const engagement = new Engagement();
  assert.equal(engagement.setConsent("__proto__", false), false);
  assert.equal(engagement.setConsent("marketing", false), true);
  assert.deepEqual(engagement.consents, { personalization: true, marketing: false, llm: true });
});

Deno.test("UserActor applies consent and feedback events to its engagement, and the snapshot keeps them", () => {
  const actor = new UserActor("u-1", 0);
  assert.equal(actor.engagement, null);
  let offset = 0;
  actor.receive({
    type: "event.apply",
    event: event({ type: "profile", item: { id: "consent:llm" }, value: 0 }),
    partition: 0,
    offset: offset++,
  });
  // A consent is not a bank profile fact.
  assert.equal(actor.bank, null);
  actor.receive({ type: "offer.shown", productIds: ["ind_tjcr_fin_ult1"], atMs: T0 });
  actor.receive({
    type: "event.apply",
    event: event({
      type: "feedback",
      item: { id: "ind_pres_fin_ult1", category: "bank:credit" },
      value: -2,
      tsMs: T0 + 1000,
    }),
    partition: 0,
    offset: offset++,
  });
  actor.receive({
    type: "event.apply",
    event: event({ type: "profile", item: { id: "ind_tjcr_fin_ult1" }, value: 1, tsMs: T0 + DAY }),
    partition: 0,
    offset: offset++,
  });
  const engagement = actor.engagement!;
  assert.equal(engagement.consents.llm, false);
  assert.equal(engagement.counters.complaints, 1);
  assert.equal(engagement.counters.attributed, 1);
  assert.deepEqual([...actor.dislikedFamilies()], ["credit"]);
  const restored = new UserActor("u-1", 0, decodeSnapshot(encodeSnapshot(actor.toSnapshot())));
  assert.deepEqual(restored.engagement?.toJSON(), engagement.toJSON());
  assert.deepEqual([...restored.dislikedFamilies()], ["credit"]);
});

Deno.test("UserActor ignores feedback about items that are not bank products in its contact history", () => {
  const actor = new UserActor("u-2", 0);
  actor.receive({
    type: "event.apply",
    event: event({ type: "feedback", item: { id: "sku-1", category: "dairy" }, value: -1 }),
    partition: 0,
    offset: 0,
  });
  assert.equal(actor.engagement, null);
  assert.ok(actor.preferences.top("category")[0].long < 0);
});
