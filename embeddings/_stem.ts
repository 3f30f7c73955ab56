/**
 * Text normalisation shared by the tokenizer builder, the query parser and the product resolver, and a
 * light stemmer: Snowball's Russian algorithm (gerund, reflexive, adjectival, verb and noun endings in RV,
 * derivational `ость` in R2, undoubled `нн`) and a few English plural and verb suffixes. The vocabulary
 * builder splits each word into stem and ending, so the inflections of a Russian word share one subword.
 *
 * @module
 */

const VOWELS = "аеиоуыэюя";

// Endings of a group marked `after а/я` only strip when preceded by а or я (Snowball's group 1).
const PERFECTIVE_GERUND = {
  afterA: ["вшись", "вши", "в"],
  any: ["ившись", "ывшись", "ивши", "ывши", "ив", "ыв"],
};
const ADJECTIVE = [
  "ими",
  "ыми",
  "его",
  "ого",
  "ему",
  "ому",
  "ее",
  "ие",
  "ые",
  "ое",
  "ей",
  "ий",
  "ый",
  "ой",
  "ем",
  "им",
  "ым",
  "ом",
  "их",
  "ых",
  "ую",
  "юю",
  "ая",
  "яя",
  "ою",
  "ею",
];
const PARTICIPLE = { afterA: ["ем", "нн", "вш", "ющ", "щ"], any: ["ивш", "ывш", "ующ"] };
const VERB = {
  afterA: [
    "ете",
    "йте",
    "ешь",
    "нно",
    "ла",
    "на",
    "ли",
    "ем",
    "ло",
    "но",
    "ет",
    "ют",
    "ны",
    "ть",
    "й",
    "л",
    "н",
  ],
  any: [
    "ейте",
    "уйте",
    "ила",
    "ыла",
    "ена",
    "ите",
    "или",
    "ыли",
    "ило",
    "ыло",
    "ено",
    "ует",
    "уют",
    "ены",
    "ить",
    "ыть",
    "ишь",
    "ей",
    "уй",
    "ил",
    "ыл",
    "им",
    "ым",
    "ен",
    "ят",
    "ит",
    "ыт",
    "ую",
    "ю",
  ],
};
const NOUN = [
  "иями",
  "ями",
  "ами",
  "ией",
  "иям",
  "ием",
  "иях",
  "ев",
  "ов",
  "ие",
  "ье",
  "еи",
  "ии",
  "ей",
  "ой",
  "ий",
  "ям",
  "ем",
  "ам",
  "ом",
  "ах",
  "ях",
  "ию",
  "ью",
  "ия",
  "ья",
  "а",
  "е",
  "и",
  "й",
  "о",
  "у",
  "ы",
  "ь",
  "ю",
  "я",
].sort((a, b) => b.length - a.length);

/** Every Russian inflectional ending the stemmer strips (for the vocabulary's `##` pieces). */
export const RUSSIAN_ENDINGS: readonly string[] = [
  ...new Set([
    ...PERFECTIVE_GERUND.afterA,
    ...PERFECTIVE_GERUND.any,
    ...ADJECTIVE,
    ...VERB.afterA,
    ...VERB.any,
    ...NOUN,
    "ся",
    "сь",
  ]),
].sort();

/** Lower case, NFKC, `ё` as `е`, control and format characters dropped: what the tokenizer's normaliser does. */
export function normalizeText(text: string): string {
  return text.normalize("NFKC").replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu, (char) => /\s/.test(char) ? " " : "")
    .toLowerCase().replaceAll("ё", "е");
}

function endsWithAny(word: string, from: number, endings: readonly string[], afterA: boolean): number {
  for (const ending of endings) {
    const at = word.length - ending.length;
    if (at < from || !word.endsWith(ending)) continue;
    if (afterA && (at - 1 < from || (word[at - 1] !== "а" && word[at - 1] !== "я"))) continue;
    return ending.length;
  }
  return 0;
}

function strip(word: string, from: number, group: { afterA: string[]; any: string[] }): string | null {
  const long = [...group.any].sort((a, b) => b.length - a.length);
  const short = [...group.afterA].sort((a, b) => b.length - a.length);
  const any = endsWithAny(word, from, long, false);
  const after = endsWithAny(word, from, short, true);
  const cut = Math.max(any, after);
  return cut > 0 ? word.slice(0, word.length - cut) : null;
}

function region(word: string, from: number): number {
  for (let i = from; i < word.length - 1; i++) {
    if (VOWELS.includes(word[i]) && !VOWELS.includes(word[i + 1])) return i + 2;
  }
  return word.length;
}

/** The Snowball stem of a lower-case Russian word (`ё` already folded to `е`). */
export function stemRussian(word: string): string {
  let rv = 0;
  while (rv < word.length && !VOWELS.includes(word[rv])) rv++;
  rv++;
  if (rv >= word.length) return word;
  let w = strip(word, rv, PERFECTIVE_GERUND);
  if (w === null) {
    w = word;
    const reflexive = endsWithAny(w, rv, ["ся", "сь"], false);
    if (reflexive) w = w.slice(0, w.length - reflexive);
    const adjective = endsWithAny(w, rv, ADJECTIVE, false);
    if (adjective) {
      w = w.slice(0, w.length - adjective);
      w = strip(w, rv, PARTICIPLE) ?? w;
    } else {
      w = strip(w, rv, VERB) ?? (() => {
        const noun = endsWithAny(w!, rv, NOUN, false);
        return w!.slice(0, w!.length - noun);
      })();
    }
  }
  if (w.endsWith("и") && w.length - 1 >= rv) w = w.slice(0, -1);
  const r2 = region(word, region(word, 0));
  const derivational = endsWithAny(w, r2, ["ость", "ост"], false);
  if (derivational) w = w.slice(0, w.length - derivational);
  if (w.endsWith("ейше") && w.length - 4 >= rv) w = w.slice(0, -4);
  else if (w.endsWith("ейш") && w.length - 3 >= rv) w = w.slice(0, -3);
  if (w.endsWith("нн")) w = w.slice(0, -1);
  else if (w.endsWith("ь")) w = w.slice(0, -1);
  return w;
}

/** A light English stem: plural `-s`/`-es`/`-ies`, `-ing`, `-ed`. */
export function stemEnglish(word: string): string {
  if (word.length > 4 && word.endsWith("ies")) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(ss|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith("s") && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  if (word.length > 5 && word.endsWith("ing")) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith("ed")) return word.slice(0, -2);
  return word;
}

/** The stem of a normalised word: Russian for Cyrillic, English for Latin, the word itself otherwise. */
export function stem(word: string): string {
  if (/^[а-я]+$/.test(word)) return stemRussian(word);
  if (/^[a-z]+$/.test(word)) return stemEnglish(word);
  return word;
}

/** Words of a text (letters and digits runs), normalised. */
export function words(text: string): string[] {
  return normalizeText(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}
