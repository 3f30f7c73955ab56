/**
 * The prompt-injection corpus (`corpus/prompt_injection.json`, Russian and
 * English) with its templates expanded: another user's id, base64, zero-width
 * characters, bidi overrides, homoglyphs and context stuffing.
 *
 * @module
 */

import corpus from "./corpus/prompt_injection.json" with { type: "json" };

/** One corpus entry with its text expanded. */
export interface Injection {
  lang: "ru" | "en";
  category: string;
  text: string;
}

const ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"];
/** Latin letters and the Cyrillic letters that look the same. */
const HOMOGLYPHS: Record<string, string> = {
  a: "а",
  c: "с",
  e: "е",
  i: "і",
  o: "о",
  p: "р",
  s: "ѕ",
  x: "х",
  y: "у",
  A: "А",
  B: "В",
  C: "С",
  E: "Е",
  H: "Н",
  K: "К",
  M: "М",
  O: "О",
  P: "Р",
  T: "Т",
  X: "Х",
};

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return btoa(String.fromCharCode(...bytes));
}

/** Expands one template; `victim` is the id of the user whose data must never leak. */
export function expandInjection(text: string, victim: string): string {
  return text
    .replace(/\{b64:([^}]*)\}/g, (_, inner: string) => base64(inner))
    .replace(
      /\{zw:([^}]*)\}/g,
      (_, inner: string) => [...inner].map((char, i) => char + ZERO_WIDTH[i % ZERO_WIDTH.length]).join(""),
    )
    .replace(/\{bidi:([^}]*)\}/g, (_, inner: string) => `\u202e${inner}\u202c`)
    .replace(
      /\{homoglyph:([^}]*)\}/g,
      (_, inner: string) => [...inner].map((char) => HOMOGLYPHS[char] ?? char).join(""),
    )
    .replace(/\{repeat:([^:}]*):(\d+)\}/g, (_, inner: string, times: string) => inner.repeat(Number(times)))
    .replaceAll("{victim}", victim);
}

/** Every corpus entry, expanded for `victim`. */
export function injections(victim: string): Injection[] {
  return corpus.entries.map((entry) => ({
    lang: entry.lang as Injection["lang"],
    category: entry.category,
    text: expandInjection(entry.text, victim),
  }));
}
