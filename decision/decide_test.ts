import assert from "node:assert/strict";
import type { OfferScore } from "../model/scorer.ts";
import { decide, offerCount } from "./decide.ts";
import { DEFAULT_DECISION_POLICY, NON_PERSONAL_PRIOR } from "./policy.ts";
import type { ClientFacts, ContactRecord, Decision, DecisionInput, SuppressionReason } from "./types.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-01T12:00:00Z");
const CONSENTS = { personalization: true, marketing: true, llm: true };

function client(overrides: Partial<ClientFacts> = {}): ClientFacts {
  return {
    age: 38,
    resident: true,
    segment: "02 - PARTICULARES",
    income: 110_000,
    holdings: new Set(["ind_cco_fin_ult1"]),
    lifeEvents: {},
    salary: 90_000,
    spending: { groceries: 20_000, restaurants: 6_000 },
    ...overrides,
  };
}

function score(productId: string, uplift: number, pControl = 0.05): OfferScore {
  return { productId, pTreated: Math.min(1, Math.max(0, pControl + uplift)), pControl, uplift };
}

function input(overrides: Partial<DecisionInput> = {}): DecisionInput {
  return {
    scores: [],
    client: client(),
    contacts: [],
    consents: CONSENTS,
    nowMs: NOW,
    k: 3,
    ...overrides,
  };
}

function contact(productId: string, overrides: Partial<ContactRecord> = {}): ContactRecord {
  return {
    productId,
    shownAtMs: [],
    dismissedAtMs: null,
    complainedAtMs: null,
    convertedAtMs: null,
    ...overrides,
  };
}

const offered = (decision: Decision) => decision.offers.map((offer) => offer.productId);
const reasonOf = (decision: Decision, productId: string): SuppressionReason | undefined =>
  decision.suppressed.find((entry) => entry.productId === productId)?.reason;

/** The twelve campaign offers with healthy, distinct uplifts. */
const CAMPAIGN: OfferScore[] = [
  score("ind_tjcr_fin_ult1", 0.06),
  score("ind_pres_fin_ult1", 0.07),
  score("ind_deco_fin_ult1", 0.05),
  score("ind_fond_fin_ult1", 0.045),
  score("ind_plan_fin_ult1", 0.04),
  score("ind_ecue_fin_ult1", 0.035),
  score("ind_valo_fin_ult1", 0.03),
  score("ind_hip_fin_ult1", 0.025),
  score("ins_auto", 0.09),
  score("partner_auto_accessories", 0.08),
  score("ins_property", 0.085),
  score("partner_kids_goods", 0.055),
];

Deno.test("DecisionLayer suppresses every offer without marketing consent", () => {
  const decision = decide(input({
    scores: [...CAMPAIGN, score("ind_cco_fin_ult1", 0.2)],
    consents: { ...CONSENTS, marketing: false },
  }));
  assert.deepEqual(decision.offers, []);
  assert.equal(decision.suppressed.length, 13);
  // Consent comes first, even before ownership.
  for (const entry of decision.suppressed) assert.equal(entry.reason, "consent");
  assert.match(decision.suppressed[0].detail.ru, /согласи/);
});

Deno.test("DecisionLayer ranks by the non-personal prior when personalization is off", () => {
  const unusable = CAMPAIGN.map((s) => ({ ...s, pControl: 0.99, uplift: Number.NaN }));
  const decision = decide(input({ scores: unusable, consents: { ...CONSENTS, personalization: false } }));
  // ins_property has the highest mean uplift; the personal (NaN, sure-thing) scores are not read.
  assert.equal(decision.offers[0].productId, "ins_property");
  assert.deepEqual(
    { uplift: decision.offers[0].uplift, pControl: decision.offers[0].pControl },
    { uplift: NON_PERSONAL_PRIOR.ins_property.uplift, pControl: NON_PERSONAL_PRIOR.ins_property.pControl },
  );
  for (const offer of decision.offers) {
    assert.deepEqual(offer.reasons.map((reason) => reason.code), ["popular"]);
  }
  assert.equal(
    decision.suppressed.some((s) => s.reason === "sure_thing" || s.reason === "low_uplift"),
    false,
  );
  // The client-protecting rules still apply.
  const owned = decide(input({
    scores: unusable,
    consents: { ...CONSENTS, personalization: false },
    client: client({ holdings: new Set(["ins_property"]) }),
  }));
  assert.equal(reasonOf(owned, "ins_property"), "owned");
  assert.notEqual(owned.offers[0].productId, "ins_property");
});

