/**
 * The synthetic retail side: a catalog and shoppers whose searches, views,
 * orders and ratings over the last 90 days follow their tastes (preferred
 * categories and brands, price sensitivity, dietary needs, children, pets)
 * and their city's stock.
 *
 * @module
 */

import { russianName } from "./_names.ts";
import { type TimedEvent, UserEventWriter } from "./_timed_event.ts";
import { Random } from "./random.ts";
import { CATEGORY_TEMPLATES, generateCatalog, LOCATIONS } from "./retail_catalog.ts";
import type { CatalogItem, Shopper } from "./types.ts";

const DAY_MS = 86_400_000;

/** Options for {@linkcode generateRetail}. */
export interface GenerateRetailOptions {
  seed: number;
  shoppers: number;
  /** The end of the history (ISO timestamp or epoch ms). */
  asOf: string | number;
  /** Days of history; default 90. */
  days?: number;
}

/** What {@linkcode generateRetail} returns; events are unsorted with their times. */
export interface RetailData {
  catalog: CatalogItem[];
  shoppers: Shopper[];
  events: TimedEvent[];
}

/** A shopper's hidden taste profile. */
export interface Taste {
  diet: { lactoseFree: boolean; vegan: boolean; glutenFree: boolean; sugarFree: boolean };
  organic: boolean;
  kids: boolean;
  pet: boolean;
  /** 0 premium … 1 budget. */
  priceSensitivity: number;
  favoriteBrands: Set<string>;
  categoryWeight: Record<string, number>;
}

const STAPLES: Record<string, number> = {
  dairy: 10,
  plant_milk: 1,
  bakery: 7,
  meat: 6,
  fish: 3,
  vegetables: 9,
  fruit: 8,
  ready_meals: 5,
  snacks: 4,
  sweets: 4,
  drinks: 5,
  coffee_tea: 3,
  grocery: 5,
  frozen: 3,
  baby: 0,
  household: 2,
  pet: 0,
  cosmetics: 2,
  electronics: 0.4,
  kitchen: 0.5,
};
const ANIMAL_CATEGORIES = new Set([
  "dairy",
  "meat",
  "fish",
  "frozen",
  "ready_meals",
  "sweets",
  "bakery",
  "baby",
]);
const GLUTEN_CATEGORIES = new Set(["bakery", "grocery", "ready_meals", "frozen", "snacks"]);

/** Draws a taste profile. */
export function sampleTaste(rng: Random): Taste {
  const vegan = rng.bernoulli(0.05);
  const taste: Taste = {
    diet: {
      lactoseFree: vegan || rng.bernoulli(0.12),
      vegan,
      glutenFree: rng.bernoulli(0.04),
      sugarFree: rng.bernoulli(0.07),
    },
    organic: rng.bernoulli(0.12),
    kids: rng.bernoulli(0.22),
    pet: rng.bernoulli(0.25),
    priceSensitivity: rng.weighted([0.9, 0.5, 0.1], [0.35, 0.45, 0.2]),
    favoriteBrands: new Set(),
    categoryWeight: {},
  };
  for (const category of CATEGORY_TEMPLATES) {
    let w = STAPLES[category.id] * rng.lognormal(0, 0.7);
    if (category.id === "baby" && taste.kids) w = 6 * rng.lognormal(0, 0.4);
    if (category.id === "pet" && taste.pet) w = 3 * rng.lognormal(0, 0.4);
    if (category.id === "plant_milk" && taste.diet.lactoseFree) w = 8;
    taste.categoryWeight[category.id] = w;
    if (rng.bernoulli(0.5)) taste.favoriteBrands.add(rng.pick(category.brands));
  }
  return taste;
}

/** Whether a shopper with this taste would buy the item at all. */
export function allowed(taste: Taste, item: CatalogItem): boolean {
  const tags = item.tags;
  if (taste.diet.vegan && ANIMAL_CATEGORIES.has(item.category) && !tags.includes("vegan")) return false;
  if (taste.diet.lactoseFree && item.category === "dairy" && !tags.includes("lactose_free")) return false;
  if (taste.diet.glutenFree && GLUTEN_CATEGORIES.has(item.category) && !tags.includes("gluten_free")) {
    return false;
  }
  return true;
}

/** How much a shopper likes an item (0 when not allowed). */
export function affinity(taste: Taste, item: CatalogItem, medianPrice: number): number {
  if (!allowed(taste, item)) return 0;
  let w = taste.categoryWeight[item.category] ?? 0;
  w *= Math.pow(medianPrice / item.price, 2 * taste.priceSensitivity - 0.4);
  if (taste.favoriteBrands.has(item.brand)) w *= 2.5;
  if (taste.organic && item.tags.includes("organic")) w *= 3;
  if (taste.diet.lactoseFree && item.tags.includes("lactose_free")) w *= 3;
  if (taste.diet.sugarFree) w *= item.tags.includes("sugar_free") ? 3 : item.category === "sweets" ? 0.2 : 1;
  if (taste.kids && item.tags.includes("kids")) w *= 2;
  return w;
}

