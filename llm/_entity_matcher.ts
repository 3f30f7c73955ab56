/**
 * Private: finds the bank products and catalog items a sentence names (by
 * code, id, exact name or quoted name) and the first one that is not in the
 * context, for the output validator.
 *
 * @module
 */

import type { CatalogItem } from "../datagen/types.ts";
import type { DecidedOffer } from "../decision/types.ts";
import { PRODUCTS } from "../model/products.ts";
import { AI_DISCLOSURE_PATTERN, ITEM_ID, normalize, PRODUCT_CODE, QUOTED } from "./_patterns.ts";

/** What one sentence names. */
export interface Mentions {
  products: Set<string>;
  items: Set<string>;
  /** The first name, code or id outside the context, or null. */
  unknown: { reason: "unknown_item" | "unknown_product"; entity: string } | null;
}

/** What may be named: the context's offers and items, held products, the user's own words. */
export interface EntityScope {
  offers: readonly DecidedOffer[];
  items: readonly CatalogItem[];
  holdings?: readonly string[];
  message?: string | null;
}

/** Matches sentences against the names in scope. */
export class EntityMatcher {
  readonly #offered: Set<string>;
  readonly #held: Set<string>;
  readonly #known: Set<string>;
  readonly #offerNames: [name: string, code: string][];
  readonly #itemNames: [name: string, id: string][];
  readonly #otherProductNames: string[];
  /** Text we wrote ourselves (reasons) or the user wrote: quoting it names nothing new. */
  readonly #trusted: string;

  constructor(scope: EntityScope) {
    this.#offered = new Set(scope.offers.map((offer) => offer.productId));
    this.#held = new Set(scope.holdings ?? []);
    this.#known = new Set(scope.items.map((item) => item.id));
    const reasons = scope.offers.flatMap((offer) => offer.reasons.flatMap((r) => [r.text.ru, r.text.en]));
    this.#trusted = normalize([...reasons, scope.message ?? ""].join(" | "));
    this.#offerNames = scope.offers.flatMap((offer) => [
      [normalize(offer.name.ru), offer.productId],
      [normalize(offer.name.en), offer.productId],
    ]);
    this.#itemNames = scope.items.flatMap((item) => [[normalize(item.name.ru), item.id], [
      normalize(item.name.en),
      item.id,
    ]]);
    // Single-word product names ("Ипотека", "Funds") are ordinary words too; only longer names identify a product.
    this.#otherProductNames = PRODUCTS.filter((p) => !this.#offered.has(p.code) && !this.#held.has(p.code))
      .flatMap((p) => [normalize(p.name.ru), normalize(p.name.en)])
      .filter((name) => name.includes(" ") && !this.#trusted.includes(name));
  }

  /** What `sentence` names; `normalized` is `normalize(sentence)`. */
  mentions(sentence: string, normalized: string): Mentions {
    const found: Mentions = { products: new Set(), items: new Set(), unknown: null };
    for (const [code] of sentence.matchAll(PRODUCT_CODE)) {
      if (this.#offered.has(code)) found.products.add(code);
      else if (!this.#held.has(code)) found.unknown ??= { reason: "unknown_product", entity: code };
    }
    for (const [id] of sentence.matchAll(ITEM_ID)) {
      if (this.#known.has(id)) found.items.add(id);
      else found.unknown ??= { reason: "unknown_item", entity: id };
    }
    for (const [name, code] of this.#offerNames) if (normalized.includes(name)) found.products.add(code);
    for (const [name, id] of this.#itemNames) if (normalized.includes(name)) found.items.add(id);
    const other = this.#otherProductNames.find((name) => normalized.includes(name));
    if (other) found.unknown ??= { reason: "unknown_product", entity: other };
    for (const match of sentence.matchAll(QUOTED)) {
      const quoted = normalize(match[1] ?? match[2] ?? match[3]);
      const named = [...this.#offerNames, ...this.#itemNames].some(([name]) =>
        name.includes(quoted) || quoted.includes(name)
      );
      if (!named && !this.#trusted.includes(quoted) && !AI_DISCLOSURE_PATTERN.test(quoted)) {
        found.unknown ??= { reason: "unknown_item", entity: quoted };
      }
    }
    return found;
  }
}
