/**
 * Why an offer was chosen, as machine-readable codes with Russian and English
 * text (the LLM explainer and the template both build on them), and the
 * mandatory disclosures it must carry.
 *
 * Codes: `uplift` (the personal effect in percentage points), `life_event:<event>`
 * (a trigger from `product_terms.ts` within its window), `spend:<category>`
 * (a related spending category with a notable share), `salary` (the salary
 * credited to the bank, for credit, card, deposit and investment offers),
 * `debt_burden` (the ПДН the new payment leaves, for credit), and `popular`
 * (the only reason when personalization is off: no personal data is used).
 *
 * @module
 */

import { SPEND_CATEGORIES } from "../datagen/types.ts";
import type { PriorScore } from "./policy.ts";
import { type Candidate, debtBurden, type RuleContext } from "./rules.ts";
import type { Disclosures, OfferReason } from "./types.ts";
import { CATEGORY_TEXTS, LIFE_EVENT_TEXTS, percent, points, range, rubles } from "./_texts.ts";

const DAY_MS = 86_400_000;
/** A spending category is worth naming when it takes at least this share of card spending. */
export const NOTABLE_SPEND_SHARE = 0.05;
const SALARY_FAMILIES: ReadonlySet<string> = new Set(["credit", "card", "deposit", "investment"]);

/** The reasons for a personalized offer. */
export function personalReasons(candidate: Candidate, context: RuleContext): OfferReason[] {
  const { score, product, terms } = candidate;
  const { client, nowMs } = context;
  const effect = points(score.uplift);
  const reasons: OfferReason[] = [{
    code: "uplift",
    text: {
      ru: `Персональный эффект предложения: ${effect.ru} п.п. к вероятности оформления`,
      en: `Personal effect of the offer: ${effect.en} pp on the chance of taking it up`,
    },
  }];
  for (const trigger of terms.lifeEventTriggers) {
    const at = client.lifeEvents[trigger.event];
    if (at !== undefined && at <= nowMs && nowMs - at <= trigger.withinDays * DAY_MS) {
      reasons.push({ code: `life_event:${trigger.event}`, text: LIFE_EVENT_TEXTS[trigger.event] });
    }
  }
  const spending = client.spending ?? {};
  let total = 0;
  for (const category of SPEND_CATEGORIES) total += validAmount(spending[category]);
  let top: { category: typeof SPEND_CATEGORIES[number]; share: number } | null = null;
  for (const category of terms.spendTriggers) {
    const share = total > 0 ? validAmount(spending[category]) / total : 0;
    if (share >= NOTABLE_SPEND_SHARE && (top === null || share > top.share)) top = { category, share };
  }
  if (top !== null) {
    const name = CATEGORY_TEXTS[top.category];
    const share = percent(top.share);
    reasons.push({
      code: `spend:${top.category}`,
      text: {
        ru: `Заметная доля ваших трат — на ${name.ru} (${share} %)`,
        en: `A notable share of your spending goes on ${name.en} (${share}%)`,
      },
    });
  }
  if (SALARY_FAMILIES.has(product.family) && client.salary > 0) {
    const salary = rubles(client.salary);
    reasons.push({
      code: "salary",
      text: {
        ru: `Ваша зарплата, около ${salary.ru} ₽ в месяц, приходит в наш банк`,
        en: `Your salary, about ${salary.en} ₽ a month, is paid into this bank`,
      },
    });
  }
  if (product.credit && client.salary > 0 && terms.typicalMonthlyPaymentRub !== null) {
    const payment = rubles(terms.typicalMonthlyPaymentRub);
    const burden = percent(debtBurden(terms, context));
    reasons.push({
      code: "debt_burden",
      text: {
        ru:
          `Типичный платёж около ${payment.ru} ₽ в месяц оставляет долговую нагрузку в пределах нормы (ПДН ${burden} %)`,
        en:
          `A typical payment of about ${payment.en} ₽ a month keeps the debt burden within the limit (ПДН ${burden}%)`,
      },
    });
  }
  return reasons;
}

/** The only reason for an offer ranked without personal data. */
export function nonPersonalReasons(prior: PriorScore): OfferReason[] {
  const effect = points(prior.uplift);
  return [{
    code: "popular",
    text: {
      ru: `Популярное предложение банка: в среднем эффект ${effect.ru} п.п. (без учёта ваших данных)`,
      en: `A popular offer of the bank: an average effect of ${effect.en} pp (your data is not used)`,
    },
  }];
}

/** The disclosures an offer carries: ПСК and rate ranges for credit, the rate for savings. */
export function disclosuresOf(candidate: Candidate): Disclosures {
  const { product, terms } = candidate;
  return {
    fullCostRange: product.credit && terms.fullCostRange ? { ...terms.fullCostRange } : null,
    rateRange: terms.rateRange ? { ...terms.rateRange } : null,
  };
}

/** The disclosure as text, ПСК first as the law requires: «ПСК 9,9–34,9 %, ставка 9,5–33,9 %». */
export function disclosureText(disclosures: Disclosures): { ru: string; en: string } | null {
  const parts: { ru: string; en: string }[] = [];
  if (disclosures.fullCostRange) {
    const cost = range(disclosures.fullCostRange.min, disclosures.fullCostRange.max);
    parts.push({ ru: `ПСК ${cost.ru}`, en: `full cost of credit (ПСК) ${cost.en}` });
  }
  if (disclosures.rateRange) {
    const rate = range(disclosures.rateRange.min, disclosures.rateRange.max);
    parts.push({ ru: `ставка ${rate.ru} годовых`, en: `rate ${rate.en} a year` });
  }
  if (parts.length === 0) return null;
  return { ru: parts.map((part) => part.ru).join(", "), en: parts.map((part) => part.en).join(", ") };
}

function validAmount(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}