Deno.test("DecisionLayer takes the non-personal prior from the policy", () => {
  const decision = decide(
    input({ scores: CAMPAIGN, consents: { ...CONSENTS, personalization: false }, k: 1 }),
    { nonPersonalPrior: { ind_deco_fin_ult1: { pTreated: 0.5, pControl: 0.1, uplift: 0.4 } } },
  );
  assert.deepEqual(offered(decision), ["ind_deco_fin_ult1"]);
  assert.equal(decision.offers[0].uplift, 0.4);
});

Deno.test("DecisionLayer suppresses owned products", () => {
  const decision = decide(input({
    scores: [score("ind_deco_fin_ult1", 0.1), score("ind_fond_fin_ult1", 0.05)],
    client: client({ holdings: new Set(["ind_deco_fin_ult1"]) }),
  }));
  assert.deepEqual(offered(decision), ["ind_fond_fin_ult1"]);
  assert.equal(reasonOf(decision, "ind_deco_fin_ult1"), "owned");
  assert.match(decision.suppressed[0].detail.en, /already hold/);
});

Deno.test("DecisionLayer applies age, residency, segment and income eligibility", () => {
  const young = decide(input({ scores: [score("ind_tjcr_fin_ult1", 0.1)], client: client({ age: 19 }) }));
  assert.equal(reasonOf(young, "ind_tjcr_fin_ult1"), "eligibility");
  assert.match(young.suppressed[0].detail.ru, /Возраст 19/);
  const old = decide(input({ scores: [score("ind_plan_fin_ult1", 0.1)], client: client({ age: 70 }) }));
  assert.equal(reasonOf(old, "ind_plan_fin_ult1"), "eligibility");
  const foreign = decide(
    input({ scores: [score("ind_pres_fin_ult1", 0.1)], client: client({ resident: false }) }),
  );
  assert.equal(reasonOf(foreign, "ind_pres_fin_ult1"), "eligibility");
  assert.match(foreign.suppressed[0].detail.ru, /резидентам/);
  const student = decide(input({
    scores: [score("ind_hip_fin_ult1", 0.1)],
    client: client({ segment: "03 - UNIVERSITARIO" }),
  }));
  assert.equal(reasonOf(student, "ind_hip_fin_ult1"), "eligibility");
  const poor = decide(
    input({ scores: [score("ind_tjcr_fin_ult1", 0.1)], client: client({ income: 20_000 }) }),
  );
  assert.equal(reasonOf(poor, "ind_tjcr_fin_ult1"), "eligibility");
  // A non-resident may still get the e-account, which has no residency limit.
  const ecue = decide(
    input({ scores: [score("ind_ecue_fin_ult1", 0.1)], client: client({ resident: false }) }),
  );
  assert.deepEqual(offered(ecue), ["ind_ecue_fin_ult1"]);
});

Deno.test("DecisionLayer needs known facts for credit but not for other products", () => {
  const unknown = client({ age: null, resident: null, segment: null, income: null });
  const decision = decide(input({
    scores: [score("ind_tjcr_fin_ult1", 0.1), score("ind_deco_fin_ult1", 0.05)],
    client: unknown,
  }));
  assert.equal(reasonOf(decision, "ind_tjcr_fin_ult1"), "eligibility");
  assert.deepEqual(offered(decision), ["ind_deco_fin_ult1"]);
  const residencyOnly = decide(
    input({ scores: [score("ind_tjcr_fin_ult1", 0.1)], client: client({ resident: null }) }),
  );
  assert.equal(reasonOf(residencyOnly, "ind_tjcr_fin_ult1"), "eligibility");
});

Deno.test("DecisionLayer offers no credit without a visible salary", () => {
  const decision = decide(input({
    scores: [score("ind_pres_fin_ult1", 0.1), score("ind_fond_fin_ult1", 0.05)],
    client: client({ salary: 0 }),
  }));
  assert.equal(reasonOf(decision, "ind_pres_fin_ult1"), "regulatory");
  assert.match(decision.suppressed[0].detail.ru, /ПДН/);
  assert.deepEqual(offered(decision), ["ind_fond_fin_ult1"]);
});

