/**
 * The retail catalog: every base product of every category crossed with the
 * category's brands, with brand-dependent prices in rubles, Russian and
 * English names, dietary tags and stock per city (some items out of stock
 * somewhere).
 *
 * @module
 */

import { BRAND_LATIN, CATEGORY_TEMPLATES, LOCATIONS } from "./_retail_catalog_data.ts";
import { Random } from "./random.ts";
import type { CatalogItem } from "./types.ts";

export { CATEGORY_TEMPLATES, LOCATIONS };

// Brands whose whole range is sold as organic.
const ORGANIC_BRANDS: ReadonlySet<string> = new Set(["Эко-ферма", "Levrana", "Вкусвилл"]);

/** Inserts the brand before the first token with a digit (the pack size), else appends it. */
export function brandedName(name: string, brand: string): string {
  const tokens = name.split(" ");
  const at = tokens.findIndex((token) => /\d/.test(token));
  if (at <= 0) return `${name} ${brand}`;
  return [...tokens.slice(0, at), brand, ...tokens.slice(at)].join(" ");
}

/** Rounds a price to a shop-like figure ending in 9 (or 90 above 1,000). */
export function shopPrice(price: number): number {
  if (price >= 1000) return Math.max(990, Math.round(price / 100) * 100 - 10);
  return Math.max(19, Math.round(price / 10) * 10 - 1);
}

/** Builds the catalog for a seed (ids like `dairy-001`). */
export function generateCatalog(seed: number): CatalogItem[] {
  const rng = new Random(seed).fork("catalog");
  const brandFactor = new Map<string, number>();
  const items: CatalogItem[] = [];
  for (const category of CATEGORY_TEMPLATES) {
    let n = 0;
    for (const [ru, en, price, tags] of category.products) {
      for (const brand of category.brands) {
        if (!brandFactor.has(brand)) brandFactor.set(brand, rng.uniform(0.8, 1.35));
        const itemTags = new Set(tags);
        if (
          ORGANIC_BRANDS.has(brand) &&
          (category.id === "vegetables" || category.id === "fruit" || brand !== "Вкусвилл")
        ) {
          itemTags.add("organic");
        }
        const availability: Record<string, number> = {};
        for (const location of LOCATIONS) {
          const regionalGap = category.id === "electronics" && location !== "msk" ? 0.25 : 0.1;
          availability[location] = rng.bernoulli(regionalGap) ? 0 : rng.int(1, 150);
        }
        items.push({
          id: `${category.id}-${String(++n).padStart(3, "0")}`,
          category: category.id,
          brand,
          price: shopPrice(price * brandFactor.get(brand)! * rng.uniform(0.92, 1.08)),
          name: { ru: brandedName(ru, brand), en: brandedName(en, BRAND_LATIN[brand] ?? brand) },
          tags: [...itemTags].sort(),
          availability,
        });
      }
    }
  }
  return items;
}