/** A search query in Russian that fits the shopper and the category. */
export function searchQuery(rng: Random, taste: Taste, category: string): string {
  const options: string[] = [CATEGORY_TEMPLATES.find((c) => c.id === category)!.ru.toLowerCase()];
  if (taste.diet.lactoseFree) options.push("молоко без лактозы", "безлактозный сыр");
  if (taste.diet.vegan) options.push("веганский перекус", "растительное молоко");
  if (taste.diet.glutenFree) options.push("хлеб без глютена", "без глютена");
  if (taste.diet.sugarFree) options.push("без сахара", "шоколад без сахара");
  if (taste.kids) options.push("детское пюре", "для детей");
  if (taste.priceSensitivity > 0.7) options.push("ужин до 500 ₽", "акции", "недорого на завтрак");
  if (taste.priceSensitivity < 0.3) options.push("стейк рибай", "кофе в зёрнах");
  if (taste.organic) options.push("органические овощи", "эко продукты");
  options.push("что приготовить на ужин");
  return rng.pick(options);
}

/** Generates the catalog, `shoppers` shoppers (ids `r-000001`…) and their events. */
export function generateRetail(options: GenerateRetailOptions): RetailData {
  const asOfMs = typeof options.asOf === "number" ? options.asOf : Date.parse(options.asOf);
  if (!Number.isFinite(asOfMs)) throw new RangeError(`Invalid asOf: ${options.asOf}`);
  const days = options.days ?? 90;
  const catalog = generateCatalog(options.seed);
  const median = new Map<string, number>();
  for (const category of CATEGORY_TEMPLATES) {
    const prices = catalog.filter((i) => i.category === category.id).map((i) => i.price).sort((a, b) =>
      a - b
    );
    median.set(category.id, prices[Math.floor(prices.length / 2)]);
  }
  const root = new Random(options.seed).fork("retail");
  const data: RetailData = { catalog, shoppers: [], events: [] };
  for (let n = 1; n <= options.shoppers; n++) {
    const rng = root.fork(n);
    const userId = `r-${String(n).padStart(6, "0")}`;
    const location = rng.weighted(LOCATIONS, [0.45, 0.25, 0.15, 0.15]);
    const device = rng.weighted(["ios", "android", "web"], [0.45, 0.45, 0.1]);
    const taste = sampleTaste(rng);
    data.shoppers.push({ userId, displayName: russianName(rng, rng.bernoulli(0.55)), location });
    const weights = catalog.map((item) => affinity(taste, item, median.get(item.category)!));
    const inStock = weights.map((w, i) => (catalog[i].availability[location] ?? 0) > 0 ? w : 0);
    const writer = new UserEventWriter(`s${options.seed}-`, userId, data.events);
    const context = { location, device, channel: "app" };
    const sessions = Math.max(1, Math.min(60, rng.poisson(rng.lognormal(Math.log(10), 0.6))));
    for (let s = 0; s < sessions; s++) {
      let at = asOfMs - rng.uniform(2 / 24, days) * DAY_MS;
      let focus = catalog[rng.categorical(weights)];
      if (rng.bernoulli(0.35)) {
        writer.add(at, "search", { query: searchQuery(rng, taste, focus.category), context });
        at += rng.uniform(5, 40) * 1000;
      }
      for (let v = rng.int(1, 5); v > 0; v--) {
        writer.add(at, "view", {
          item: { id: focus.id, category: focus.category, price: focus.price, brand: focus.brand },
          context,
        });
        at += rng.uniform(10, 90) * 1000;
        focus = catalog[rng.categorical(rng.bernoulli(0.6) ? inStock : weights)];
      }
      if (!rng.bernoulli(0.5)) continue;
      const lines = rng.sampleWeighted(catalog, inStock, rng.int(1, 6));
      for (const item of lines) {
        const quantity = rng.bernoulli(0.75) ? 1 : rng.int(2, 4);
        writer.add(at, "order", {
          item: { id: item.id, category: item.category, price: item.price, brand: item.brand },
          value: item.price * quantity,
          context,
        });
        if (rng.bernoulli(0.12) && at + DAY_MS < asOfMs) {
          const liked = taste.favoriteBrands.has(item.brand);
          const value = Math.max(1, Math.min(5, Math.round(rng.normal(liked ? 4.6 : 3.9, 0.8))));
          writer.add(at + rng.uniform(0.5, 1) * DAY_MS, "rating", {
            item: { id: item.id, category: item.category },
            value,
            context,
          });
        }
      }
    }
  }
  return data;
}
