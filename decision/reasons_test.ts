import assert from "node:assert/strict";
import { disclosureText, nonPersonalReasons, NOTABLE_SPEND_SHARE } from "./reasons.ts";
import { decide } from "./decide.ts";
import type { ClientFacts } from "./types.ts";

const NOW = Date.parse("2026-11-01T12:00:00Z");

function facts(overrides: Partial<ClientFacts>): ClientFacts {
  return {
    age: 35,
    resident: true,
    segment: "02 - PARTICULARES",
    income: 100_000,
    holdings: new Set(),
    lifeEvents: {},
    salary: 0,
    spending: {},
    ...overrides,
  };
}

function reasonsFor(productId: string, client: ClientFacts) {
  const decision = decide({
    scores: [{ productId, pTreated: 0.2, pControl: 0.05, uplift: 0.15 }],
    client,
    contacts: [],
    consents: { personalization: true, marketing: true, llm: false },
    nowMs: NOW,
    k: 1,
  });
  assert.equal(decision.offers.length, 1, JSON.stringify(decision.suppressed));
  return decision.offers[0].reasons;
}

Deno.test("Reasons state the ПСК before the rate in both languages", () => {
  assert.deepEqual(
    disclosureText({ fullCostRange: { min: 9.9, max: 34.9 }, rateRange: { min: 9.5, max: 33.9 } }),
    {
      ru: "ПСК 9,9–34,9\u00a0%, ставка 9,5–33,9\u00a0% годовых",
      en: "full cost of credit (ПСК) 9.9–34.9%, rate 9.5–33.9% a year",
    },
  );
  assert.deepEqual(disclosureText({ fullCostRange: null, rateRange: { min: 12, max: 16.5 } }), {
    ru: "ставка 12,0–16,5\u00a0% годовых",
    en: "rate 12.0–16.5% a year",
  });
  assert.equal(disclosureText({ fullCostRange: null, rateRange: null }), null);
});

Deno.test("Reasons name a related spending category only when its share is notable", () => {
  const notable = reasonsFor("partner_kids_goods", facts({ spending: { groceries: 18_000, kids: 2_000 } }));
  assert.deepEqual(notable.map((reason) => reason.code), ["uplift", "spend:kids"]);
  assert.equal(notable[1].text.ru, "Заметная доля ваших трат — на детские товары (10 %)");
  const tiny = 18_000 * NOTABLE_SPEND_SHARE / 2;
  const faint = reasonsFor("partner_kids_goods", facts({ spending: { groceries: 18_000, kids: tiny } }));
  assert.deepEqual(faint.map((reason) => reason.code), ["uplift"]);
  const broken = reasonsFor("partner_kids_goods", facts({ spending: { groceries: Number.NaN, kids: -5 } }));
  assert.deepEqual(broken.map((reason) => reason.code), ["uplift"]);
});

Deno.test("Reasons mention the salary for savings but not for partner offers", () => {
  const deposit = reasonsFor("ind_deco_fin_ult1", facts({ salary: 123_456 }));
  assert.deepEqual(deposit.map((reason) => reason.code), ["uplift", "salary"]);
  assert.equal(deposit[1].text.en, "Your salary, about 123,000 ₽ a month, is paid into this bank");
  const partner = reasonsFor("partner_kids_goods", facts({ salary: 123_456 }));
  assert.deepEqual(partner.map((reason) => reason.code), ["uplift"]);
});

Deno.test("Reasons list every life event that triggers an offer", () => {
  const day = 86_400_000;
  const home = reasonsFor(
    "ins_property",
    facts({ lifeEvents: { mortgage: NOW - 30 * day, relocation: NOW - 60 * day, car_purchase: NOW - day } }),
  );
  assert.deepEqual(home.map((reason) => reason.code), [
    "uplift",
    "life_event:mortgage",
    "life_event:relocation",
  ]);
  assert.equal(home[1].text.ru, "Вы недавно оформили ипотеку");
});

Deno.test("Reasons without personalization use no personal data", () => {
  const [reason] = nonPersonalReasons({ pTreated: 0.1, pControl: 0.07, uplift: 0.0365 });
  assert.equal(reason.code, "popular");
  assert.equal(
    reason.text.ru,
    "Популярное предложение банка: в среднем эффект +3,7 п.п. (без учёта ваших данных)",
  );
});