Deno.test("DecisionLayer applies the debt-burden limit with the credit already held", () => {
  const mortgaged = client({ holdings: new Set(["ind_hip_fin_ult1"]), salary: 60_000 });
  // 35 000 mortgage + 12 000 loan over 60 000 salary = 78 % > 50 %.
  const decision = decide(input({ scores: [score("ind_pres_fin_ult1", 0.1)], client: mortgaged }));
  assert.equal(reasonOf(decision, "ind_pres_fin_ult1"), "regulatory");
  assert.match(decision.suppressed[0].detail.ru, /78 %/);
  const richer = decide(
    input({ scores: [score("ind_pres_fin_ult1", 0.1)], client: { ...mortgaged, salary: 200_000 } }),
  );
  assert.deepEqual(offered(richer), ["ind_pres_fin_ult1"]);
  const lenient = decide(input({ scores: [score("ind_pres_fin_ult1", 0.1)], client: mortgaged }), {
    maxDebtBurden: 0.8,
  });
  assert.deepEqual(offered(lenient), ["ind_pres_fin_ult1"]);
});

Deno.test("DecisionLayer holds back credit without a ПСК range", () => {
  const decision = decide(input({ scores: [score("ind_aval_fin_ult1", 0.2)] }));
  assert.equal(reasonOf(decision, "ind_aval_fin_ult1"), "regulatory");
  assert.match(decision.suppressed[0].detail.ru, /ПСК/);
});

Deno.test("DecisionLayer suppresses products that conflict with holdings or stated dislikes", () => {
  const particular = decide(input({
    scores: [score("ind_ctpp_fin_ult1", 0.1), score("ind_ctma_fin_ult1", 0.1)],
    client: client({ holdings: new Set(["ind_ctop_fin_ult1"]) }),
  }));
  assert.equal(reasonOf(particular, "ind_ctpp_fin_ult1"), "conflict");
  assert.equal(reasonOf(particular, "ind_ctma_fin_ult1"), "conflict");
  assert.match(particular.suppressed[0].detail.ru, /Личный счёт/);
  const pension = decide(input({
    scores: [score("ind_nom_pens_ult1", 0.1)],
    client: client({ age: 62, holdings: new Set(["ind_nomina_ult1"]) }),
  }));
  assert.equal(reasonOf(pension, "ind_nom_pens_ult1"), "conflict");
  const disliked = decide(input({ scores: CAMPAIGN, dislikedFamilies: new Set(["partner"]) }));
  assert.equal(reasonOf(disliked, "partner_auto_accessories"), "conflict");
  assert.equal(reasonOf(disliked, "partner_kids_goods"), "conflict");
  assert.ok(disliked.offers.every((offer) => offer.family !== "partner"));
});

Deno.test("DecisionLayer never re-offers a converted product", () => {
  const decision = decide(input({
    scores: [score("ind_fond_fin_ult1", 0.1)],
    contacts: [contact("ind_fond_fin_ult1", { convertedAtMs: NOW - 400 * DAY })],
  }));
  assert.equal(reasonOf(decision, "ind_fond_fin_ult1"), "contact_policy");
});

Deno.test("DecisionLayer pauses a dismissed offer for the cooldown", () => {
  const at = (days: number) =>
    decide(input({
      scores: [score("ind_fond_fin_ult1", 0.1)],
      contacts: [contact("ind_fond_fin_ult1", { dismissedAtMs: NOW - days * DAY })],
    }));
  assert.equal(reasonOf(at(10), "ind_fond_fin_ult1"), "contact_policy");
  assert.match(at(10).suppressed[0].detail.ru, /отказались/);
  assert.deepEqual(offered(at(40)), ["ind_fond_fin_ult1"]);
  assert.deepEqual(
    offered(decide(
      input({
        scores: [score("ind_fond_fin_ult1", 0.1)],
        contacts: [contact("ind_fond_fin_ult1", { dismissedAtMs: NOW - 10 * DAY })],
      }),
      { dismissCooldownDays: 5 },
    )),
    ["ind_fond_fin_ult1"],
  );
});

Deno.test("DecisionLayer pauses the whole family after a complaint", () => {
  const complained = (days: number) =>
    decide(input({
      scores: [score("ins_auto", 0.1), score("ins_property", 0.1), score("ind_fond_fin_ult1", 0.05)],
      contacts: [contact("ins_property", { complainedAtMs: NOW - days * DAY })],
    }));
  const recent = complained(40);
  assert.equal(reasonOf(recent, "ins_property"), "contact_policy");
  assert.equal(reasonOf(recent, "ins_auto"), "contact_policy");
  assert.match(recent.suppressed[0].detail.ru, /жалобы/);
  assert.deepEqual(offered(recent), ["ind_fond_fin_ult1"]);
  assert.deepEqual(offered(complained(100)).sort(), ["ind_fond_fin_ult1", "ins_auto"]);
});

