/**
 * Private: the wording and number formatting of the decision layer's texts,
 * in Russian (the default) and English. Formatting is hand-written rather
 * than `Intl`, so the same decision gives byte-identical text on any machine.
 *
 * @module
 */

import type { LifeEvent, SpendCategory } from "../datagen/types.ts";
import type { ProductFamily } from "../model/products.ts";
import type { LocalizedText } from "./types.ts";

/** Family names, as the texts use them. */
export const FAMILY_NAMES: Record<ProductFamily, LocalizedText> = {
  account: { ru: "счета", en: "accounts" },
  deposit: { ru: "вклады и сбережения", en: "deposits and savings" },
  investment: { ru: "инвестиции", en: "investments" },
  credit: { ru: "кредиты", en: "loans" },
  card: { ru: "карты", en: "cards" },
  payments: { ru: "платежи", en: "payments" },
  insurance: { ru: "страхование", en: "insurance" },
  partner: { ru: "предложения партнёров", en: "partner offers" },
};

/** «Вы недавно …» for each life event. */
export const LIFE_EVENT_TEXTS: Record<LifeEvent, LocalizedText> = {
  car_purchase: { ru: "Вы недавно купили автомобиль", en: "You recently bought a car" },
  mortgage: { ru: "Вы недавно оформили ипотеку", en: "You recently took out a mortgage" },
  child: { ru: "В вашей семье недавно родился ребёнок", en: "You recently had a child" },
  relocation: { ru: "Вы недавно переехали", en: "You recently moved house" },
  salary_rise: { ru: "Ваша зарплата недавно выросла", en: "Your salary recently went up" },
};

/** Spending category names in the prepositional phrase «траты на …» / "spending on …". */
export const CATEGORY_TEXTS: Record<SpendCategory, LocalizedText> = {
  groceries: { ru: "продукты", en: "groceries" },
  restaurants: { ru: "кафе и рестораны", en: "restaurants" },
  transport: { ru: "транспорт", en: "transport" },
  fuel: { ru: "топливо", en: "fuel" },
  auto_dealer: { ru: "автосалоны", en: "car dealers" },
  auto_service: { ru: "автосервис", en: "car service" },
  travel: { ru: "путешествия", en: "travel" },
  health: { ru: "здоровье", en: "health" },
  kids: { ru: "детские товары", en: "kids' goods" },
  furniture: { ru: "мебель и ремонт", en: "furniture and home repair" },
  electronics: { ru: "электронику", en: "electronics" },
  clothing: { ru: "одежду", en: "clothing" },
  entertainment: { ru: "развлечения", en: "entertainment" },
  utilities: { ru: "коммунальные услуги", en: "utilities" },
  education: { ru: "образование", en: "education" },
};

/** A number with `digits` decimals: Russian with a decimal comma, English with a point. */
export function decimal(value: number, digits: number): LocalizedText {
  const en = value.toFixed(digits);
  return { ru: en.replace(".", ","), en };
}

/** A signed probability difference in percentage points, one decimal: «+12,3» / "+12.3". */
export function points(difference: number): LocalizedText {
  const rounded = Math.round(difference * 1000) / 10;
  const sign = rounded > 0 ? "+" : rounded < 0 ? "−" : "";
  const { ru, en } = decimal(Math.abs(rounded), 1);
  return { ru: sign + ru, en: (sign === "−" ? "-" : sign) + en };
}

/** A share as a whole percent: «45 %». */
export function percent(share: number): string {
  return `${Math.round(share * 100)}`;
}

/**
 * An approximate ruble amount grouped by thousands: «91 000» / "91,000".
 * Amounts from 10 000 are rounded to thousands, smaller ones to hundreds: the
 * estimates behind them are no more precise than that.
 */
export function rubles(amount: number): LocalizedText {
  const step = amount >= 10_000 ? 1000 : 100;
  const digits = String(Math.max(0, Math.round(amount / step) * step));
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 3) groups.unshift(digits.slice(Math.max(0, end - 3), end));
  return { ru: groups.join("\u00a0"), en: groups.join(",") };
}

/** A calendar date (UTC): «15.12.2026» / "2026-12-15". */
export function date(ms: number): LocalizedText {
  const iso = new Date(ms).toISOString().slice(0, 10);
  const [year, month, day] = iso.split("-");
  return { ru: `${day}.${month}.${year}`, en: iso };
}

/** A percent range: «9,9–34,9 %». */
export function range(min: number, max: number): LocalizedText {
  const low = decimal(min, 1);
  const high = decimal(max, 1);
  return { ru: `${low.ru}–${high.ru}\u00a0%`, en: `${low.en}–${high.en}%` };
}
