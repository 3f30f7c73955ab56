import assert from "node:assert/strict";
import { UserActor } from "../actors/user_actor.ts";
import { parseEvent, type UserEvent } from "../domain/event.ts";
import { generate } from "../datagen/generate.ts";
import { loadArtifacts } from "./artifacts.ts";
import { enrich } from "./enrichment.ts";
import { featureVector } from "./features.ts";
import { UserScorer } from "./scorer.ts";
import { predictUpliftRow } from "./uplift/learners.ts";

const NOW = Date.parse("2026-11-01T00:00:00Z");

async function shippedScorer(): Promise<UserScorer> {
  const artifacts = await loadArtifacts();
  assert.ok(artifacts.ok, artifacts.ok ? "" : artifacts.reason);
  const created = await UserScorer.create(artifacts.models, artifacts.onnx);
  assert.ok(created.ok, created.ok ? "" : created.reason);
  return created.scorer;
}

function actorFrom(userId: string, raws: Record<string, unknown>[]): UserActor {
  const actor = new UserActor(userId, 0);
  raws.forEach((raw, offset) => {
    const parsed = parseEvent(raw, { nowMs: NOW + 86_400_000 });
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.reason);
    actor.receive({
      type: "event.apply",
      event: (parsed as { ok: true; event: UserEvent }).event,
      partition: 0,
      offset,
    });
  });
  return actor;
}

Deno.test("the shipped ONNX uplift model matches the TypeScript model within 1e-5 on real histories", async () => {
  const scorer = await shippedScorer();
  try {
    const data = generate({ seed: 7, users: 40, shoppers: 0, asOf: new Date(NOW).toISOString() });
    let compared = 0;
    for (const client of data.clients) {
      const actor = actorFrom(client.userId, data.events.filter((event) => event.userId === client.userId));
      const scores = await scorer.score(actor, NOW);
      const input = enrich(scorer.models.enrichment, featureVector(actor, NOW));
      for (const offer of scores.offers) {
        const expected = predictUpliftRow(scorer.models.uplift[offer.productId], input);
        assert.ok(Math.abs(offer.pControl - expected.pControl) <= 1e-5, `${offer.productId} pControl`);
        assert.ok(Math.abs(offer.pTreated - expected.pTreated) <= 1e-5, `${offer.productId} pTreated`);
        assert.ok(Math.abs(offer.uplift - expected.uplift) <= 1e-5, `${offer.productId} uplift`);
        compared++;
      }
      for (const p of Object.values(scores.propensity)) assert.ok(p >= 0 && p <= 1);
      assert.ok(scores.cluster >= 0 && scores.cluster < scorer.models.enrichment.clusters.centroids.length);
    }
    assert.equal(compared, 40 * scorer.offers.length);
  } finally {
    await scorer.close();
  }
});

Deno.test("after a car purchase, car insurance scores as a sure thing and the partner discount as persuadable", async () => {
  const scorer = await shippedScorer();
  try {
    const day = 86_400_000;
    let n = 0;
    const event = (daysAgo: number, body: Record<string, unknown>) => ({
      eventId: `car-${n++}`,
      userId: "b-car",
      ts: new Date(NOW - daysAgo * day).toISOString(),
      ...body,
    });
    const history = [
      event(300, { type: "profile", item: { id: "age" }, value: 38 }),
      event(300, { type: "profile", item: { id: "renta" }, value: 110000 }),
      event(300, { type: "profile", item: { id: "segmento", category: "02 - PARTICULARES" } }),
      event(300, { type: "profile", item: { id: "ind_actividad_cliente" }, value: 1 }),
      event(300, { type: "profile", item: { id: "ind_cco_fin_ult1" }, value: 1 }),
      ...Array.from(
        { length: 40 },
        (_, i) =>
          event(290 - i * 7, { type: "operation", value: -(800 + i * 13), item: { category: "groceries" } }),
      ),
      ...Array.from(
        { length: 10 },
        (_, i) => event(280 - i * 28, { type: "operation", value: 120000, item: { category: "salary" } }),
      ),
      event(20, { type: "operation", value: -1_600_000, item: { category: "auto_dealer" } }),
      event(20, { type: "profile", item: { id: "life:car_purchase" }, value: 1 }),
      event(10, { type: "operation", value: -3200, item: { category: "fuel" } }),
    ];
    const actor = actorFrom("b-car", history);
    const scores = await scorer.score(actor, NOW);
    const byId = Object.fromEntries(scores.offers.map((offer) => [offer.productId, offer]));
    const insurance = byId["ins_auto"];
    const accessories = byId["partner_auto_accessories"];
    assert.ok(insurance.pControl > 0.5, `insurance is bought anyway: ${JSON.stringify(insurance)}`);
    assert.ok(accessories.uplift > insurance.uplift + 0.05, JSON.stringify({ insurance, accessories }));
    assert.ok(accessories.uplift > 0.08, JSON.stringify(accessories));
    // Cached until the actor applies another event.
    assert.equal(await scorer.score(actor, NOW), scores);
    actor.receive({
      type: "event.apply",
      event: (parseEvent(event(1, { type: "operation", value: -500, item: { category: "fuel" } }), {
        nowMs: NOW,
      }) as {
        ok: true;
        event: UserEvent;
      }).event,
      partition: 0,
      offset: 999,
    });
    assert.notEqual(await scorer.score(actor, NOW), scores);
  } finally {
    await scorer.close();
  }
});