Deno.test("DecisionLayer caps how often one product is shown", () => {
  const shown = (...daysAgo: number[]) =>
    decide(input({
      scores: [score("ind_fond_fin_ult1", 0.1)],
      contacts: [contact("ind_fond_fin_ult1", { shownAtMs: daysAgo.map((d) => NOW - d * DAY) })],
    }));
  assert.equal(reasonOf(shown(2, 4), "ind_fond_fin_ult1"), "contact_policy");
  assert.match(shown(2, 4).suppressed[0].detail.en, /2 times in 7 days/);
  assert.deepEqual(offered(shown(3)), ["ind_fond_fin_ult1"]);
  assert.deepEqual(offered(shown(8, 9)), ["ind_fond_fin_ult1"]);
  // Shown yesterday and earlier today: showing it again today is no new contact.
  assert.deepEqual(offered(shown(1, 0)), ["ind_fond_fin_ult1"]);
});

Deno.test("DecisionLayer applies the daily cap to products not yet shown today", () => {
  const earlierToday = NOW - 3_600_000;
  const others = [
    "ind_ahor_fin_ult1",
    "ind_cno_fin_ult1",
    "ind_reca_fin_ult1",
    "ind_recibo_ult1",
    "ind_viv_fin_ult1",
  ];
  const contacts = [
    ...others.map((code) => contact(code, { shownAtMs: [earlierToday] })),
    contact("ind_deco_fin_ult1", { shownAtMs: [earlierToday] }),
  ];
  const decision = decide(input({
    scores: [score("ind_fond_fin_ult1", 0.1), score("ind_deco_fin_ult1", 0.05)],
    contacts,
  }));
  assert.equal(reasonOf(decision, "ind_fond_fin_ult1"), "contact_policy");
  assert.match(decision.suppressed[0].detail.ru, /Дневной лимит/);
  assert.deepEqual(offered(decision), ["ind_deco_fin_ult1"]);
});

Deno.test("DecisionLayer holds back sure things", () => {
  const decision = decide(input({
    scores: [
      score("ins_auto", 0.01, 0.8),
      score("ind_ecue_fin_ult1", 0.08, 0.45),
      score("ind_deco_fin_ult1", 0.01, 0.2),
    ],
  }));
  assert.equal(reasonOf(decision, "ins_auto"), "sure_thing");
  assert.match(decision.suppressed.find((s) => s.productId === "ins_auto")!.detail.ru, /вероятность 80 %/);
  // A high P(buy | not shown) with a large uplift is still worth showing.
  assert.deepEqual(offered(decision), ["ind_ecue_fin_ult1"]);
  // Low pControl and low uplift is a lost cause, not a sure thing.
  assert.equal(reasonOf(decision, "ind_deco_fin_ult1"), "low_uplift");
});

Deno.test("DecisionLayer holds back lost causes and sleeping dogs", () => {
  const decision = decide(input({
    scores: [
      score("ind_fond_fin_ult1", 0.005),
      score("ind_tjcr_fin_ult1", -0.08),
      score("ind_valo_fin_ult1", 0.02),
    ],
  }));
  assert.equal(reasonOf(decision, "ind_fond_fin_ult1"), "low_uplift");
  assert.match(
    decision.suppressed.find((s) => s.productId === "ind_fond_fin_ult1")!.detail.ru,
    /\+0,5 п\.п\./,
  );
  assert.equal(reasonOf(decision, "ind_tjcr_fin_ult1"), "low_uplift");
  assert.match(
    decision.suppressed.find((s) => s.productId === "ind_tjcr_fin_ult1")!.detail.ru,
    /оттолкнёт: эффект −8,0/,
  );
  // The threshold itself passes.
  assert.deepEqual(offered(decision), ["ind_valo_fin_ult1"]);
});

