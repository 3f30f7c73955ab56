/**
 * Private: fixed wording and number formatting shared by the prompt, the
 * validator and the template explainer, in Russian and English. Formatting is
 * hand-written (no `Intl` objects on the hot path) and byte-stable.
 *
 * @module
 */

import type { Language } from "../decision/types.ts";

/** A range in percent a year as the texts print it. */
export interface PercentRange {
  min: number;
  max: number;
}

/** The AI disclosure every LLM-written text ends with. */
export const AI_DISCLOSURE: Record<Language, string> = {
  ru: "Ответ подготовлен ИИ.",
  en: "Written by AI.",
};

/** A number with at most one decimal: «9,9» in Russian, "9.9" in English. */
export function decimal(value: number, language: Language): string {
  const text = String(Math.round(value * 10) / 10);
  return language === "ru" ? text.replace(".", ",") : text;
}

/** «от 9,9% до 34,9% годовых» / "9.9% to 34.9% a year" (one figure when min equals max). */
export function percentRange(range: PercentRange, language: Language): string {
  const min = decimal(range.min, language);
  const max = decimal(range.max, language);
  if (language === "ru") return range.min === range.max ? `${min}% годовых` : `от ${min}% до ${max}% годовых`;
  return range.min === range.max ? `${min}% a year` : `${min}% to ${max}% a year`;
}

/** The full-cost-of-credit disclosure sentence for one product. */
export function fullCostSentence(productName: string, range: PercentRange, language: Language): string {
  return language === "ru"
    ? `Полная стоимость кредита (ПСК) по продукту «${productName}»: ${percentRange(range, language)}.`
    : `Full cost of credit (PSK) of ${productName}: ${percentRange(range, language)}.`;
}

/** The rate sentence for one product (always placed after the ПСК for credit). */
export function rateSentence(range: PercentRange, language: Language, credit: boolean): string {
  if (language === "ru") return `${credit ? "Ставка" : "Доходность"}: ${percentRange(range, language)}.`;
  return `${credit ? "Interest rate" : "Yield"}: ${percentRange(range, language)}.`;
}

/** A price in rubles: «129 ₽», «1 290 ₽». */
export function rubles(price: number): string {
  const whole = String(Math.round(price));
  // A narrow no-break space between thousands, as Russian typography does.
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f")} ₽`;
}

/** Tag wording: Russian adjectives go before «товар», phrases after it; English is an adjective. */
export const TAG_TEXTS: Record<
  string,
  { ruAdjective?: [one: string, many: string]; ru?: string; en: string }
> = {
  lactose_free: { ru: "без лактозы", en: "lactose-free" },
  gluten_free: { ru: "без глютена", en: "gluten-free" },
  sugar_free: { ru: "без сахара", en: "sugar-free" },
  vegan: { ruAdjective: ["веганский", "веганских"], en: "vegan" },
  organic: { ruAdjective: ["органический", "органических"], en: "organic" },
  kids: { ru: "для детей", en: "kids'" },
};

/** «товар», «товара» or «товаров» for `count`. */
export function ruItems(count: number): string {
  const mod10 = count % 10;
  const mod100 = count % 100;
  if (mod10 === 1 && mod100 !== 11) return "товар";
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return "товара";
  return "товаров";
}

/** Safe replies for requests the assistant does not serve. */
export const SAFE_REPLIES = {
  offTopic: {
    ru: "Я помогаю подбирать товары из каталога и рассказываю о ваших банковских предложениях. " +
      "Напишите, что вы ищете, например: «молоко без лактозы до 200 ₽».",
    en: "I help you find catalog items and explain your bank offers. " +
      "Tell me what you are looking for, for example: “lactose-free milk under 200 ₽”.",
  },
  injection: {
    ru:
      "Я не могу выполнить эту просьбу. Могу подобрать товары из каталога или рассказать о ваших предложениях.",
    en: "I can't do that. I can find catalog items for you or explain your offers.",
  },
  nothingFound: {
    ru: "Не нашёл подходящих товаров в наличии. Попробуйте изменить запрос или поднять лимит цены.",
    en: "I found no matching items in stock. Try another request or a higher price limit.",
  },
  noOffers: {
    ru: "Сейчас у нас нет для вас персональных предложений.",
    en: "We have no personal offers for you right now.",
  },
} as const;
