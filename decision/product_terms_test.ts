import assert from "node:assert/strict";
import { CAMPAIGN_OFFERS } from "../datagen/uplift_truth.ts";
import { PRODUCTS } from "../model/products.ts";
import {
  EXCLUSIVE_GROUPS,
  exclusiveWith,
  LEGAL_FULL_COST_CAP,
  PRODUCT_TERMS,
  productTerms,
} from "./product_terms.ts";

Deno.test("ProductTerms covers every catalog product and nothing else", () => {
  assert.deepEqual(Object.keys(PRODUCT_TERMS).sort(), PRODUCTS.map((product) => product.code).sort());
  for (const hostile of ["__proto__", "constructor", "toString", "", "ind_unknown_ult1"]) {
    assert.equal(productTerms(hostile), undefined, hostile);
  }
});

Deno.test("ProductTerms gives every campaign credit offer a legal ПСК range with the rate inside it", () => {
  const credit = PRODUCTS.filter((product) =>
    product.credit && (CAMPAIGN_OFFERS as readonly string[]).includes(product.code)
  );
  assert.deepEqual(credit.map((product) => product.code).sort(), [
    "ind_hip_fin_ult1",
    "ind_pres_fin_ult1",
    "ind_tjcr_fin_ult1",
  ]);
  for (const product of credit) {
    const terms = productTerms(product.code)!;
    const cost = terms.fullCostRange!;
    const rate = terms.rateRange!;
    assert.ok(cost.min >= 0 && cost.min < cost.max && cost.max <= LEGAL_FULL_COST_CAP, product.code);
    assert.ok(rate.min >= 0 && rate.min <= rate.max && rate.max <= cost.max, product.code);
    assert.ok(terms.typicalMonthlyPaymentRub! > 0, product.code);
    assert.ok(terms.eligibility.residentsOnly && terms.eligibility.minAge! >= 21, product.code);
  }
  assert.deepEqual(productTerms("ind_pres_fin_ult1")!.fullCostRange, { min: 9.9, max: 34.9 });
  // The bank guarantee is credit without a consumer ПСК range: the regulatory rule keeps it out.
  assert.equal(productTerms("ind_aval_fin_ult1")!.fullCostRange, null);
});

Deno.test("ProductTerms keeps non-credit products free of a ПСК", () => {
  for (const product of PRODUCTS.filter((p) => !p.credit)) {
    const terms = productTerms(product.code)!;
    assert.equal(terms.fullCostRange, null, product.code);
    assert.equal(terms.typicalMonthlyPaymentRub, null, product.code);
  }
});

Deno.test("ProductTerms exclusive groups are symmetric and name catalog products", () => {
  for (const [group, members] of Object.entries(EXCLUSIVE_GROUPS)) {
    for (const member of members) {
      assert.equal(productTerms(member)!.exclusiveGroup, group);
      assert.deepEqual([...exclusiveWith(member)].sort(), members.filter((m) => m !== member).sort());
    }
  }
  assert.deepEqual([...exclusiveWith("ind_nomina_ult1")], ["ind_nom_pens_ult1"]);
  assert.deepEqual(exclusiveWith("ind_deco_fin_ult1"), []);
  assert.deepEqual(exclusiveWith("nonsense"), []);
});

Deno.test("ProductTerms triggers partner and insurance offers on the seed's life events", () => {
  const triggeredBy = (code: string) => productTerms(code)!.lifeEventTriggers.map((t) => t.event).sort();
  assert.deepEqual(triggeredBy("ins_auto"), ["car_purchase"]);
  assert.deepEqual(triggeredBy("partner_auto_accessories"), ["car_purchase"]);
  assert.deepEqual(triggeredBy("partner_kids_goods"), ["child"]);
  assert.deepEqual(triggeredBy("ins_property"), ["mortgage", "relocation"]);
  for (const product of PRODUCTS) {
    for (const trigger of productTerms(product.code)!.lifeEventTriggers) assert.ok(trigger.withinDays > 0);
  }
});