Deno.test("DecisionLayer reports each suppressed product once with the first reason that applies", () => {
  const decision = decide(input({
    scores: [
      score("ins_auto", 0.001, 0.9), // owned and a sure thing → owned
      score("ind_pres_fin_ult1", 0.1), // income below the minimum and no salary → eligibility
      score("ind_tjcr_fin_ult1", 0.1), // no salary and a disliked family → regulatory
      score("partner_kids_goods", -0.1), // disliked, dismissed and a sleeping dog → conflict
      score("ind_deco_fin_ult1", 0.01, 0.6), // dismissed and a sure thing → contact_policy
      score("ind_ctpp_fin_ult1", 0.01, 0.6), // conflicts with a held variant and a sure thing → conflict
    ],
    client: client({ income: 28_000, salary: 0, holdings: new Set(["ins_auto", "ind_ctop_fin_ult1"]) }),
    dislikedFamilies: new Set(["partner", "card"]),
    contacts: [
      contact("partner_kids_goods", { dismissedAtMs: NOW - DAY }),
      contact("ind_deco_fin_ult1", { dismissedAtMs: NOW - DAY }),
    ],
  }));
  const reasons = Object.fromEntries(decision.suppressed.map((s) => [s.productId, s.reason]));
  assert.deepEqual(reasons, {
    ins_auto: "owned",
    ind_pres_fin_ult1: "eligibility",
    ind_tjcr_fin_ult1: "regulatory",
    partner_kids_goods: "conflict",
    ind_deco_fin_ult1: "contact_policy",
    ind_ctpp_fin_ult1: "conflict",
  });
  assert.equal(decision.suppressed.length, 6);
  for (const entry of decision.suppressed) {
    assert.ok(entry.detail.ru.length > 0 && entry.detail.en.length > 0);
  }
});

Deno.test("DecisionLayer picks alternatives from other families by MMR", () => {
  const decision = decide(input({ scores: CAMPAIGN, k: 4 }));
  assert.equal(decision.offers[0].productId, "ins_auto");
  assert.deepEqual(decision.offers.map((offer) => offer.role), [
    "primary",
    "alternative",
    "alternative",
    "alternative",
  ]);
  const families = decision.offers.map((offer) => offer.family);
  assert.equal(new Set(families).size, families.length, families.join());
  assert.deepEqual(offered(decision), [
    "ins_auto",
    "partner_auto_accessories",
    "ind_pres_fin_ult1",
    "ind_tjcr_fin_ult1",
  ]);
  assert.equal(reasonOf(decision, "ins_property"), "diversity");
  assert.equal(reasonOf(decision, "partner_kids_goods"), "diversity");
  // λ = 1 ranks by uplift alone: the second insurance offer comes back.
  const plain = decide(input({ scores: CAMPAIGN, k: 4 }), { mmrLambda: 1 });
  assert.deepEqual(offered(plain), [
    "ins_auto",
    "ins_property",
    "partner_auto_accessories",
    "ind_pres_fin_ult1",
  ]);
});

Deno.test("DecisionLayer puts the partner accessories discount first after a car purchase", () => {
  const decision = decide(input({
    scores: [
      score("ins_auto", 0.01, 0.85),
      score("partner_auto_accessories", 0.28, 0.04),
      score("ind_deco_fin_ult1", 0.03, 0.1),
      score("ind_pres_fin_ult1", 0.04, 0.1),
    ],
    client: client({
      lifeEvents: { car_purchase: NOW - 20 * DAY },
      spending: { groceries: 20_000, fuel: 6_000, auto_dealer: 900_000 },
    }),
  }));
  const primary = decision.offers[0];
  assert.equal(primary.productId, "partner_auto_accessories");
  assert.equal(primary.partner, true);
  assert.equal(reasonOf(decision, "ins_auto"), "sure_thing");
  const codes = primary.reasons.map((reason) => reason.code);
  assert.deepEqual(codes, ["uplift", "life_event:car_purchase", "spend:auto_dealer"]);
  assert.equal(
    primary.reasons[0].text.ru,
    "Персональный эффект предложения: +28,0 п.п. к вероятности оформления",
  );
  assert.equal(primary.reasons[1].text.ru, "Вы недавно купили автомобиль");
  assert.equal(primary.reasons[1].text.en, "You recently bought a car");
  // A car bought long ago is no longer a reason.
  const later = decide(input({
    scores: [score("partner_auto_accessories", 0.28, 0.04)],
    client: client({ lifeEvents: { car_purchase: NOW - 400 * DAY } }),
  }));
  assert.deepEqual(later.offers[0].reasons.map((reason) => reason.code), ["uplift"]);
});

