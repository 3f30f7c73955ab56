/**
 * The tokenizer of the shipped embedding model, in the Hugging Face `tokenizer.json` layout that
 * transformers.js reads: NFKC, BERT cleaning and lower-casing (accents kept, so `й` stays), `ё` folded to
 * `е`, BERT pre-tokenization (whitespace and punctuation), and a WordPiece vocabulary built from the corpus.
 *
 * The vocabulary holds each corpus word's stem (`молочн`) and ending (`##ые`) rather than whole words, so
 * every inflection of a Russian word, seen in the corpus or not, shares the stem's vector; the stemmer's
 * endings and every Cyrillic and Latin letter and digit (both as a word start and as `##` continuation)
 * are added so that any word in these scripts tokenizes without `[UNK]`.
 *
 * @module
 */

import { BertTokenizer } from "@xenova/transformers";
import { RUSSIAN_ENDINGS, stem } from "./_stem.ts";

/** Special tokens, at ids 0–4. */
export const SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const;
/** The longest input the tokenizer keeps (tokens, with `[CLS]` and `[SEP]`). */
export const MODEL_MAX_LENGTH = 512;

const LETTERS = [..."абвгдежзийклмнопрстуфхцчшщъыьэюяabcdefghijklmnopqrstuvwxyz0123456789₽№"];
const SYMBOLS = [...`!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~«»—–·…`];

/** `tokenizer.json` for a vocabulary (token id = index). */
export function tokenizerJson(vocab: readonly string[]): Record<string, unknown> {
  const special = (token: string) => ({ id: token, ids: [vocab.indexOf(token)], tokens: [token] });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: vocab.indexOf(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: "Sequence",
      normalizers: [
        { type: "NFKC" },
        {
          type: "BertNormalizer",
          clean_text: true,
          handle_chinese_chars: true,
          strip_accents: false,
          lowercase: true,
        },
        { type: "Replace", pattern: { String: "ё" }, content: "е" },
      ],
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, {
        SpecialToken: { id: "[SEP]", type_id: 0 },
      }],
      pair: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: { "[CLS]": special("[CLS]"), "[SEP]": special("[SEP]") },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
    },
  };
}

/** `tokenizer_config.json`. */
export function tokenizerConfig(): Record<string, unknown> {
  return {
    tokenizer_class: "BertTokenizer",
    do_lower_case: true,
    strip_accents: false,
    tokenize_chinese_chars: true,
    model_max_length: MODEL_MAX_LENGTH,
    cls_token: "[CLS]",
    sep_token: "[SEP]",
    pad_token: "[PAD]",
    unk_token: "[UNK]",
    mask_token: "[MASK]",
    clean_up_tokenization_spaces: true,
  };
}

/** A transformers.js tokenizer over `vocab`, built in memory (the same code that reads the shipped files). */
export function createTokenizer(vocab: readonly string[]): BertTokenizer {
  return new BertTokenizer(tokenizerJson(vocab), tokenizerConfig());
}

/** Words as the tokenizer's normaliser and pre-tokenizer see them. */
export function preTokenize(tokenizer: BertTokenizer, text: string): string[] {
  const normalized = tokenizer.normalizer ? tokenizer.normalizer(text) as unknown as string : text;
  return tokenizer.pre_tokenizer(normalized) as unknown as string[];
}

/**
 * The vocabulary for a corpus: special tokens, then stems and `##` endings ordered by weighted count
 * (ties by code point), the `wholeWords` (filler words, kept whole so that a greedy match cannot read
 * «найди» as «на» + …), every prefix of four or more letters of a longer stem (so an unseen word such as
 * «напиток» matches `напит` rather than a short unrelated stem), then the stemmer's endings, letters, digits
 * and symbols not yet included.
 */
export function buildVocabulary(
  documents: readonly { text: string; weight: number }[],
  wholeWords: readonly string[] = [],
): string[] {
  const bootstrap = createTokenizer([...SPECIAL_TOKENS]);
  const counts = new Map<string, number>();
  const add = (token: string, weight: number) => counts.set(token, (counts.get(token) ?? 0) + weight);
  for (const { text, weight } of documents) {
    for (const word of preTokenize(bootstrap, text)) {
      if (!/^[а-яa-z]+$/.test(word)) continue;
      const root = stem(word);
      add(root, weight);
      if (root.length < word.length) add(`##${word.slice(root.length)}`, weight);
    }
  }
  const vocab: string[] = [...SPECIAL_TOKENS];
  const seen = new Set<string>(vocab);
  const push = (token: string) => {
    if (!seen.has(token)) {
      seen.add(token);
      vocab.push(token);
    }
  };
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  ranked.forEach(([token]) => push(token));
  for (const word of wholeWords) for (const piece of preTokenize(bootstrap, word)) push(piece);
  for (const [token] of ranked) {
    if (token.startsWith("##")) continue;
    for (let length = 4; length < token.length; length++) push(token.slice(0, length));
  }
  for (const ending of RUSSIAN_ENDINGS) push(`##${ending}`);
  for (const letter of LETTERS) {
    push(letter);
    push(`##${letter}`);
  }
  for (const symbol of SYMBOLS) push(symbol);
  return vocab;
}
