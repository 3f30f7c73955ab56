/**
 * Scoring an exported uplift model with onnxruntime-web (wasm backend, single-threaded) under Deno.
 *
 * Deno resolves the bare `onnxruntime-web` specifier with the `node` export condition to
 * `dist/ort.node.min.mjs` inside `node_modules`. The wasm runtime (`ort-wasm-simd-threaded.{mjs,wasm}`)
 * sits next to it, so `env.wasm.wasmPaths` is pointed at that directory as a `file:` URL obtained from
 * `import.meta.resolve`: nothing is fetched from the network. `numThreads = 1` keeps ORT from starting
 * worker threads (no SharedArrayBuffer pool, nothing left running after a test).
 *
 * @module
 */

import * as ort from "onnxruntime-web";

/** Scores for one or more users: row-major [rows × products]. */
export interface OnnxUpliftScores {
  pControl: Float32Array;
  pTreated: Float32Array;
  uplift: Float32Array;
}

/** Result of {@link OnnxUpliftScorer.load}. */
export type OnnxScorerLoadResult = { ok: true; scorer: OnnxUpliftScorer } | { ok: false; reason: string };

let configured = false;

/**
 * The tail of the inference queue. onnxruntime-web's wasm instance (one per process, shared by every
 * session) awaits inside `OrtRun`, and a second run started meanwhile reuses its stack memory: the first
 * then read no output handle and failed ("Cannot read properties of null (reading '3')", seen under
 * concurrent requests). Runs therefore go one at a time.
 */
let inferenceQueue: Promise<unknown> = Promise.resolve();

function oneAtATime<T>(run: () => Promise<T>): Promise<T> {
  const result = inferenceQueue.then(run, run);
  inferenceQueue = result.catch(() => {});
  return result;
}

function configureRuntime(): void {
  if (configured) return;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = new URL("./", import.meta.resolve("onnxruntime-web")).href;
  ort.env.logLevel = "error";
  configured = true;
}

/** An InferenceSession over an uplift graph from `exportUpliftOnnx`. */
export class OnnxUpliftScorer {
  #session: ort.InferenceSession;
  #nFeatures: number;
  #nProducts: number;

  private constructor(session: ort.InferenceSession, nFeatures: number, nProducts: number) {
    this.#session = session;
    this.#nFeatures = nFeatures;
    this.#nProducts = nProducts;
  }

  /** Creates a session from ONNX bytes; `nProducts` is the width of each output (default 1). */
  static async load(
    bytes: Uint8Array,
    options: { nFeatures: number; nProducts?: number },
  ): Promise<OnnxScorerLoadResult> {
    configureRuntime();
    try {
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: ["wasm"],
        graphOptimizationLevel: "all",
      });
      const names = new Set(session.outputNames);
      for (const name of ["p_control", "p_treated", "uplift"]) {
        if (!names.has(name)) {
          await session.release();
          return { ok: false, reason: `Model has no output ${name}` };
        }
      }
      return { ok: true, scorer: new OnnxUpliftScorer(session, options.nFeatures, options.nProducts ?? 1) };
    } catch (error) {
      return { ok: false, reason: `Cannot create an ONNX session: ${(error as Error).message}` };
    }
  }

  /** Number of features per row. */
  get nFeatures(): number {
    return this.#nFeatures;
  }

  /** Number of products (columns of each output). */
  get nProducts(): number {
    return this.#nProducts;
  }

  /** Scores one user (`features.length === nFeatures`) or a row-major batch of users. */
  async score(features: Float32Array): Promise<OnnxUpliftScores> {
    const rows = features.length / this.#nFeatures;
    if (!Number.isInteger(rows) || rows < 1) {
      throw new RangeError(`Expected a multiple of ${this.#nFeatures} features, got ${features.length}`);
    }
    const input = new ort.Tensor("float32", features, [rows, this.#nFeatures]);
    const out = await oneAtATime(() => this.#session.run({ features: input }));
    return {
      pControl: out.p_control.data as Float32Array,
      pTreated: out.p_treated.data as Float32Array,
      uplift: out.uplift.data as Float32Array,
    };
  }

  /** Frees the session. */
  async release(): Promise<void> {
    await this.#session.release();
  }
}
