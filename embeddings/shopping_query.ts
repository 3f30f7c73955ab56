/**
 * Reads a Russian or English shopping request into hard filters and the text left to embed:
 * «что приготовить на ужин до 500 ₽» → the dinner categories and a 500 ₽ limit; «подбери молоко без
 * лактозы» → `lactose_free` and the milk categories; "vegan snacks under 300 rub" → `vegan`, snacks, 300.
 *
 * Rules, not a model: dietary phrases map to catalog tags, category words (matched by stem, longest
 * phrase first, so «овсяное молоко» is plant milk and not dairy) to category ids, and meals («на ужин»,
 * "for breakfast") to the categories that make them, used only when no category word is present (several
 * meals intersect: «приготовить на ужин» leaves what one cooks for dinner).
 *
 * @module
 */

import { MEALS } from "./_lexicon_retail.ts";
import { CATEGORY_WORDS, NOT_PRICE_UNIT, PRICE_PATTERN, TAG_PATTERNS } from "./_query_patterns.ts";
import { normalizeText, stem, words } from "./_stem.ts";

/** What {@link parseShoppingQuery} understood. */
export interface ShoppingQuery {
  /** The request without its price limit, for the embedding (original spelling, spaces collapsed). */
  text: string;
  /** Upper price limit in rubles, when the request states one. */
  maxPrice?: number;
  /** Catalog tags every result must carry (`lactose_free`, `vegan`, …). */
  requiredTags: string[];
  /** Category ids results must belong to (empty: any). */
  categories: string[];
  /** Meals or occasions named (`dinner`, `breakfast`, …). */
  meals: string[];
  /** The request's language by its letters (Russian when it has none). */
  lang: "ru" | "en";
}

/** Requests are read up to this many characters. */
export const MAX_QUERY_CHARS = 2_000;

const stemsOf = (phrase: string) => words(phrase).map(stem);

const PHRASES: { category: string; stems: string[] }[] = Object.entries(CATEGORY_WORDS)
  .flatMap(([category, list]) => list.map((phrase) => ({ category, stems: stemsOf(phrase) })))
  .sort((a, b) => b.stems.length - a.stems.length);

const MEAL_STEMS = MEALS.map((meal) => ({
  meal,
  stems: [...meal.phrases.ru, ...meal.phrases.en].map(stemsOf).filter((list) => list.length === 1)
    .map(([single]) => single),
}));

function parseAmount(amount: string, multiplier: string | undefined): number {
  const compact = amount.replace(/[\s\u00a0]/g, "");
  // "1.000" / "1,000" without a multiplier is a thousands separator, "1,5 тыс" a decimal.
  const thousands = !multiplier && /^\d{1,3}[.,]\d{3}$/.test(compact);
  const value = Number(thousands ? compact.replace(/[.,]/, "") : compact.replace(",", "."));
  return multiplier ? value * 1000 : value;
}

function findMaxPrice(text: string): { maxPrice?: number; rest: string } {
  let maxPrice: number | undefined;
  const rest = text.replace(
    PRICE_PATTERN,
    (match, amount: string, multiplier?: string, currency?: string, offset?: number) => {
      const after = text.slice((offset ?? 0) + match.length);
      if (!multiplier && !currency && NOT_PRICE_UNIT.test(after)) return match;
      const value = parseAmount(amount, multiplier);
      if (!Number.isFinite(value) || value <= 0 || (!currency && !multiplier && value < 20)) return match;
      maxPrice = maxPrice === undefined ? value : Math.min(maxPrice, value);
      return " ";
    },
  );
  return { maxPrice, rest };
}

function categoriesOf(stems: readonly string[]): string[] {
  const consumed = new Array<boolean>(stems.length).fill(false);
  const found = new Set<string>();
  let length = PHRASES[0]?.stems.length ?? 0;
  let pending: number[] = [];
  for (const { category, stems: phrase } of PHRASES) {
    if (phrase.length !== length) {
      for (const at of pending) consumed[at] = true;
      pending = [];
      length = phrase.length;
    }
    for (let start = 0; start + phrase.length <= stems.length; start++) {
      let hit = true;
      for (let i = 0; i < phrase.length && hit; i++) {
        hit = !consumed[start + i] && stems[start + i] === phrase[i];
      }
      if (!hit) continue;
      found.add(category);
      for (let i = 0; i < phrase.length; i++) pending.push(start + i);
    }
  }
  return [...found].sort();
}

function mealCategories(stems: readonly string[]): { meals: string[]; categories: string[] } {
  const named = MEAL_STEMS.filter(({ stems: list }) => list.some((s) => stems.includes(s))).map((m) =>
    m.meal
  );
  if (named.length === 0) return { meals: [], categories: [] };
  let categories = [...named[0].categories];
  for (const meal of named.slice(1)) {
    const both = categories.filter((category) => meal.categories.includes(category));
    categories = both.length > 0 ? both : [...new Set([...categories, ...meal.categories])];
  }
  return { meals: named.map((meal) => meal.id), categories: categories.sort() };
}

/** Parses a shopping request; never throws for a string (a non-string is a TypeError). */
export function parseShoppingQuery(text: string): ShoppingQuery {
  if (typeof text !== "string") throw new TypeError("parseShoppingQuery expects a string");
  const bounded = text.slice(0, MAX_QUERY_CHARS);
  const normalized = normalizeText(bounded);
  const { maxPrice } = findMaxPrice(normalized);
  const display = findMaxPrice(bounded.normalize("NFKC")).rest
    .replace(/[\p{Cc}\p{Cf}]/gu, " ").replace(/\s+/g, " ").trim();
  const requiredTags = Object.entries(TAG_PATTERNS).filter(([, pattern]) => pattern.test(normalized))
    .map(([tag]) => tag).sort();
  const stems = words(findMaxPrice(normalized).rest).map(stem);
  const fromWords = categoriesOf(stems);
  const meals = mealCategories(stems);
  const cyrillic = (normalized.match(/\p{Script=Cyrillic}/gu) ?? []).length;
  const latin = (normalized.match(/\p{Script=Latin}/gu) ?? []).length;
  return {
    text: display,
    ...(maxPrice === undefined ? {} : { maxPrice }),
    requiredTags,
    categories: fromWords.length > 0 ? fromWords : meals.categories,
    meals: meals.meals,
    lang: latin > cyrillic ? "en" : "ru",
  };
}
