import assert from "node:assert/strict";
import { generate } from "./generate.ts";
import { EMBEDDED_CALIBRATION, SEGMENTS } from "./calibration.ts";
import { armRates, carBuyerRows, summarize } from "./summary.ts";
import { groundTruth, type TruthFeatures } from "./uplift_truth.ts";

const data = generate({ seed: 2024, users: 2000, shoppers: 0, asOf: "2025-06-01T00:00:00.000Z" });

Deno.test("the campaign log holds all four uplift segments in the aimed shares", () => {
  const { segmentShares } = summarize(data);
  assert.ok(
    segmentShares.persuadable >= 0.15 && segmentShares.persuadable <= 0.3,
    `${segmentShares.persuadable}`,
  );
  assert.ok(
    segmentShares.sure_thing >= 0.1 && segmentShares.sure_thing <= 0.2,
    `${segmentShares.sure_thing}`,
  );
  assert.ok(
    segmentShares.lost_cause >= 0.4 && segmentShares.lost_cause <= 0.6,
    `${segmentShares.lost_cause}`,
  );
  assert.ok(
    segmentShares.sleeping_dog >= 0.05 && segmentShares.sleeping_dog <= 0.1,
    `${segmentShares.sleeping_dog}`,
  );
  const treated = data.campaign.filter((r) => r.treated).length / data.campaign.length;
  assert.ok(Math.abs(treated - 0.5) < 0.03, "treatment is randomized 50/50");
});

Deno.test("campaign rows only offer products the client does not hold at decision time", () => {
  for (const r of data.campaign) {
    if (!r.offer.startsWith("ind_")) continue;
    const client = data.clients[Number(r.userId.slice(2)) - 1];
    const before = client.monthly.filter((m) => m.fecha_dato < r.at.slice(0, 10)).at(-1);
    if (before && before.products[r.offer] === 1) {
      const opened = data.events.some((e) =>
        e.userId === r.userId && e.type === "profile" && (e.item as { id: string }).id === r.offer &&
        e.value === 0 &&
        (e.ts as string) < r.at
      );
      assert.ok(opened, `${r.userId} held ${r.offer} at ${r.at}`);
    }
  }
});

Deno.test("car buyers: ins_auto is a sure thing and the accessories discount is persuadable", () => {
  const auto = carBuyerRows(data, "ins_auto");
  const accessories = carBuyerRows(data, "partner_auto_accessories");
  assert.ok(auto.length >= 60 && accessories.length >= 60);
  for (const r of auto) {
    assert.ok(r.segment === "sure_thing" && r.pControl >= 0.6 && Math.abs(r.uplift) < 0.03);
  }
  for (const r of accessories) assert.ok(r.segment === "persuadable" && r.pControl < 0.1 && r.uplift >= 0.15);
  const a = armRates(auto), p = armRates(accessories);
  assert.ok(
    p.observedUplift > 0.08 && p.observedUplift > a.observedUplift + 0.05,
    `accessories observed uplift ${p.observedUplift}`,
  );
  assert.ok(Math.abs(a.observedUplift) < 0.15 && a.control > 0.6, `ins_auto ${a.treated} vs ${a.control}`);
});

Deno.test("the seed's analogues hold: child → kids' goods, relocation → home insurance, TOP credit → sleeping dog", () => {
  const base: TruthFeatures = {
    age: 34,
    segment: "02 - PARTICULARES",
    income: 90_000,
    active: true,
    holdings: new Set(),
    daysSince: {},
    driver: false,
    hasKids: false,
    spendRatio: 0.6,
    digital: false,
  };
  assert.equal(
    groundTruth("partner_kids_goods", { ...base, daysSince: { child: 30 } }).segment,
    "persuadable",
  );
  assert.equal(
    groundTruth("ins_property", { ...base, daysSince: { relocation: 30 } }).segment,
    "persuadable",
  );
  assert.equal(groundTruth("ins_property", { ...base, daysSince: { mortgage: 30 } }).segment, "sure_thing");
  const top = { ...base, segment: "01 - TOP" as const, income: 250_000, age: 55 };
  assert.equal(groundTruth("ind_pres_fin_ult1", top).segment, "sleeping_dog");
  assert.equal(groundTruth("ind_tjcr_fin_ult1", top).segment, "sleeping_dog");
});

Deno.test("generated clients are calibrated to the real sample", () => {
  const latest = data.clients.map((c) => c.monthly.at(-1)!);
  for (const segment of SEGMENTS) {
    const share = latest.filter((r) => r.segmento === segment).length / latest.length;
    assert.ok(Math.abs(share - EMBEDDED_CALIBRATION.segmentShares[segment]) < 0.03, `${segment} ${share}`);
  }
  const cco = latest.filter((r) => r.products.ind_cco_fin_ult1 === 1).length / latest.length;
  assert.ok(Math.abs(cco - EMBEDDED_CALIBRATION.holdingRates.ind_cco_fin_ult1) < 0.05, `cco ${cco}`);
  const students = latest.filter((r) => r.segmento === "03 - UNIVERSITARIO").map((r) => Number(r.age));
  const top = latest.filter((r) => r.segmento === "01 - TOP");
  assert.ok(students.filter((a) => a < 30).length / students.length > 0.8);
  const meanRenta = (rows: typeof latest) =>
    rows.filter((r) => r.renta !== "").reduce((s, r) => s + Number(r.renta), 0) /
    rows.filter((r) => r.renta !== "").length;
  assert.ok(meanRenta(top) > meanRenta(latest));
  const missing = latest.filter((r) => r.renta === "").length / latest.length;
  assert.ok(missing > 0.1 && missing < 0.35);
});