Deno.test("DecisionLayer discloses the ПСК and rate ranges on credit offers", () => {
  const decision = decide(input({
    scores: [
      score("ind_tjcr_fin_ult1", 0.1),
      score("ind_deco_fin_ult1", 0.08),
      score("partner_kids_goods", 0.06),
    ],
  }));
  const byId = Object.fromEntries(decision.offers.map((offer) => [offer.productId, offer]));
  assert.deepEqual(byId.ind_tjcr_fin_ult1.disclosures, {
    fullCostRange: { min: 0, max: 52.5 },
    rateRange: { min: 0, max: 49.9 },
  });
  assert.deepEqual(byId.ind_deco_fin_ult1.disclosures, {
    fullCostRange: null,
    rateRange: { min: 12, max: 16.5 },
  });
  assert.deepEqual(byId.partner_kids_goods.disclosures, { fullCostRange: null, rateRange: null });
  const codes = byId.ind_tjcr_fin_ult1.reasons.map((reason) => reason.code);
  assert.deepEqual(codes, ["uplift", "spend:restaurants", "salary", "debt_burden"]);
  assert.equal(
    byId.ind_tjcr_fin_ult1.reasons[2].text.ru,
    "Ваша зарплата, около 90\u00a0000 ₽ в месяц, приходит в наш банк",
  );
  assert.match(byId.ind_tjcr_fin_ult1.reasons[3].text.ru, /ПДН 6 %/);
});

Deno.test("DecisionLayer is deterministic and independent of the score order", () => {
  const base = input({ scores: CAMPAIGN, k: 5 });
  const first = decide(base);
  assert.deepEqual(decide(base), first);
  assert.deepEqual(decide({ ...base, scores: [...CAMPAIGN].reverse() }), first);
  // Ties go by product code.
  const tied = [score("ind_fond_fin_ult1", 0.05), score("ind_deco_fin_ult1", 0.05)];
  assert.deepEqual(offered(decide(input({ scores: tied, k: 1 }))), ["ind_deco_fin_ult1"]);
  assert.deepEqual(offered(decide(input({ scores: [...tied].reverse(), k: 1 }))), ["ind_deco_fin_ult1"]);
});

Deno.test("DecisionLayer does not mutate its input", () => {
  const scores = CAMPAIGN.map((s) => Object.freeze({ ...s }));
  const contacts = [Object.freeze(contact("ind_fond_fin_ult1", { shownAtMs: Object.freeze([NOW - DAY]) }))];
  const frozen = Object.freeze(input({ scores: Object.freeze(scores), contacts: Object.freeze(contacts) }));
  const before = JSON.stringify(frozen);
  decide(frozen);
  assert.equal(JSON.stringify(frozen), before);
});

Deno.test("DecisionLayer keeps k within bounds", () => {
  assert.deepEqual(decide(input({ scores: CAMPAIGN, k: 0 })).offers, []);
  assert.equal(decide(input({ scores: CAMPAIGN, k: 1 })).offers.length, 1);
  assert.equal(decide(input({ scores: CAMPAIGN, k: 2.7 })).offers.length, 2);
  assert.equal(decide(input({ scores: CAMPAIGN, k: 100 })).offers.length, DEFAULT_DECISION_POLICY.maxOffers);
  assert.equal(
    decide(input({ scores: CAMPAIGN, k: Infinity })).offers.length,
    DEFAULT_DECISION_POLICY.maxOffers,
  );
  assert.deepEqual(decide(input({ scores: CAMPAIGN, k: -3 })).offers, []);
  assert.deepEqual(decide(input({ scores: CAMPAIGN, k: Number.NaN })).offers, []);
  assert.equal(decide(input({ scores: CAMPAIGN, k: 100 }), { maxOffers: 7 }).offers.length, 7);
  assert.equal(offerCount(3, 5), 3);
  assert.equal(offerCount(-1, 5), 0);
});

Deno.test("DecisionLayer returns nothing for empty scores", () => {
  assert.deepEqual(decide(input({ scores: [] })), { offers: [], suppressed: [] });
});

