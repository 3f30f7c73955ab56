/**
 * Builds the shipped embedding model from nothing but the project's own data: the corpus
 * (`corpus.ts`), a stem-and-ending WordPiece vocabulary (`wordpiece_vocab.ts`), PPMI + randomized
 * eigendecomposition + SIF token vectors (`train_vectors.ts`), and the transformers.js files
 * (`model_files.ts`). The same options give the same bytes.
 *
 * @module
 */

import { BANK_FILLER_WORDS } from "./_lexicon_bank.ts";
import { FILLER_WORDS, UNIT_WORDS } from "./_lexicon_retail.ts";
import { buildCorpus } from "./corpus.ts";
import { modelFiles } from "./model_files.ts";
import { trainTokenVectors } from "./train_vectors.ts";
import { buildVocabulary, createTokenizer, preTokenize, SPECIAL_TOKENS } from "./wordpiece_vocab.ts";

/** Options of {@link trainEmbeddingModel}. */
export interface EmbeddingTrainOptions {
  /** Width of the token vectors (default 96). */
  dimension?: number;
  /** Seed of the randomized eigendecomposition (default 20261121). */
  seed?: number;
}

/** What a training run produced. */
export interface EmbeddingTrainResult {
  files: Map<string, Uint8Array>;
  vocabSize: number;
  dimension: number;
  documents: number;
  /** Tokens with a non-zero vector. */
  trainedTokens: number;
}

/** Every filler and unit word, which the model keeps as whole tokens with zero vectors. */
export function fillerWords(): string[] {
  return [...new Set([...FILLER_WORDS, ...BANK_FILLER_WORDS, ...UNIT_WORDS])].sort();
}

/** Trains the model and returns its files (nothing is written). */
export function trainEmbeddingModel(options: EmbeddingTrainOptions = {}): EmbeddingTrainResult {
  const dimension = options.dimension ?? 96;
  const seed = options.seed ?? 20261121;
  const corpus = buildCorpus();
  const fillers = fillerWords();
  const vocab = buildVocabulary(corpus, fillers);
  const tokenizer = createTokenizer(vocab);
  const ids = new Map(vocab.map((token, id) => [token, id]));
  const zeroIds = new Set<number>(SPECIAL_TOKENS.map((token) => ids.get(token)!));
  for (const word of fillers) {
    for (const piece of preTokenize(tokenizer, word)) zeroIds.add(ids.get(piece)!);
  }
  // Digits and punctuation (pack sizes, fat percentages) say nothing about what a product is; single
  // letters are what an unseen word falls back to, so they must not carry a meaning of their own.
  vocab.forEach((token, id) => {
    if (/^(##)?[\p{N}\p{P}\p{S}]+$/u.test(token) || /^(##)?.$/u.test(token)) zeroIds.add(id);
  });
  const docs = corpus.map(({ text, weight }) => ({
    ids: tokenizer.encode(text, null, { add_special_tokens: false }) as number[],
    weight,
  }));
  const vectors = trainTokenVectors(docs, { dimension, seed, zeroIds, vocab });
  let trainedTokens = 0;
  for (let r = 0; r < vocab.length; r++) {
    if (vectors.matrix.subarray(r * dimension, (r + 1) * dimension).some((x) => x !== 0)) trainedTokens++;
  }
  const training = {
    method:
      "document co-occurrence PPMI, randomized eigendecomposition, SIF weighting (deno task embeddings:train)",
    seed,
    documents: corpus.length,
    trained_tokens: trainedTokens,
  };
  return {
    files: modelFiles(vocab, vectors.matrix, dimension, training),
    vocabSize: vocab.length,
    dimension,
    documents: corpus.length,
    trainedTokens,
  };
}
