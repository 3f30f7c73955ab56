import assert from "node:assert/strict";
import { type IncomingRecord, partitionFor } from "../bus/bus.ts";
import { parseEvent, type UserEvent } from "../domain/event.ts";
import { Registry } from "../obs/metrics.ts";
import { createTestDatabase } from "../store/_test_database.ts";
import { Store } from "../store/store.ts";
import { Supervisor } from "../actors/supervisor.ts";
import { createSupervisorMetrics } from "../actors/supervisor_metrics.ts";
import { FEATURE_COUNT, FEATURE_NAMES, featureVector } from "./features.ts";
import { replayFeatures } from "./feature_replay.ts";
import { UserActor } from "../actors/user_actor.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-20T12:00:00Z");

/** A bank client's history: demographics, products, spending, salary and a car purchase. */
function history(userId: string): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  let n = 0;
  const at = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();
  const add = (daysAgo: number, body: Record<string, unknown>) =>
    events.push({ eventId: `${userId}-${n++}`, userId, ts: at(daysAgo), ...body });
  add(200, { type: "profile", item: { id: "age" }, value: 41 });
  add(200, { type: "profile", item: { id: "renta", category: "" }, value: 87000 });
  add(200, { type: "profile", item: { id: "segmento", category: "02 - PARTICULARES" } });
  add(200, { type: "profile", item: { id: "sexo", category: "V" } });
  add(200, { type: "profile", item: { id: "canal_entrada", category: "KFC" } });
  add(200, { type: "profile", item: { id: "ind_cco_fin_ult1" }, value: 1 });
  add(150, { type: "profile", item: { id: "ind_tjcr_fin_ult1" }, value: 1 });
  for (let d = 180; d > 0; d -= 3) {
    add(d, {
      type: "operation",
      value: -(500 + d * 7),
      item: { category: d % 2 ? "groceries" : "restaurants" },
    });
    if (d % 30 === 0) add(d, { type: "operation", value: 95000, item: { category: "salary" } });
  }
  add(40, { type: "operation", value: -1_900_000, item: { category: "auto_dealer" } });
  add(40, { type: "profile", item: { id: "life:car_purchase" } });
  add(20, { type: "operation", value: -3500, item: { category: "fuel" } });
  add(10, { type: "view", item: { id: "card", category: "cards" } });
  return events;
}

Deno.test("featureVector names every slot and flags a recent life event", () => {
  const events = history("f1").map((raw) =>
    (parseEvent(raw, { nowMs: NOW }) as { ok: true; event: UserEvent }).event
  );
  const [vector] = replayFeatures("f1", events, [NOW]);
  assert.equal(vector.length, FEATURE_COUNT);
  assert.equal(new Set(FEATURE_NAMES).size, FEATURE_COUNT);
  const get = (name: string) => vector[FEATURE_NAMES.indexOf(name)];
  assert.equal(get("age"), 41);
  assert.equal(get("segment_02"), 1);
  assert.equal(get("channel_KFC"), 1);
  assert.equal(get("holds_ind_tjcr_fin_ult1"), 1);
  assert.equal(get("holds_ins_auto"), 0);
  assert.equal(get("products_held"), 2);
  assert.equal(get("life_car_purchase_recent"), 1);
  assert.ok(Math.abs(get("life_car_purchase_days") - 40) < 1e-3);
  assert.equal(get("life_child_recent"), 0);
  assert.ok(get("share_auto_dealer") > 0.5, "the car dominates recent spending");
  assert.ok(get("salary_decayed_log") > 10);
  // Before the car purchase the flag is off: features never look ahead.
  const [before] = replayFeatures("f1", events, [NOW - 45 * DAY]);
  assert.equal(before[FEATURE_NAMES.indexOf("life_car_purchase_recent")], 0);
  assert.equal(before[FEATURE_NAMES.indexOf("share_auto_dealer")], 0);
  // A retail-only user has NaN bank features rather than invented zeros.
  const retail = featureVector(new UserActor("r1", 0), NOW);
  assert.ok(Number.isNaN(retail[FEATURE_NAMES.indexOf("age")]));
});

Deno.test("features match between offline replay and the online actor (through Kafka records, snapshots and restore)", async () => {
  const database = await createTestDatabase({ prefix: "features" });
  const store = await Store.connect(database.url);
  try {
    await store.migrate();
    const partitions = 4;
    const epochs = new Map<number, number>();
    for (let p = 0; p < partitions; p++) {
      const lease = await store.acquireLease(p, "n1", { staleAfterMs: 5_000 });
      assert.ok(lease.ok);
      epochs.set(p, lease.epoch);
    }
    const supervisor = new Supervisor({
      store,
      nodeId: "n1",
      topic: "events",
      partitionCount: partitions,
      epochOf: (p) => epochs.get(p),
      deadLetter: () => Promise.resolve(),
      metrics: createSupervisorMetrics(new Registry()),
      now: () => NOW,
    });
    const userId = "b-000777";
    const raw = history(userId);
    const partition = partitionFor(userId, partitions);
    const records: IncomingRecord[] = raw.map((event, offset) => ({
      partition,
      offset,
      key: userId,
      value: JSON.stringify(event),
      headers: {},
    }));
    const half = Math.floor(records.length / 2);
    await supervisor.applyBatch(partition, records.slice(0, half));
    await supervisor.flush();
    assert.equal(await supervisor.passivate(userId), true);
    await supervisor.applyBatch(partition, records.slice(half));
    const online = featureVector(await supervisor.activate(userId), NOW);
    const events = raw.map((r) => (parseEvent(r, { nowMs: NOW }) as { ok: true; event: UserEvent }).event);
    const [offline] = replayFeatures(userId, events, [NOW + 1]);
    for (let i = 0; i < FEATURE_COUNT; i++) {
      const same = Number.isNaN(online[i])
        ? Number.isNaN(offline[i])
        : Math.abs(online[i] - offline[i]) <= 1e-6;
      assert.ok(same, `${FEATURE_NAMES[i]}: online ${online[i]} offline ${offline[i]}`);
    }
  } finally {
    await store.close();
    await database.drop();
  }
});