Deno.test("DecisionLayer suppresses NaN and absurd scores without crashing", () => {
  const decision = decide(input({
    scores: [
      { productId: "ind_fond_fin_ult1", pTreated: Number.NaN, pControl: 0.1, uplift: 0.2 },
      { productId: "ind_valo_fin_ult1", pTreated: 7, pControl: 0.1, uplift: 0.2 },
      { productId: "ind_plan_fin_ult1", pTreated: 0.3, pControl: -0.2, uplift: 0.5 },
      { productId: "ind_ecue_fin_ult1", pTreated: 0.3, pControl: 0.1, uplift: Infinity },
      { productId: "ind_deco_fin_ult1", pTreated: 0.3, pControl: 0.1, uplift: 3 },
      { productId: "ins_property", pTreated: 0.3, pControl: 0.1, uplift: 0.2 },
      { productId: "ind_cco_fin_ult1", pTreated: Number.NaN, pControl: Number.NaN, uplift: Number.NaN },
    ],
  }));
  assert.deepEqual(offered(decision), ["ins_property"]);
  for (
    const code of [
      "ind_fond_fin_ult1",
      "ind_valo_fin_ult1",
      "ind_plan_fin_ult1",
      "ind_ecue_fin_ult1",
      "ind_deco_fin_ult1",
    ]
  ) {
    const entry = decision.suppressed.find((s) => s.productId === code)!;
    assert.equal(entry.reason, "low_uplift", code);
    assert.equal(entry.detail.en, "The model gave no usable estimate of the effect");
  }
  // An owned product is reported as owned, whatever its score.
  assert.equal(reasonOf(decision, "ind_cco_fin_ult1"), "owned");
});

Deno.test("DecisionLayer ignores product ids outside the catalog and duplicate scores", () => {
  const hostile = [
    score("__proto__", 0.5),
    score("constructor", 0.5),
    score("ind_fake_fin_ult1", 0.5),
    score("", 0.5),
    score("<script>alert(1)</script>", 0.5),
    null,
    { productId: 42 },
    score("ind_fond_fin_ult1", 0.1),
    score("ind_fond_fin_ult1", -0.5),
  ] as unknown as OfferScore[];
  const contacts = [
    contact("__proto__", { complainedAtMs: NOW }),
    null,
    contact("ind_fake", { convertedAtMs: NOW }),
  ] as unknown as ContactRecord[];
  const decision = decide(input({ scores: hostile, contacts }));
  assert.deepEqual(offered(decision), ["ind_fond_fin_ult1"]);
  assert.equal(decision.offers[0].uplift, 0.1);
  assert.deepEqual(decision.suppressed, []);
});

Deno.test("DecisionLayer merges several contact records of one product", () => {
  const decision = decide(input({
    scores: [score("ind_fond_fin_ult1", 0.1)],
    contacts: [
      contact("ind_fond_fin_ult1", { shownAtMs: [NOW - 2 * DAY] }),
      contact("ind_fond_fin_ult1", { shownAtMs: [NOW - 3 * DAY] }),
    ],
  }));
  assert.equal(reasonOf(decision, "ind_fond_fin_ult1"), "contact_policy");
});

Deno.test("DecisionLayer treats a missing contact history as empty", () => {
  const decision = decide(input({
    scores: [score("ind_fond_fin_ult1", 0.1)],
    contacts: undefined as unknown as ContactRecord[],
  }));
  assert.deepEqual(offered(decision), ["ind_fond_fin_ult1"]);
});

Deno.test("DecisionLayer rejects a decision time that is not finite", () => {
  assert.throws(() => decide(input({ nowMs: Number.NaN })), RangeError);
});

Deno.test("DecisionLayer fails closed when consents are missing", () => {
  const decision = decide(
    input({ scores: CAMPAIGN, consents: undefined as unknown as DecisionInput["consents"] }),
  );
  assert.deepEqual(decision.offers, []);
  assert.ok(decision.suppressed.every((entry) => entry.reason === "consent"));
});

Deno.test("DecisionLayer turns the score rules off with infinite thresholds", () => {
  const decision = decide(
    input({ scores: [score("ins_auto", 0.001, 0.9), score("ind_fond_fin_ult1", -0.2)] }),
    { sureThingMinPControl: Infinity, minUplift: -Infinity },
  );
  assert.deepEqual(offered(decision), ["ins_auto", "ind_fond_fin_ult1"]);
  assert.deepEqual(decision.suppressed, []);
});

Deno.test("DecisionLayer ignores policy overrides that are not numbers", () => {
  const decision = decide(
    input({ scores: [score("ind_fond_fin_ult1", 0.005)] }),
    { minUplift: Number.NaN, sureThingMinPControl: "0" as unknown as number },
  );
  assert.equal(reasonOf(decision, "ind_fond_fin_ult1"), "low_uplift");
});
