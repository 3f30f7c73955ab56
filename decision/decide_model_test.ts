import assert from "node:assert/strict";
import { UserActor } from "../actors/user_actor.ts";
import { generate } from "../datagen/generate.ts";
import { parseEvent } from "../domain/event.ts";
import { loadArtifacts } from "../model/artifacts.ts";
import { productByCode } from "../model/products.ts";
import { UserScorer } from "../model/scorer.ts";
import { clientFactsFrom } from "./client_facts.ts";
import { decide } from "./decide.ts";
import type { DecisionInput } from "./types.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-01T00:00:00Z");
const CONSENTS = { personalization: true, marketing: true, llm: false };

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
    const parsed = parseEvent(raw, { nowMs: NOW + DAY });
    if (!parsed.ok) throw new Error(`Test event is invalid (${parsed.reason}): ${JSON.stringify(raw)}`);
    actor.receive({ type: "event.apply", event: parsed.event, partition: 0, offset });
  });
  return actor;
}

/** A 38-year-old salaried resident who bought a car 20 days ago and has filled up since. */
function carBuyerHistory(): Record<string, unknown>[] {
  let n = 0;
  const event = (daysAgo: number, body: Record<string, unknown>) => ({
    eventId: `car-${n++}`,
    userId: "b-car",
    ts: new Date(NOW - daysAgo * DAY).toISOString(),
    ...body,
  });
  return [
    event(300, { type: "profile", item: { id: "age" }, value: 38 }),
    event(300, { type: "profile", item: { id: "renta" }, value: 110_000 }),
    event(300, { type: "profile", item: { id: "segmento", category: "02 - PARTICULARES" } }),
    event(300, { type: "profile", item: { id: "indext", category: "N" } }),
    event(300, { type: "profile", item: { id: "ind_actividad_cliente" }, value: 1 }),
    event(300, { type: "profile", item: { id: "ind_cco_fin_ult1" }, value: 1 }),
    event(300, { type: "profile", item: { id: "ind_nomina_ult1" }, value: 1 }),
    ...Array.from(
      { length: 40 },
      (_, i) =>
        event(290 - i * 7, { type: "operation", value: -(800 + i * 13), item: { category: "groceries" } }),
    ),
    ...Array.from(
      { length: 10 },
      (_, i) => event(280 - i * 28, { type: "operation", value: 120_000, item: { category: "salary" } }),
    ),
    event(20, { type: "operation", value: -1_600_000, item: { category: "auto_dealer" } }),
    event(20, { type: "profile", item: { id: "life:car_purchase" }, value: 1 }),
    event(10, { type: "operation", value: -3200, item: { category: "fuel" } }),
  ];
}

Deno.test("DecisionLayer on the shipped model puts the partner accessories discount above sure-thing car insurance", async () => {
  const scorer = await shippedScorer();
  try {
    const actor = actorFrom("b-car", carBuyerHistory());
    const scores = await scorer.score(actor, NOW);
    const byId = Object.fromEntries(scores.offers.map((offer) => [offer.productId, offer]));
    const decision = decide({
      scores: scores.offers,
      client: clientFactsFrom(actor.bank, NOW),
      contacts: [],
      consents: CONSENTS,
      nowMs: NOW,
      k: 3,
    });
    const primary = decision.offers[0];
    assert.equal(primary.productId, "partner_auto_accessories", JSON.stringify(decision));
    assert.equal(primary.uplift, byId.partner_auto_accessories.uplift);
    assert.ok(primary.reasons.some((reason) => reason.code === "life_event:car_purchase"));
    // The model sees car insurance as bought anyway: a sure thing, held back.
    assert.ok(byId.ins_auto.pControl > 0.5, JSON.stringify(byId.ins_auto));
    const insurance = decision.suppressed.find((entry) => entry.productId === "ins_auto");
    assert.equal(insurance?.reason, "sure_thing", JSON.stringify(decision.suppressed));
    assert.equal(decision.offers.some((offer) => offer.productId === "ins_auto"), false);
    // Alternatives come from other families than the primary and each other.
    const families = decision.offers.map((offer) => offer.family);
    assert.equal(new Set(families).size, families.length);
    assert.equal(decision.suppressed.find((entry) => entry.productId === "ind_cco_fin_ult1"), undefined);
  } finally {
    await scorer.close();
  }
});

Deno.test("DecisionLayer on the shipped model gives consistent decisions for generated clients", async () => {
  const scorer = await shippedScorer();
  try {
    const data = generate({ seed: 5, users: 150, shoppers: 0, asOf: NOW });
    const byUser = new Map<string, Record<string, unknown>[]>();
    for (const event of data.events) {
      const userId = event.userId as string;
      if (!userId.startsWith("b-")) continue;
      if (!byUser.has(userId)) byUser.set(userId, []);
      byUser.get(userId)!.push(event);
    }
    let served = 0;
    for (const client of data.clients) {
      const actor = actorFrom(client.userId, byUser.get(client.userId) ?? []);
      const scores = await scorer.score(actor, NOW);
      const facts = clientFactsFrom(actor.bank, NOW);
      const input: DecisionInput = {
        scores: scores.offers,
        client: facts,
        contacts: [],
        consents: CONSENTS,
        nowMs: NOW,
        k: 3,
      };
      const decision = decide(input);
      assert.deepEqual(decide(input), decision);
      assert.ok(decision.offers.length <= 3);
      if (decision.offers.length > 0) served++;
      const ids = [
        ...decision.offers.map((o) => o.productId),
        ...decision.suppressed.map((s) => s.productId),
      ];
      assert.equal(new Set(ids).size, ids.length, `${client.userId}: a product is reported twice`);
      const families = decision.offers.map((offer) => offer.family);
      assert.equal(new Set(families).size, families.length, `${client.userId}: ${families}`);
      for (const offer of decision.offers) {
        assert.ok(!facts.holdings.has(offer.productId), `${client.userId} owns ${offer.productId}`);
        assert.ok(offer.uplift >= 0.02, `${client.userId} ${offer.productId} ${offer.uplift}`);
        assert.ok(
          !(offer.pControl >= 0.3 && offer.uplift < 0.05),
          `${client.userId} ${offer.productId} sure thing`,
        );
        if (productByCode(offer.productId)!.credit) {
          assert.ok(offer.disclosures.fullCostRange !== null, `${offer.productId} without ПСК`);
          assert.ok(facts.salary > 0, `${client.userId} got credit without a salary`);
        }
      }
    }
    // Most clients get an offer (about two thirds were measured on larger bases).
    assert.ok(served > 150 * 0.5 && served < 150, `${served} of 150 clients served`);
  } finally {
    await scorer.close();
  }
});
