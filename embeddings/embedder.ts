/**
 * Sentence embeddings on the device through `@xenova/transformers` (`feature-extraction`, mean pooling,
 * L2-normalised), from a local model directory only: transformers.js is told never to reach the network
 * or write a cache. The default is the project's own model in `embeddings/model/` (`deno task
 * embeddings:train`); `EMBEDDING_MODEL_DIR` (engine config `embeddingModelDir`) points at any other
 * directory in the same layout, such as an exported multilingual MiniLM.
 *
 * Under Deno transformers.js runs on onnxruntime-node (native, CPU), because `process.release.name` is
 * `"node"`. Repeated texts (chat queries, catalog keys) come from a bounded LRU cache.
 *
 * @module
 */

import { env, type FeatureExtractionPipeline, pipeline } from "@xenova/transformers";
import { LruCache } from "./lru_cache.ts";

/** The shipped model's directory (an absolute path). */
export const SHIPPED_MODEL_DIR: string = decodeURIComponent(new URL("./model/", import.meta.url).pathname);
/** Texts are cut to this many characters before tokenization (a request is never longer in practice). */
export const MAX_INPUT_CHARS = 2_000;
/** At most this many texts go through the model in one run. */
const BATCH_SIZE = 64;

/** Options of {@link Embedder.load}. */
export interface EmbedderOptions {
  /** Use `onnx/model_quantized.onnx` (default: when the directory has it). */
  quantized?: boolean;
  /** Texts kept in the LRU cache (default 2,048; 0 disables it). */
  cacheSize?: number;
}

/** Raised when a model directory cannot be loaded. */
export class EmbeddingModelError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EmbeddingModelError";
  }
}

let configured = false;

function configureTransformers(): void {
  if (configured) return;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useBrowserCache = false;
  env.useFSCache = false;
  // Model ids below are absolute paths; joined onto "/" they stay absolute.
  env.localModelPath = "/";
  configured = true;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Cuts a text to {@link MAX_INPUT_CHARS} without splitting a surrogate pair. */
function bound(text: string): string {
  if (text.length <= MAX_INPUT_CHARS) return text;
  const cut = text.slice(0, MAX_INPUT_CHARS);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** A loaded embedding model. */
export class Embedder {
  #extractor: FeatureExtractionPipeline;
  #cache: LruCache<string, Float32Array>;
  #dimension = 0;
  #source: "shipped" | "local";
  #dir: string;

  private constructor(extractor: FeatureExtractionPipeline, dir: string, cacheSize: number) {
    this.#extractor = extractor;
    this.#dir = dir;
    this.#source = dir === SHIPPED_MODEL_DIR ? "shipped" : "local";
    this.#cache = new LruCache(cacheSize);
  }

  /** Loads the model in `dir` (default: the shipped model); throws {@link EmbeddingModelError}. */
  static async load(dir: string = SHIPPED_MODEL_DIR, options: EmbedderOptions = {}): Promise<Embedder> {
    configureTransformers();
    const absolute = (dir.startsWith("/") ? dir : `${Deno.cwd()}/${dir}`).replace(/\/+$/, "") + "/";
    const resolved = absolute === SHIPPED_MODEL_DIR ? SHIPPED_MODEL_DIR : absolute;
    for (const file of ["config.json", "tokenizer.json"]) {
      if (!await exists(`${resolved}${file}`)) {
        throw new EmbeddingModelError(`The embedding model directory ${resolved} has no ${file}`);
      }
    }
    const quantized = options.quantized ?? await exists(`${resolved}onnx/model_quantized.onnx`);
    let extractor: FeatureExtractionPipeline;
    try {
      extractor = await pipeline("feature-extraction", resolved.slice(1), {
        quantized,
        local_files_only: true,
      });
    } catch (error) {
      throw new EmbeddingModelError(
        `Cannot load the embedding model in ${resolved}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const embedder = new Embedder(extractor, resolved, options.cacheSize ?? 2_048);
    const [probe] = await embedder.#run(["probe"]);
    embedder.#dimension = probe.length;
    return embedder;
  }

  /** Width of every vector. */
  get dimension(): number {
    return this.#dimension;
  }

  /** `shipped` for the project's own model, `local` for a directory given by configuration. */
  get source(): "shipped" | "local" {
    return this.#source;
  }

  /** The model directory (absolute, with a trailing slash). */
  get dir(): string {
    return this.#dir;
  }

  /** Cache hits, misses and size. */
  get cacheStats(): { hits: number; misses: number; size: number; capacity: number } {
    return this.#cache.stats;
  }

  /**
   * One L2-normalised vector per text, in order (fresh arrays the caller may keep). A text with nothing
   * the model knows (empty, only emoji or symbols) gets the zero vector, whose similarity to anything is 0.
   */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (!Array.isArray(texts)) throw new TypeError("embed expects an array of strings");
    const prepared = texts.map((text, at) => {
      if (typeof text !== "string") throw new TypeError(`embed expects strings, got ${typeof text} at ${at}`);
      return bound(text);
    });
    const result: (Float32Array | undefined)[] = prepared.map((text) => this.#cache.get(text));
    const missing = [...new Set(prepared.filter((_, at) => result[at] === undefined))];
    const fresh = new Map<string, Float32Array>();
    for (let start = 0; start < missing.length; start += BATCH_SIZE) {
      const batch = missing.slice(start, start + BATCH_SIZE);
      const vectors = await this.#run(batch);
      batch.forEach((text, at) => {
        fresh.set(text, vectors[at]);
        this.#cache.set(text, vectors[at]);
      });
    }
    return prepared.map((text, at) => (result[at] ?? fresh.get(text)!).slice());
  }

  async #run(texts: string[]): Promise<Float32Array[]> {
    const output = await this.#extractor(texts, { pooling: "mean", normalize: true });
    const width = output.dims[output.dims.length - 1];
    const data = output.data as Float32Array;
    return texts.map((_, row) => {
      const vector = data.slice(row * width, (row + 1) * width);
      // Normalising a zero mean gives NaN: such a text carries no meaning the model knows.
      if (vector.some(Number.isNaN)) vector.fill(0);
      return vector;
    });
  }

  /** Releases the ONNX session. */
  async dispose(): Promise<void> {
    await this.#extractor.dispose();
  }
}
