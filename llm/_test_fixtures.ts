/**
 * Private: offers, catalog items and contexts shared by the LLM tests.
 *
 * @module
 */

import type { CatalogItem } from "../datagen/types.ts";
import type { DecidedOffer } from "../decision/types.ts";
import type { ExplainContext } from "./explain_context.ts";

/** A credit card offer with ПСК and rate disclosures. */
export const CREDIT_CARD: DecidedOffer = {
  productId: "ind_tjcr_fin_ult1",
  name: { ru: "Кредитная карта", en: "Credit card" },
  family: "card",
  role: "primary",
  partner: false,
  uplift: 0.12,
  pTreated: 0.2,
  pControl: 0.08,
  reasons: [
    {
      code: "spend:travel",
      text: { ru: "Вы часто тратите на путешествия", en: "You often spend on travel" },
    },
    {
      code: "uplift",
      text: { ru: "Предложение заметно повышает интерес", en: "The offer noticeably raises interest" },
    },
  ],
  disclosures: { fullCostRange: { min: 0, max: 52.5 }, rateRange: { min: 0, max: 49.9 } },
};

/** A deposit offer with a yield and no ПСК. */
export const DEPOSIT: DecidedOffer = {
  productId: "ind_deco_fin_ult1",
  name: { ru: "Краткосрочный вклад", en: "Short-term deposit" },
  family: "deposit",
  role: "alternative",
  partner: false,
  uplift: 0.05,
  pTreated: 0.1,
  pControl: 0.05,
  reasons: [{
    code: "life_event:salary_rise",
    text: { ru: "Ваша зарплата недавно выросла", en: "Your salary recently went up" },
  }],
  disclosures: { fullCostRange: null, rateRange: { min: 12, max: 16.5 } },
};

/** An investment offer (guaranteed-return claims must never accompany it). */
export const FUNDS: DecidedOffer = {
  productId: "ind_fond_fin_ult1",
  name: { ru: "Инвестиционные фонды", en: "Funds" },
  family: "investment",
  role: "alternative",
  partner: false,
  uplift: 0.03,
  pTreated: 0.06,
  pControl: 0.03,
  reasons: [{ code: "uplift", text: { ru: "Вы копите на цели", en: "You are saving for goals" } }],
  disclosures: { fullCostRange: null, rateRange: null },
};

function item(id: string, ru: string, en: string, price: number, tags: string[], msk = 10): CatalogItem {
  return {
    id,
    category: id.split("-")[0],
    brand: "Вкусвилл",
    price,
    name: { ru, en },
    tags,
    availability: { msk },
  };
}

/** Three lactose-free items under 500 ₽ and one out of stock. */
export const ITEMS: CatalogItem[] = [
  item("dairy-002", "Молоко безлактозное 2,5% 1 л", "Lactose-free milk 2.5% 1 L", 129, ["lactose_free"]),
  item("dairy-007", "Сыр безлактозный 200 г", "Lactose-free cheese 200 g", 289, ["lactose_free"]),
  item("plant_milk-001", "Овсяное молоко 1 л", "Oat milk 1 L", 159, ["lactose_free", "vegan"]),
  item("dairy-011", "Йогурт безлактозный 140 г", "Lactose-free yogurt 140 g", 89, ["lactose_free"], 0),
];

/** The pseudonymous id of the test user, which must never reach the LLM. */
export const USER_ID = "b-004217";
/** Another user's id, which must never appear in an answer. */
export const OTHER_USER_ID = "b-009999";

/** A retail chat context: «молоко без лактозы до 500 ₽» with the first three items retrieved. */
export function retailContext(overrides: Partial<ExplainContext> = {}): ExplainContext {
  return {
    language: "ru",
    consents: { personalization: true, marketing: true, llm: true },
    profile: {
      ageBand: "25–34",
      segment: "particulares",
      incomeBand: "middle",
      lifeEvents: [],
      holdings: ["ind_cco_fin_ult1"],
      interests: ["dairy", "lactose_free"],
    },
    history: [{ role: "user", text: "Привет", atMs: 0 }, {
      role: "assistant",
      text: "Здравствуйте!",
      atMs: 1,
    }],
    message: "Подбери молоко без лактозы до 500 ₽",
    offers: [],
    items: ITEMS.slice(0, 3),
    request: { tags: ["lactose_free"], maxPrice: 500, category: null },
    location: "msk",
    forbidden: [USER_ID, OTHER_USER_ID],
    ...overrides,
  };
}

/** A bank chat context with a credit card (primary), a deposit and funds. */
export function bankContext(overrides: Partial<ExplainContext> = {}): ExplainContext {
  return retailContext({
    message: "Почему мне предлагают эту карту?",
    offers: [CREDIT_CARD, DEPOSIT, FUNDS],
    items: [],
    request: null,
    ...overrides,
  });
}
