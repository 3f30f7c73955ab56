/**
 * The training corpus of the shipped embedding model. Each document is a bag of phrases that belong
 * together: a catalog product's Russian and English names with its category and dietary phrases, a
 * branded item in both languages, a category's names, a tag's phrases, a meal with the products that
 * make it, a bank offer with its everyday names and family words, a translated word pair. The trainer
 * counts co-occurrence inside documents, so words that share documents (a Russian name and its English
 * translation) end up close.
 *
 * @module
 */

import { BRAND_LATIN, CATEGORY_TEMPLATES } from "../datagen/_retail_catalog_data.ts";
import { generateCatalog } from "../datagen/retail_catalog.ts";
import { PRODUCTS } from "../model/products.ts";
import { FAMILY_PHRASES, PRODUCT_ALIASES } from "./_lexicon_bank.ts";
import { CATEGORY_PHRASES, MEALS, type Phrases, TAG_PHRASES, WORD_PAIRS } from "./_lexicon_retail.ts";

/** One training document: its text and how many times it counts. */
export interface CorpusDocument {
  text: string;
  weight: number;
}

/** The seed of the catalog whose items (brands, organic tags) the corpus describes. */
export const CORPUS_CATALOG_SEED = 1;

const both = (phrases: Phrases | undefined): string[] => phrases ? [...phrases.ru, ...phrases.en] : [];

/** The phrases naming a category in both languages (template name first). */
export function categoryPhrases(categoryId: string): string[] {
  const template = CATEGORY_TEMPLATES.find((category) => category.id === categoryId);
  return [...(template ? [template.ru] : []), ...both(CATEGORY_PHRASES[categoryId])];
}

/** The phrases of a tag in both languages (empty for an unknown tag). */
export function tagPhrases(tag: string): string[] {
  return both(TAG_PHRASES[tag]);
}

function retailDocuments(): CorpusDocument[] {
  const docs: CorpusDocument[] = [];
  for (const category of CATEGORY_TEMPLATES) {
    const names = categoryPhrases(category.id);
    docs.push({ text: names.join(" . "), weight: 4 });
    for (const [ru, en, , tags] of category.products) {
      docs.push({ text: `${ru} . ${en}`, weight: 4 });
      const dietary = tags.flatMap(tagPhrases);
      docs.push({ text: [ru, en, names[0], ...names.slice(-2), ...dietary].join(" . "), weight: 2 });
      for (const tag of tags) docs.push({ text: [ru, en, ...tagPhrases(tag)].join(" . "), weight: 1 });
    }
  }
  for (const item of generateCatalog(CORPUS_CATALOG_SEED)) {
    const extra = item.tags.includes("organic") ? tagPhrases("organic") : [];
    docs.push({ text: [item.name.ru, item.name.en, ...extra].join(" . "), weight: 1 });
  }
  for (const category of CATEGORY_TEMPLATES) {
    for (const brand of category.brands) {
      docs.push({ text: `${brand} . ${BRAND_LATIN[brand] ?? brand}`, weight: 4 });
      docs.push({
        text: [brand, BRAND_LATIN[brand] ?? brand, ...categoryPhrases(category.id)].join(" . "),
        weight: 1,
      });
    }
  }
  for (const tag of Object.keys(TAG_PHRASES)) docs.push({ text: tagPhrases(tag).join(" . "), weight: 6 });
  for (const meal of MEALS) {
    const phrases = both(meal.phrases);
    docs.push({ text: phrases.join(" . "), weight: 6 });
    for (const categoryId of meal.categories) {
      const category = CATEGORY_TEMPLATES.find((template) => template.id === categoryId);
      if (!category) throw new Error(`Meal ${meal.id} names an unknown category ${categoryId}`);
      category.products.forEach(([ru, en], at) => {
        docs.push({
          text: [phrases[at % phrases.length], meal.phrases.en[0], ru, en].join(" . "),
          weight: 1,
        });
      });
    }
  }
  for (const [ru, en] of WORD_PAIRS) docs.push({ text: `${ru} . ${en}`, weight: 4 });
  return docs;
}

function bankDocuments(): CorpusDocument[] {
  const docs: CorpusDocument[] = [];
  for (const product of PRODUCTS) {
    const aliases = both(PRODUCT_ALIASES[product.code]);
    const family = both(FAMILY_PHRASES[product.family]);
    docs.push({ text: `${product.name.ru} . ${product.name.en}`, weight: 4 });
    docs.push({ text: [product.name.ru, product.name.en, ...aliases].join(" . "), weight: 4 });
    docs.push({ text: [product.name.ru, product.name.en, ...family].join(" . "), weight: 2 });
  }
  for (const phrases of Object.values(FAMILY_PHRASES)) {
    docs.push({ text: both(phrases).join(" . "), weight: 6 });
  }
  return docs;
}

/** Every training document, in a fixed order. */
export function buildCorpus(): CorpusDocument[] {
  return [...retailDocuments(), ...bankDocuments()];
}
